import DL1Crypto
import DL1Format
import DL1TestSupport
import DL1Verifier
import Foundation
import Testing

/// A bundle's certificates are kept as DER and parsed when a code or a token first asks for
/// their kid (a national bundle holds a thousand signers; a verification needs one).
@Suite("A bundle's certificates, parsed when their kid is asked for")
struct BundleCertificatesTests {
    static func bundle(_ certificates: [[UInt8]]) -> HandheldBundle {
        HandheldBundle(created: Fixture.now, certificates: certificates, revocationLists: [], statusTokens: [])
    }

    @Test("Found by kid and chained to the pinned root; every caller and thread gets the same certificate; codes verify")
    func foundByKid() throws {
        let pki = Fixture.pki
        let others = try (0..<20).map { i in try pki.issueSigner(ou: "CN-31-\(i)") }
        let store = TrustStore(certificates: [pki.root.certificate])
            .adding(Self.bundle(others.map(\.certificate.der) + [pki.signer.certificate.der]))
        #expect(store.warnings.isEmpty)
        let seen = Seen()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in seen.add(store.certificates(forKid: pki.signer.kid)) }
        let found = store.certificates(forKid: pki.signer.kid)
        #expect(found.count == 1 && found.first?.der == pki.signer.certificate.der)
        #expect(seen.identities == [ObjectIdentifier(try #require(found.first))])
        #expect(store.root(issuing: try #require(found.first)) === pki.root.certificate)
        #expect(store.roots.count == 1)
        #expect(store.certificates.count == 22)
        #expect(try Fixture.verifier(trust: store).verify(text: Fixture.goodCode()).verdict == .valid)
        // A second bundle keeps what the first brought (and a repeated certificate once).
        let more = store.adding(Self.bundle([pki.signer.certificate.der, try pki.issueSigner(ou: "CN-31-x").certificate.der]))
        #expect(more.certificates(forKid: pki.signer.kid).count == 1)
        #expect(more.certificates.count == 23)
        #expect(try Fixture.verifier(trust: more).verify(text: Fixture.goodCode()).verdict == .valid)
    }

    @Test("A signer that no pinned root issued is found but not trusted")
    func foreignSigner() throws {
        let other = try TestPKI(rootFrom: Fixture.now - 1000, signerFrom: Fixture.now - 1000, signerUntil: Fixture.now + 1000)
        let store = TrustStore(certificates: [Fixture.pki.root.certificate]).adding(Self.bundle([other.signer.certificate.der]))
        let found = try #require(store.certificates(forKid: other.signer.kid).first)
        #expect(store.root(issuing: found) == nil)
        let code = try Fixture.factory.text(Fixture.factory.claims(), signer: other.signer)
        #expect(try Fixture.verifier(trust: store).verify(text: code).verdict == .untrustedSigner)
    }

    @Test("An item not shaped as a DER certificate is skipped with a warning; one shaped so that OpenSSL refuses is never found")
    func damaged() throws {
        let shaped: [UInt8] = [0x30, 0x02, 0x30, 0x00]
        let nonMinimal: [UInt8] = [0x30, 0x81, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00]
        let store = TrustStore(certificates: [Fixture.pki.root.certificate])
            .adding(Self.bundle([[1, 2, 3], shaped, Fixture.pki.signer.certificate.der, nonMinimal, [0x30, 0x03, 0x02, 0x01, 0x00]]))
        #expect(store.warnings == [
            "bundle: certificate 1 skipped: not a DER certificate (3 bytes that are not one SEQUENCE)",
            "bundle: certificate 4 skipped: not a DER certificate (8 bytes that are not one SEQUENCE)",
            "bundle: certificate 5 skipped: not a DER certificate (no to-be-signed SEQUENCE inside)",
        ])
        #expect(store.certificates(forKid: Array(SHA256.hash(shaped).prefix(8))).isEmpty)
        #expect(store.certificates.map(\.der) == [Fixture.pki.root.certificate.der, Fixture.pki.signer.certificate.der])
        #expect(try Fixture.verifier(trust: store).verify(text: Fixture.goodCode()).verdict == .valid)
    }
}

/// The certificates several threads were given, by identity.
private final class Seen: @unchecked Sendable {
    private let lock = NSLock()
    private var seen = Set<ObjectIdentifier>()
    func add(_ certificates: [Certificate]) {
        lock.lock(); defer { lock.unlock() }
        certificates.forEach { seen.insert(ObjectIdentifier($0)) }
    }
    var identities: Set<ObjectIdentifier> { lock.lock(); defer { lock.unlock() }; return seen }
}
