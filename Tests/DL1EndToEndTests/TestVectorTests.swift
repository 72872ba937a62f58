import DL1Format
import DL1Verifier
import Foundation
import Testing

/// The published vectors in testvectors/: each gives exactly its expected verdict.
@Suite("testvectors/: published vectors")
struct TestVectorTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../testvectors").standardizedFileURL

    struct Document: Decodable {
        let vectors: [Vector]
        let images: [Image]
    }

    struct Vector: Decodable, CustomTestStringConvertible, Sendable {
        let name: String
        let code: String
        let status: [String]
        let at: String
        let leeway: Int64
        let allow_unknown_status: Bool
        let category: String?
        let portrait_sha256: String?
        /// DL2 settings (absent: the defaults, 90 s and binding not required).
        let holder_window: Int64?
        let require_holder_binding: Bool?
        let expected: Expected
        var testDescription: String { name }
    }

    struct Expected: Decodable, Sendable {
        let verdict: String
        let check: String?
        let layer: String?
        let condition: String?
    }

    struct Image: Decodable, Sendable {
        let file: String
        let code: String
        let expected: Expected
    }

    static let document: Document? = try? JSONDecoder().decode(Document.self, from: Data(contentsOf: folder.appendingPathComponent("vectors.json")))

    static func verifier(for vector: Vector) throws -> Verifier {
        let trust = try TrustStore.load(directory: folder.appendingPathComponent("trust"))
        let tokens = try vector.status.map { try StatusListToken(bytes: [UInt8](Data(contentsOf: folder.appendingPathComponent($0)))) }
        let at = try #require(Instant.parse(vector.at))
        return Verifier(trustStore: trust, statusTokens: tokens,
                        options: .init(leeway: vector.leeway, allowUnknownStatus: vector.allow_unknown_status, clock: { at },
                                       holderWindow: vector.holder_window ?? Verifier.defaultHolderWindow,
                                       requireHolderBinding: vector.require_holder_binding ?? false))
    }

    static func request(for vector: Vector) -> Verifier.Request {
        .init(category: vector.category, portraitHash: vector.portrait_sha256.flatMap { Hex.decode($0) })
    }

    @Test("the vector file is there and covers every verdict")
    func coverage() throws {
        let document = try #require(Self.document)
        let verdicts = Set(document.vectors.map(\.expected.verdict))
        #expect(verdicts == Set(Verdict.allCases.map(\.rawValue)))
        let conditions = Set(document.vectors.compactMap(\.expected.condition))
        #expect(conditions == Set(TrustCondition.allCases.map(\.rawValue)))
        let layers = Set(document.vectors.compactMap(\.expected.layer))
        #expect(layers == Set(DecodeLayer.allCases.map(\.rawValue)))
    }

    @Test("each vector gives its expected verdict, check, layer and condition", arguments: document?.vectors ?? [])
    func vector(_ vector: Vector) throws {
        let result = try Self.verifier(for: vector).verify(text: vector.code, request: Self.request(for: vector))
        #expect(result.verdict.rawValue == vector.expected.verdict, "\(result.reason)")
        #expect(result.check?.rawValue == vector.expected.check)
        #expect(result.layer?.rawValue == vector.expected.layer)
        #expect(result.condition?.rawValue == vector.expected.condition)
    }

    @Test("each image gives its expected verdict", arguments: document?.images.map(\.file) ?? [])
    func image(_ file: String) throws {
        let document = try #require(Self.document)
        let image = try #require(document.images.first { $0.file == file })
        let vector = try #require(document.vectors.first { $0.name == image.code })
        let bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(file)))
        let scan = try Self.verifier(for: vector).verify(imageBytes: bytes, request: Self.request(for: vector))
        #expect(scan.results.map(\.verdict.rawValue) == [image.expected.verdict])
    }
}

