import DL1Compression
import DL1Crypto
import DL1Format

/// A code's text taken apart, layer by layer (FORMAT §1): prefix, Base45, zlib, COSE_Sign1,
/// header rules, claims. Nothing here is trusted yet: the signature is checked by ``Verifier``.
public struct DecodedCode: Sendable {
    /// The text every DL1 code starts with.
    public static let prefix = "DL1:"

    /// The COSE_Sign1 structure, with the signed bytes as received.
    public let sign1: COSESign1
    /// The kid from the protected header.
    public let kid: [UInt8]
    /// The claims from the payload.
    public let claims: DL1Claims
    /// Whether the header's typ says `dl1-bound`: a holder-bound credential (FORMAT §7.1),
    /// whose claims then carry the holder's key (`claims.holderKey`, checked on the curve).
    public let isBound: Bool
    /// The holder's device key of a bound credential, read once (checked on the curve) for the holder step.
    public let holderPublicKey: P256PublicKey?

    /// A decoding failure: the layer, and what was wrong there.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The layer that failed.
        public let layer: DecodeLayer
        /// What was wrong, in words.
        public let detail: String

        /// The layer and the detail, as `layer: detail`.
        public var description: String { "\(layer): \(detail)" }
    }

    /// Decodes a code's text through every layer, stopping at the first that fails.
    public init(text: String) throws(Failure) {
        guard text.utf8.starts(with: Self.prefix.utf8) else {
            throw Failure(layer: .prefix, detail: "the text does not start with \"DL1:\"")
        }
        let compressed: [UInt8]
        do { compressed = try Base45.decode(Substring(text.utf8.dropFirst(Self.prefix.utf8.count))) }
        catch { throw Failure(layer: .base45, detail: error.description) }
        try self.init(compressed: compressed)
    }

    /// Decodes from the zlib layer inwards.
    public init(compressed: [UInt8]) throws(Failure) {
        let coseBytes: [UInt8]
        do { coseBytes = try Zlib.decompress(compressed, limit: Zlib.codeLimit) }
        catch { throw Failure(layer: .zlib, detail: error.description) }
        try self.init(coseBytes: coseBytes, boundRequired: false)
    }

    /// Decodes a bound credential's COSE_Sign1 bytes (a DL2 presentation's first item): the
    /// §5.1 steps from the COSE layer inwards, with typ `dl1-bound` required.
    public init(boundCredential coseBytes: [UInt8]) throws(Failure) {
        try self.init(coseBytes: coseBytes, boundRequired: true)
    }

    /// The COSE, claims and header layers. FORMAT §5: the claims are decoded (step 1) before the
    /// header rules apply (step 2); a typ of dl1-bound makes cnf a required claim (§7.1), and
    /// when `boundRequired` a credential without that typ fails the header rules.
    private init(coseBytes: [UInt8], boundRequired: Bool) throws(Failure) {
        let sign1: COSESign1
        do { sign1 = try COSESign1(decoding: coseBytes) }
        catch { throw Failure(layer: .cose, detail: error.description) }
        guard sign1.signature.count == 64 else {
            throw Failure(layer: .cose, detail: "the signature is \(sign1.signature.count) bytes, not 64 (raw r||s)")
        }
        guard let payload = sign1.payload else { throw Failure(layer: .cose, detail: "the payload is detached (null)") }
        let bound = sign1.protectedValue(DL1Header.typLabel) == .text(DL1Header.boundCredentialType)
        let claims: DL1Claims
        do { claims = try DL1Claims(payload: payload, bound: bound) }
        catch { throw Failure(layer: .claims, detail: error.description) }
        var holderPublicKey: P256PublicKey?
        if let key = claims.holderKey {
            do { holderPublicKey = try P256PublicKey(compressedPoint: key.compressedPoint) }
            catch { throw Failure(layer: .claims, detail: "the cnf key is not a point on the P-256 curve") }
        }
        let header: (kid: [UInt8], bound: Bool)
        do {
            header = boundRequired ? (try DL1Header.validate(sign1, expectedType: DL1Header.boundCredentialType), true)
                                   : try DL1Header.validateCode(sign1)
        } catch { throw Failure(layer: .header, detail: error.description) }
        self.sign1 = sign1
        self.kid = header.kid
        self.claims = claims
        self.isBound = header.bound
        self.holderPublicKey = holderPublicKey
    }

    /// The text of a code whose COSE_Sign1 bytes are `coseBytes`: `"DL1:" + Base45(zlib(cose))`.
    public static func text(coseBytes: [UInt8]) -> String {
        prefix + Base45.encode(Zlib.compressCode(coseBytes))
    }
}
