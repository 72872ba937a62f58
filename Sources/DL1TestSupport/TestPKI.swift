import DL1Crypto
import DL1Format
import DL1Verifier

/// A throw-away two-level PKI for tests and test vectors: a root, a good document signer, and
/// signers that each break one rule of FORMAT §4. NEVER for production.
public struct TestPKI: Sendable {
    /// A private key with its certificate.
    public struct KeyPair: Sendable {
        public let key: P256PrivateKey
        public let certificate: Certificate
        public var kid: [UInt8] { certificate.kid }

        public init(key: P256PrivateKey, certificate: Certificate) {
            self.key = key
            self.certificate = certificate
        }
    }

    public let country: String
    public let authority: String
    public let root: KeyPair
    public let signer: KeyPair

    /// A root valid from `rootFrom` for 15 years and a signer valid `signerFrom` to `signerUntil`.
    public init(country: String = "CN", authority: String = "CN-31", rootFrom: Int64, signerFrom: Int64, signerUntil: Int64) throws {
        self.country = country
        self.authority = authority
        let rootKey = try P256PrivateKey()
        let root = try CertificateBuilder.makeRoot(key: rootKey, subject: .init(country: country, organization: "DL1 TEST ONLY", commonName: "DL1 Test Root \(authority)"),
                                                   notBefore: rootFrom, notAfter: rootFrom + 15 * 366 * 86_400)
        self.root = KeyPair(key: rootKey, certificate: root)
        self.signer = try Self.issueSigner(root: self.root, country: country, ou: authority, from: signerFrom, until: signerUntil)
    }

    /// A PKI from existing key pairs (e.g. read from `keys/`).
    public init(country: String, authority: String, root: KeyPair, signer: KeyPair) {
        self.country = country
        self.authority = authority
        self.root = root
        self.signer = signer
    }

    /// A further signer under `root` with any subject, validity and extensions.
    public static func issueSigner(root: KeyPair, country: String?, ou: String?, from: Int64, until: Int64,
                                   extensions: [(Int32, String)]? = nil, commonName: String = "DL1 Test Document Signer") throws -> KeyPair {
        let key = try P256PrivateKey()
        let subject = CertificateBuilder.Name(country: country ?? "", organization: "DL1 TEST ONLY", organizationalUnit: ou, commonName: commonName)
        let certificate: Certificate
        if let extensions {
            certificate = try CertificateBuilder.make(subject: subject, subjectKey: key.publicKey, issuer: root.certificate, issuerKey: root.key,
                                                      notBefore: from, notAfter: until, extensions: extensions)
        } else {
            certificate = try CertificateBuilder.makeDocumentSigner(publicKey: key.publicKey, subject: subject, root: root.certificate,
                                                                    rootKey: root.key, notBefore: from, notAfter: until)
        }
        return KeyPair(key: key, certificate: certificate)
    }

    /// A signer under this PKI's root.
    public func issueSigner(country: String? = nil, ou: String? = nil, from: Int64? = nil, until: Int64? = nil,
                            extensions: [(Int32, String)]? = nil) throws -> KeyPair {
        try Self.issueSigner(root: root, country: country ?? self.country, ou: ou ?? authority,
                             from: from ?? signer.certificate.notBefore, until: until ?? signer.certificate.notAfter, extensions: extensions)
    }

    /// A trust store with the root and the good signer, plus any extra certificates and CRLs.
    public func trustStore(extra: [Certificate] = [], crls: [CertificateRevocationList] = []) -> TrustStore {
        TrustStore(certificates: [root.certificate, signer.certificate] + extra, revocationLists: crls)
    }
}
