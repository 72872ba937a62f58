import DL1Format
import DL1Verifier
import Foundation

/// The published vectors in testvectors/ (and the repository they live in), for the tests
/// of every layer.
public enum TestVectors {
    /// The repository's root folder.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL
    /// testvectors/.
    public static let folder = repository.appendingPathComponent("testvectors")

    public struct Document: Decodable, Sendable {
        public let vectors: [Vector]
        public let images: [Image]
    }

    public struct Vector: Decodable, Sendable {
        public let name: String
        public let code: String
        public let status: [String]
        public let at: String
        public let leeway: Int64
        public let allow_unknown_status: Bool
        public let category: String?
        public let portrait_sha256: String?
        /// DL2 settings (absent: the defaults, 90 s and binding not required).
        public let holder_window: Int64?
        public let require_holder_binding: Bool?
        public let expected: Expected
    }

    public struct Expected: Decodable, Sendable {
        public let verdict: String
        public let check: String?
        public let layer: String?
        public let condition: String?
    }

    public struct Image: Decodable, Sendable {
        public let file: String
        public let code: String
        public let expected: Expected
    }

    /// vectors.json, decoded (nil when it cannot be read).
    public static let document: Document? = try? JSONDecoder().decode(Document.self, from: Data(contentsOf: folder.appendingPathComponent("vectors.json")))

    /// A verifier set up as `vector` says (trust folder, status files, time, settings).
    public static func verifier(for vector: Vector) throws -> Verifier {
        let trust = try TrustStore.load(directory: folder.appendingPathComponent("trust"))
        let tokens = try vector.status.map { try StatusListToken(bytes: [UInt8](Data(contentsOf: folder.appendingPathComponent($0)))) }
        guard let at = Instant.parse(vector.at) else { throw CocoaError(.coderInvalidValue) }
        return Verifier(trustStore: trust, statusTokens: tokens,
                        options: .init(leeway: vector.leeway, allowUnknownStatus: vector.allow_unknown_status, clock: { at },
                                       holderWindow: vector.holder_window ?? Verifier.defaultHolderWindow,
                                       requireHolderBinding: vector.require_holder_binding ?? false))
    }

    /// The officer's request of `vector`.
    public static func request(for vector: Vector) -> Verifier.Request {
        .init(category: vector.category, portraitHash: vector.portrait_sha256.flatMap { Hex.decode($0) })
    }
}
