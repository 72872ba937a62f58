import DL1Crypto
import Foundation
import Testing

@Suite("X.509: the DL1 PKI")
struct CertificateTests {
    let now: Int64 = 1_790_000_000

    @Test("a root and a document signer carry the facts FORMAT §4 asks for")
    func rootAndSigner() throws {
        let rootKey = try P256PrivateKey()
        let root = try CertificateBuilder.makeRoot(key: rootKey, subject: .init(country: "CN", organization: "Test", commonName: "Root"),
                                                   notBefore: now - 10, notAfter: now + 1000)
        let dsKey = try P256PrivateKey()
        let ds = try CertificateBuilder.makeDocumentSigner(publicKey: dsKey.publicKey,
                                                           subject: .init(country: "CN", organizationalUnit: "CN-31", commonName: "DS"),
                                                           root: root, rootKey: rootKey, notBefore: now, notAfter: now + 500)
        #expect(root.isCA && root.isSelfSigned && !root.allowsDigitalSignature)
        #expect(!ds.isCA && ds.allowsDigitalSignature && ds.hasKeyUsage)
        #expect(ds.isIssued(by: root) && !root.isIssued(by: ds) && !ds.isSelfSigned)
        #expect(ds.subjectCountries == ["CN"] && ds.subjectOrganizationalUnits == ["CN-31"])
        #expect(ds.notBefore == now && ds.notAfter == now + 500)
        #expect(ds.isValid(at: now) && !ds.isValid(at: now + 501) && !ds.isValid(at: now - 1))
        #expect(ds.kid.count == 8 && ds.kid == Array(SHA256.hash(ds.der).prefix(8)))
        let reread = try Certificate.parseAll(pem: try root.pem() + ds.pem())
        #expect(reread.map(\.der) == [root.der, ds.der])
        #expect(try Certificate(der: ds.der).der == ds.der)
        #expect(throws: CryptoError.self) { try Certificate(der: ds.der + [0]) }
    }

    @Test("a CRL lists a withdrawn signer with its date and reason, and counts only for its root")
    func crl() throws {
        let rootKey = try P256PrivateKey(), otherKey = try P256PrivateKey()
        let root = try CertificateBuilder.makeRoot(key: rootKey, subject: .init(country: "CN", commonName: "Root"), notBefore: now, notAfter: now + 1000)
        let other = try CertificateBuilder.makeRoot(key: otherKey, subject: .init(country: "CN", commonName: "Other"), notBefore: now, notAfter: now + 1000)
        let ds = try CertificateBuilder.makeDocumentSigner(publicKey: try P256PrivateKey().publicKey,
                                                           subject: .init(country: "CN", organizationalUnit: "CN-31", commonName: "DS"),
                                                           root: root, rootKey: rootKey, notBefore: now, notAfter: now + 500)
        let crl = try CertificateRevocationList.make(root: root, rootKey: rootKey, number: 1,
                                                     entries: [(ds, now + 100, .keyCompromise)], thisUpdate: now + 100, nextUpdate: now + 200)
        #expect(crl.isIssued(by: root) && !crl.isIssued(by: other))
        let entry = try #require(crl.entry(for: ds))
        #expect(entry.date == now + 100 && entry.reason == .keyCompromise)
        #expect(crl.entry(for: root) == nil)
        let reread = try CertificateRevocationList.parseAll(pem: try crl.pem())
        #expect(reread.first?.der == crl.der)
    }

    @Test("keys round-trip through PKCS#8 PEM and sign verifiably")
    func keys() throws {
        let key = try P256PrivateKey()
        let pem = try key.pkcs8PEM()
        #expect(String(decoding: pem, as: UTF8.self).hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let again = try P256PrivateKey(pem: pem)
        let message = Array("licence".utf8)
        let signature = try again.sign(message)
        #expect(signature.count == 64)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(signature, for: message + [0]))
        #expect(!key.publicKey.isValidSignature(Array(signature.prefix(63)), for: message))
        #expect(throws: CryptoError.self) { try P256PrivateKey(pem: Array("not a key".utf8)) }
    }

    @Test("SHA-256 of the empty string and of abc")
    func sha256() {
        #expect(SHA256.hash([]).map { String(format: "%02x", $0) }.joined() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash(Array("abc".utf8)).map { String(format: "%02x", $0) }.joined() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
