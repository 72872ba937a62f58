import DL1Compression
import DL1Crypto
import DL1Format
import DL1Verifier
import Foundation

/// A holder-bound credential (FORMAT §7.1) as the issuer delivers it: `DL1:` text whose
/// COSE_Sign1 carries typ `dl1-bound` and the device key in cnf. Decoded here; its issuer
/// signature is checked by a ``Verifier`` when a trust store is at hand.
public struct BoundCredential: Sendable, Hashable {
    /// The `DL1:` text as received.
    public let text: String
    /// The exact COSE_Sign1 bytes a presentation carries.
    public let coseBytes: [UInt8]
    /// The claims (with ``DL1Claims/holderKey`` set).
    public let claims: DL1Claims

    /// The device key the credential is bound to.
    public var holderKey: HolderKey { claims.holderKey! }
    /// The credential id, as lower-case hex.
    public var id: String { Hex.encode(claims.credentialID) }

    /// Decodes a bound credential's text; plain DL1 codes and anything malformed are refused.
    public init(text: String) throws(HolderError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.utf8.count <= 8192 else { throw HolderError(.notBoundCredential, "the credential text is longer than 8192 characters") }
        let decoded: DecodedCode
        do { decoded = try DecodedCode(text: trimmed) } catch {
            throw HolderError(.notBoundCredential, "not a DL1 credential (\(error.layer.rawValue): \(error.detail))")
        }
        guard decoded.isBound, decoded.claims.holderKey != nil else {
            throw HolderError(.notBoundCredential, "this is a plain DL1 code, not a credential bound to a device (its header has no typ dl1-bound)")
        }
        // The exact bytes the issuer signed and compressed (decoding them just succeeded).
        guard let compressed = try? Base45.decode(Substring(trimmed.utf8.dropFirst(DecodedCode.prefix.utf8.count))),
              let cose = try? Zlib.decompress(compressed, limit: Zlib.codeLimit) else {
            throw HolderError(.notBoundCredential, "the credential text cannot be read")
        }
        self.text = trimmed
        self.coseBytes = cose
        self.claims = decoded.claims
    }

    /// Whether the credential is bound to `key`.
    public func isBound(to key: P256PublicKey) -> Bool { holderKey.compressedPoint == key.compressedPoint }
}

