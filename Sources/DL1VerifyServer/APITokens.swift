import DL1Crypto
import DL1Format
import DL1ServiceAPI
import DL1Verifier
import Foundation

/// The API tokens a counter service accepts, stored as SHA-256 hashes: one line per token,
/// `sha256:<64 hex digits> <label>`, `#` starting a comment. The token itself is shown once,
/// when it is made, and is never stored.
public struct APITokens: Sendable {
    /// The hashes, each with its label.
    public let labels: [[UInt8]: String]

    /// Why a token file cannot be used.
    public struct FileError: Error, Sendable, CustomStringConvertible {
        public enum Code: String, Sendable {
            case unreadable
            case malformed
            case labelInvalid = "label-invalid"
            case unwritable
        }
        public let code: Code
        public let description: String
    }

    /// The largest token file read, and the most tokens in it.
    public static let maxFileBytes = 1024 * 1024
    public static let maxTokens = 10_000

    public init(labels: [[UInt8]: String]) { self.labels = labels }

    /// Reads a token file.
    public static func load(file path: String) throws(FileError) -> APITokens {
        let bytes: [UInt8]
        do { bytes = try VerifierSetup.read(path, limit: maxFileBytes, what: "API token file") } catch {
            throw FileError(code: .unreadable, description: error.description)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw FileError(code: .malformed, description: "the API token file \(path) is not UTF-8 text")
        }
        var labels: [[UInt8]: String] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.isEmpty || content.hasPrefix("#") { continue }
            let parts = content.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts[0].hasPrefix("sha256:"), let hash = Hex.decode(String(parts[0].dropFirst(7))), hash.count == 32 else {
                throw FileError(code: .malformed, description: "\(path), line \(number + 1): expected 'sha256:<64 hex digits> <label>'")
            }
            guard labels.count < maxTokens else {
                throw FileError(code: .malformed, description: "\(path) holds more than \(maxTokens) tokens")
            }
            labels[hash] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        }
        return APITokens(labels: labels)
    }

    /// Whether an `Authorization` header carries one of the tokens (`Bearer <token>`).
    public func accepts(authorization: String?) -> Bool {
        guard let authorization, authorization.utf8.count <= 512 else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        // Looked up by hash: the time taken depends on the hash, not on how much of a token matched.
        return labels[SHA256.hash(Array(parts[1].trimmingCharacters(in: .whitespaces).utf8))] != nil
    }

    /// Makes a token: 32 random bytes, base64url, and the line that stores its hash.
    public static func make(label: String) throws(FileError) -> (token: String, line: String) {
        guard !label.isEmpty, label.utf8.count <= 64,
              label.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-@".unicodeScalars.contains($0) }) else {
            throw FileError(code: .labelInvalid, description: "the label '\(TextSafety.sanitized(label))' must be 1 to 64 letters, digits, '.', '_', '-' or '@'")
        }
        let token = "dl1_" + Base64URL.encode(SecureRandom.bytes(32))
        return (token, "sha256:\(Hex.encode(SHA256.hash(Array(token.utf8)))) \(label)")
    }

    /// Adds a line to a token file (made with mode 0600 if missing), replacing the file
    /// atomically so a crash leaves the old or the new file, never half of one.
    public static func append(_ line: String, to path: String) throws(FileError) {
        let fm = FileManager.default
        var existing: [UInt8] = []
        if fm.fileExists(atPath: path) {
            do { existing = try VerifierSetup.read(path, limit: maxFileBytes, what: "API token file") } catch {
                throw FileError(code: .unreadable, description: error.description)
            }
            if let last = existing.last, last != UInt8(ascii: "\n") { existing.append(UInt8(ascii: "\n")) }
        }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString)")
        guard fm.createFile(atPath: temporary.path, contents: Data(existing + Array((line + "\n").utf8)), attributes: [.posixPermissions: 0o600]) else {
            throw FileError(code: .unwritable, description: "cannot write the API token file \(path)")
        }
        guard rename(temporary.path, path) == 0 else {
            try? fm.removeItem(at: temporary)
            throw FileError(code: .unwritable, description: "cannot replace the API token file \(path)")
        }
    }
}
