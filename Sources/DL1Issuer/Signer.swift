import DL1Crypto
import DL1Format

/// Anything that can sign bytes as a document signer: a key file today, a PKCS#11 token or a
/// remote service tomorrow. Signing is in two steps around it: ``CodeSigner/prepare`` gives the
/// bytes, the signer signs them, ``CodeSigner/complete`` assembles the COSE_Sign1.
public protocol DocumentSigner: Sendable {
    /// The DL1 kid of the signer's certificate.
    var kid: [UInt8] { get }
    /// The signer's certificate.
    var certificate: Certificate { get }
    /// An ECDSA P-256/SHA-256 signature of `bytes`, raw `r || s`.
    func sign(_ bytes: [UInt8]) throws -> [UInt8]
}

/// A document signer: its certificate and a key that signs for it (a key file or a token key).
public struct KeySigner: DocumentSigner {
    public let certificate: Certificate
    private let key: any RawSigner

    /// A signer from its certificate and key (which must match).
    public init(certificate: Certificate, key: any RawSigner) throws(IssuerError) {
        guard certificate.publicKey?.spkiDER == key.publicKey.spkiDER else {
            throw IssuerError("the private key does not match the document-signer certificate \(certificate.subject)")
        }
        self.certificate = certificate
        self.key = key
    }

    public var kid: [UInt8] { certificate.kid }

    public func sign(_ bytes: [UInt8]) throws -> [UInt8] { try key.sign(bytes) }
}

/// Builds COSE_Sign1 structures under the DL1 header rules, in two steps.
public enum CodeSigner {
    /// The protected header and the bytes to be signed for `payload`.
    public static func prepare(payload: [UInt8], kid: [UInt8], typ: String? = nil) -> (protectedHeader: [CBORMapEntry], toBeSigned: [UInt8]) {
        let header = DL1Header.protectedHeader(kid: kid, typ: typ)
        let protectedBytes = CBOREncoder.encode(.map(header))
        return (header, COSESign1.toBeSigned(protectedBytes: protectedBytes, payload: payload))
    }

    /// The tagged COSE_Sign1 bytes once the signature is known.
    public static func complete(protectedHeader: [CBORMapEntry], payload: [UInt8], signature: [UInt8]) -> [UInt8] {
        COSESign1(protectedHeader: protectedHeader, payload: payload, signature: signature).encoded()
    }

    /// prepare → sign → complete in one call.
    public static func sign(payload: [UInt8], with signer: any DocumentSigner, typ: String? = nil) throws -> [UInt8] {
        let prepared = prepare(payload: payload, kid: signer.kid, typ: typ)
        let signature = try signer.sign(prepared.toBeSigned)
        return complete(protectedHeader: prepared.protectedHeader, payload: payload, signature: signature)
    }
}
