import DL1Crypto
import DL1PKCS11
import DL1TestSupport
import Foundation
import Testing

/// Signing inside a SoftHSM2 token: keys generated there sign certificates, CRLs and data that
/// verify, and the private key cannot be read out.
@Suite("PKCS#11 through SoftHSM2", .serialized)
struct PKCS11Tests {
    func token() throws -> PKCS11Token {
        let module = try #require(SoftHSMFixture.module, "SoftHSM2 is not installed (apt-get install softhsm2)")
        let label = try #require(SoftHSMFixture.token("dl1-crypto"), "could not create a SoftHSM2 token")
        return try PKCS11Token(modulePath: module, tokenLabel: label, pin: SoftHSMFixture.pin)
    }

    @Test("a key generated in the token signs verifiably and cannot be exported")
    func signAndProtect() throws {
        let token = try token()
        let key = try token.generateKey(label: "test-\(UUID().uuidString)")
        let message = Array("licence".utf8)
        let signature = try key.sign(message)
        #expect(signature.count == 64 && key.publicKey.isValidSignature(signature, for: message))
        #expect(try token.privateValueIsReadable(label: key.label) == false)
        let again = try token.key(label: key.label)
        #expect(again.publicKey.spkiDER == key.publicKey.spkiDER)
    }

    @Test("certificates and CRLs signed by a token key verify")
    func certificates() throws {
        let token = try token()
        let rootKey = try token.generateKey(label: "root-\(UUID().uuidString)")
        let root = try CertificateBuilder.makeRoot(key: rootKey, subject: .init(country: "CN", commonName: "HSM Root"), notBefore: 0, notAfter: 2_000_000_000)
        #expect(root.isSelfSigned && root.isCA)
        let ds = try CertificateBuilder.makeDocumentSigner(publicKey: try P256PrivateKey().publicKey,
                                                           subject: .init(country: "CN", organizationalUnit: "CN-31", commonName: "DS"),
                                                           root: root, rootKey: rootKey, notBefore: 0, notAfter: 1_900_000_000)
        #expect(ds.isIssued(by: root))
        let crl = try CertificateRevocationList.make(root: root, rootKey: rootKey, number: 1, entries: [(ds, 1000, .keyCompromise)],
                                                     thisUpdate: 1000, nextUpdate: 2000)
        #expect(crl.isIssued(by: root) && crl.entry(for: ds)?.reason == .keyCompromise)
    }

    @Test("a wrong PIN and an unknown token are clear errors")
    func errors() throws {
        let module = try #require(SoftHSMFixture.module)
        let label = try #require(SoftHSMFixture.token("dl1-crypto"))
        #expect(throws: PKCS11Error.self) { try PKCS11Token(modulePath: module, tokenLabel: label, pin: "000000") }
        #expect(throws: PKCS11Error.self) { try PKCS11Token(modulePath: module, tokenLabel: "nope", pin: SoftHSMFixture.pin) }
        #expect(throws: PKCS11Error.self) { try PKCS11Token(modulePath: "/nonexistent.so", tokenLabel: "x", pin: "1") }
    }

    @Test("encrypted PKCS#8: the right passphrase reads it, a wrong one is refused")
    func encryptedKeys() throws {
        let key = try P256PrivateKey()
        let pem = try key.pkcs8PEM(passphrase: "correct horse")
        #expect(P256PrivateKey.isEncrypted(pem: pem))
        #expect(try P256PrivateKey(pem: pem, passphrase: "correct horse").publicKey.spkiDER == key.publicKey.spkiDER)
        #expect(throws: CryptoError.self) { try P256PrivateKey(pem: pem, passphrase: "wrong") }
        #expect(throws: CryptoError.self) { try P256PrivateKey(pem: pem) }
    }
}
