import DL1Compression
import DL1Crypto
import DL1Format
import DL1TestSupport
import DL1Verifier
import Testing

/// Every verdict of FORMAT §5, each asserting the exact verdict, check and layer or condition.
@Suite("FORMAT §5: every verdict")
struct VerdictTests {
    let pki = Fixture.pki
    let factory = Fixture.factory
    let now = Fixture.now

    func verify(_ text: String, verifier: Verifier? = nil, request: Verifier.Request = .init(), at: Int64? = nil) throws -> VerificationResult {
        try (verifier ?? Fixture.verifier()).verify(text: text, request: request, at: at ?? now)
    }

    @Test("a good code is VALID with its licence, points and status")
    func valid() throws {
        let result = try verify(try Fixture.goodCode())
        #expect(result.verdict == .valid && result.check == nil)
        #expect(result.licence?.familyName == "张" && result.licence?.points.remaining == 9)
        #expect(result.status?.value == .valid && result.status?.listIssuedAt == now)
    }

    // MARK: MALFORMED, one per layer

    func malformed(_ text: String) throws -> DecodeLayer? {
        let result = try verify(text)
        #expect(result.verdict == .malformed && result.check == .decode && result.claims == nil)
        return result.layer
    }

    @Test("MALFORMED prefix: another format, a lower-case prefix, an empty text")
    func prefix() throws {
        var knobs = CodeFactory.Knobs()
        knobs.prefix = "HC1:"
        #expect(try malformed(try factory.text(factory.claims(), signer: pki.signer, knobs: knobs)) == .prefix)
        #expect(try malformed("dl1:ABC") == .prefix)
        #expect(try malformed("") == .prefix)
    }

    @Test("MALFORMED base45: lower case, a line end, a length of 3n+1, a group out of range")
    func base45() throws {
        let good = try Fixture.goodCode()
        #expect(try malformed(good.lowercased().replacingOccurrences(of: "dl1:", with: "DL1:")) == .base45)
        #expect(try malformed(good + "\n") == .base45)
        // Pad the Base45 part to a length of 3n+1 whatever its length is (it is 3n or 3n+2).
        let base45Length = good.utf8.count - 4
        #expect(base45Length % 3 != 1)
        #expect(try malformed(good + String(repeating: "A", count: (4 - base45Length % 3) % 3)) == .base45)
        #expect(try malformed("DL1:GGW") == .base45)
        #expect(try malformed("DL1:0000") == .base45)
    }

    @Test("MALFORMED zlib: not zlib, a bad checksum, bytes after the stream, over 64 KiB inflated")
    func zlib() throws {
        #expect(try malformed("DL1:" + Base45.encode(CBOREncoder.encode(.text("raw cbor")))) == .zlib)
        var knobs = CodeFactory.Knobs()
        knobs.alterZlib = { var z = $0; z[z.count - 1] ^= 1; return z }
        #expect(try malformed(try factory.text(factory.claims(), signer: pki.signer, knobs: knobs)) == .zlib)
        knobs.alterZlib = { $0 + [0] }
        #expect(try malformed(try factory.text(factory.claims(), signer: pki.signer, knobs: knobs)) == .zlib)
        #expect(try malformed("DL1:" + Base45.encode(Zlib.compress([UInt8](repeating: 0x41, count: 65_537)))) == .zlib)
    }

    @Test("exactly 65,536 inflated bytes pass the zlib layer (and fail later, at cose)")
    func zlibExactCap() throws {
        #expect(try malformed("DL1:" + Base45.encode(Zlib.compress([UInt8](repeating: 0x41, count: 65_536)))) == .cose)
    }

    @Test("MALFORMED cose: tag 61 (CWT), not an array, bytes after it, a bad protected header, a 63-byte or DER signature")
    func cose() throws {
        var knobs = CodeFactory.Knobs()
        knobs.tag = 61
        #expect(try malformed(try factory.text(factory.claims(), signer: pki.signer, knobs: knobs)) == .cose)
        #expect(try malformed("DL1:" + Base45.encode(Zlib.compress(CBOREncoder.encode(.map([]))))) == .cose)
        knobs = CodeFactory.Knobs()
        knobs.alterCOSE = { $0 + [0] }
        #expect(try malformed(try factory.text(factory.claims(), signer: pki.signer, knobs: knobs)) == .cose)
        knobs = CodeFactory.Knobs()
        knobs.protectedBytes = [0xa1, 0x01]
        #expect(try malformed(try factory.text(factory.claims(), signer: pki.signer, knobs: knobs)) == .cose)
        knobs.protectedBytes = CBOREncoder.encode(.array([1, -7]))
        #expect(try malformed(try factory.text(factory.claims(), signer: pki.signer, knobs: knobs)) == .cose)
        knobs = CodeFactory.Knobs()
        knobs.alterSignature = { Array($0.prefix(63)) }
        #expect(try malformed(try factory.text(factory.claims(), signer: pki.signer, knobs: knobs)) == .cose)
        knobs.alterSignature = { [0x30, 0x44, 0x02, 0x20] + $0.prefix(32) + [0x02, 0x20] + $0.suffix(32) }
        #expect(try malformed(try factory.text(factory.claims(), signer: pki.signer, knobs: knobs)) == .cose)
    }

    @Test("MALFORMED claims: not CBOR, not a map, a missing or mistyped claim or licence field")
    func claims() throws {
        func withPayload(_ payload: [UInt8]) throws -> String {
            var knobs = CodeFactory.Knobs()
            knobs.payload = payload
            return try factory.text(factory.claims(), signer: pki.signer, knobs: knobs)
        }
        let full = factory.claims().cbor
        func without(_ key: Int64) -> [UInt8] {
            CBOREncoder.encode(.map(full.mapEntries!.filter { $0.key != .int(key) }))
        }
        func replacing(_ key: Int64, with value: CBOR) -> [UInt8] {
            CBOREncoder.encode(.map(full.mapEntries!.map { $0.key == .int(key) ? CBORMapEntry($0.key, value) : $0 }))
        }
        #expect(try malformed(try withPayload([0xff])) == .claims)
        #expect(try malformed(try withPayload(CBOREncoder.encode([1, 2]))) == .claims)
        for key: Int64 in [1, 4, 6, 7, 65535, -65537] {
            #expect(try malformed(try withPayload(without(key))) == .claims, "claim \(key) missing")
        }
        #expect(try malformed(try withPayload(replacing(6, with: .int(-5)))) == .claims)
        #expect(try malformed(try withPayload(replacing(7, with: .bytes([1, 2, 3])))) == .claims)
        var licence = factory.licence().cbor.mapEntries!
        licence.removeAll { $0.key == 10 }
        #expect(try malformed(try withPayload(replacing(-65537, with: .map(licence)))) == .claims)
        licence = factory.licence().cbor.mapEntries!.map { $0.key == 9 ? CBORMapEntry(9, .array([])) : $0 }
        #expect(try malformed(try withPayload(replacing(-65537, with: .map(licence)))) == .claims)
        licence = factory.licence().cbor.mapEntries!.map { $0.key == 4 ? CBORMapEntry(4, .text("1990-01-01")) : $0 }
        #expect(try malformed(try withPayload(replacing(-65537, with: .map(licence)))) == .claims)
        // A birth date of 100(-2^63): the day-count check once trapped on it (abs of Int64.min).
        licence = factory.licence().cbor.mapEntries!.map { $0.key == 4 ? CBORMapEntry(4, .tagged(100, .negative(UInt64(Int64.max)))) : $0 }
        #expect(try malformed(try withPayload(replacing(-65537, with: .map(licence)))) == .claims)
        // The same found by a reviewer as a whole code: unsigned, empty header, zero signature.
        #expect(try malformed("DL1:NCFOXNRTSG64TZDHPCGN0EH0AL0+*0HP2TAWT7O-WNXS4: K/47%05:DNFDA--C.T0*KE3DACLCOT28J4NVOY5POU8$ZO./I0D5K4VK84NQOFFG000ST36V3") == .claims)
    }

    @Test("unknown claim keys and unknown licence keys are ignored")
    func forwardCompatible() throws {
        var knobs = CodeFactory.Knobs()
        var licence = factory.licence().cbor.mapEntries!
        licence.append(.init(99, "future"))
        var claims = factory.claims().cbor.mapEntries!.map { $0.key == .int(-65537) ? CBORMapEntry($0.key, .map(licence)) : $0 }
        claims.append(.init(500, "extra claim"))
        knobs.payload = CBOREncoder.encode(.map(claims))
        #expect(try verify(try factory.text(factory.claims(), signer: pki.signer, knobs: knobs)).verdict == .valid)
    }

    @Test("MALFORMED header: no alg, another alg, alg unprotected, kid missing or not 8 bytes, an extra label, a typ")
    func header() throws {
        let kid = pki.signer.kid
        let cases: [(String, [CBORMapEntry], [CBORMapEntry])] = [
            ("no alg", [.init(4, .bytes(kid))], []),
            ("ES384", [.init(1, -35), .init(4, .bytes(kid))], []),
            ("alg as text", [.init(1, "ES256"), .init(4, .bytes(kid))], []),
            ("alg unprotected", [.init(4, .bytes(kid))], [.init(1, -7)]),
            ("kid unprotected", [.init(1, -7)], [.init(4, .bytes(kid))]),
            ("no kid", [.init(1, -7)], []),
            ("kid of 7 bytes", [.init(1, -7), .init(4, .bytes(Array(kid.prefix(7))))], []),
            ("kid as text", [.init(1, -7), .init(4, "abcdefgh")], []),
            ("extra label", [.init(1, -7), .init(4, .bytes(kid)), .init(3, 0)], []),
            ("typ on a code", [.init(1, -7), .init(4, .bytes(kid)), .init(16, "application/statuslist+cwt")], []),
            ("unprotected label", [.init(1, -7), .init(4, .bytes(kid))], [.init(33, .bytes([1]))]),
        ]
        for (name, protected, unprotected) in cases {
            var knobs = CodeFactory.Knobs()
            knobs.protectedHeader = protected
            knobs.unprotectedHeader = unprotected
            #expect(try malformed(try factory.text(factory.claims(), signer: pki.signer, knobs: knobs)) == .header, "\(name)")
        }
    }

    // MARK: Signer and signature

    @Test("UNKNOWN_SIGNER: a kid absent from the trust folder")
    func unknownSigner() throws {
        let stranger = try TestPKI(rootFrom: now - 10 * Fixture.day, signerFrom: now - Fixture.day, signerUntil: now + Fixture.day)
        let result = try verify(try factory.text(factory.claims(), signer: stranger.signer))
        #expect(result.verdict == .unknownSigner && result.check == .signer && result.claims == nil)
        #expect(result.signer?.kid == Hex.encode(stranger.signer.kid))
    }

    @Test("BAD_SIGNATURE: a flipped signature bit, altered claims, the right kid with another key")
    func badSignature() throws {
        var knobs = CodeFactory.Knobs()
        knobs.alterSignature = { var s = $0; s[10] ^= 0x01; return s }
        var result = try verify(try factory.text(factory.claims(), signer: pki.signer, knobs: knobs))
        #expect(result.verdict == .badSignature && result.check == .signature && result.claims == nil)
        let impostor = TestPKI.KeyPair(key: try P256PrivateKey(), certificate: pki.signer.certificate)
        result = try verify(try factory.text(factory.claims(), signer: impostor))
        #expect(result.verdict == .badSignature)
        knobs = CodeFactory.Knobs()
        knobs.alterSignature = { _ in [UInt8](repeating: 0, count: 64) }
        result = try verify(try factory.text(factory.claims(), signer: pki.signer, knobs: knobs))
        #expect(result.verdict == .badSignature)
    }

    // MARK: UNTRUSTED_SIGNER, one per condition

    func untrusted(_ signer: TestPKI.KeyPair, claims: DL1Claims? = nil, trust: TrustStore? = nil) throws -> TrustCondition? {
        let verifier = try Fixture.verifier(trust: trust ?? pki.trustStore(extra: [signer.certificate]))
        let result = try verify(try factory.text(claims ?? factory.claims(), signer: signer), verifier: verifier)
        #expect(result.verdict == .untrustedSigner && result.check == .trust, "\(result.verdict): \(result.reason)")
        return result.condition
    }

    @Test("UNTRUSTED_SIGNER chain: a signer whose root is not trusted")
    func chain() throws {
        let other = try TestPKI(rootFrom: now - 10 * Fixture.day, signerFrom: now - Fixture.day, signerUntil: now + Fixture.day)
        #expect(try untrusted(other.signer) == .chain)
    }

    @Test("UNTRUSTED_SIGNER ds: CA:TRUE, no keyUsage, keyUsage without digitalSignature, the root itself")
    func ds() throws {
        #expect(try untrusted(try pki.issueSigner(extensions: [(ExtensionNID.basicConstraints, "critical,CA:TRUE"),
                                                               (ExtensionNID.keyUsage, "critical,digitalSignature,keyCertSign")])) == .ds)
        #expect(try untrusted(try pki.issueSigner(extensions: [(ExtensionNID.basicConstraints, "critical,CA:FALSE")])) == .ds)
        #expect(try untrusted(try pki.issueSigner(extensions: [(ExtensionNID.basicConstraints, "critical,CA:FALSE"),
                                                               (ExtensionNID.keyUsage, "critical,keyEncipherment")])) == .ds)
        #expect(try untrusted(pki.root) == .ds)
    }

    @Test("UNTRUSTED_SIGNER validity: signed before or after the signer's validity; checked at iat, not now")
    func validity() throws {
        let later = try pki.issueSigner(from: now + Fixture.day, until: now + 300 * Fixture.day)
        #expect(try untrusted(later) == .validity)
        let expired = try pki.issueSigner(from: now - 300 * Fixture.day, until: now - 10 * Fixture.day)
        #expect(try untrusted(expired) == .validity)
        // Signed while the certificate was valid: a printed card outlives its signer's certificate.
        let printed = factory.claims(iat: now - 20 * Fixture.day, exp: now + 1000 * Fixture.day)
        let verifier = try Fixture.verifier(trust: pki.trustStore(extra: [expired.certificate]))
        #expect(try verify(try factory.text(printed, signer: expired), verifier: verifier).verdict == .valid)
    }

    @Test("UNTRUSTED_SIGNER withdrawn: a CRL from the root lists the signer, naming date and reason")
    func withdrawn() throws {
        let crl = try CertificateRevocationList.make(root: pki.root.certificate, rootKey: pki.root.key, number: 1,
                                                     entries: [(pki.signer.certificate, now - Fixture.day, .keyCompromise)],
                                                     thisUpdate: now - Fixture.day, nextUpdate: now - 1)
        let verifier = try Fixture.verifier(trust: pki.trustStore(crls: [crl]))
        let result = try verify(try Fixture.goodCode(), verifier: verifier)
        #expect(result.verdict == .untrustedSigner && result.condition == .withdrawn)
        #expect(result.reason.contains("keyCompromise") && result.reason.contains("2026-05-31"))
        // A CRL signed by another root does not count; a certificateHold does not withdraw.
        let other = try TestPKI(rootFrom: now - 10 * Fixture.day, signerFrom: now - Fixture.day, signerUntil: now + Fixture.day)
        let foreign = try CertificateRevocationList.make(root: other.root.certificate, rootKey: other.root.key, number: 1,
                                                         entries: [(pki.signer.certificate, now - Fixture.day, .keyCompromise)],
                                                         thisUpdate: now - Fixture.day, nextUpdate: now + Fixture.day)
        #expect(try verify(try Fixture.goodCode(), verifier: try Fixture.verifier(trust: pki.trustStore(crls: [foreign]))).verdict == .valid)
        let hold = try CertificateRevocationList.make(root: pki.root.certificate, rootKey: pki.root.key, number: 2,
                                                      entries: [(pki.signer.certificate, now - Fixture.day, .certificateHold)],
                                                      thisUpdate: now - Fixture.day, nextUpdate: now + Fixture.day)
        #expect(try verify(try Fixture.goodCode(), verifier: try Fixture.verifier(trust: pki.trustStore(crls: [hold]))).verdict == .valid)
    }

    @Test("UNTRUSTED_SIGNER country: the licence's country differs from the signer's C; two C values")
    func country() throws {
        let claims = factory.claims(licence: factory.licence(country: "DE"))
        let result = try verify(try factory.text(claims, signer: pki.signer))
        #expect(result.verdict == .untrustedSigner && result.condition == .country)
        #expect(try untrusted(try pki.issueSigner(country: "DE")) == .country)
    }

    @Test("UNTRUSTED_SIGNER authority: iss differs from the signer's OU; a signer without OU")
    func authority() throws {
        let result = try verify(try factory.text(factory.claims(iss: "CN-11"), signer: pki.signer))
        #expect(result.verdict == .untrustedSigner && result.condition == .authority)
        let noOU = try TestPKI.issueSigner(root: pki.root, country: "CN", ou: nil, from: now - Fixture.day, until: now + Fixture.day)
        #expect(try untrusted(noOU) == .authority)
    }

    @Test("several certificates share a kid: the one that verifies and passes is used")
    func sharedKid() throws {
        // A certificate cannot be forged to share a kid; two copies of one certificate can.
        let verifier = try Fixture.verifier(trust: pki.trustStore(extra: [try Certificate(der: pki.signer.certificate.der)]))
        #expect(try verify(try Fixture.goodCode(), verifier: verifier).verdict == .valid)
    }

    // MARK: Time

    @Test("NOT_YET_VALID: iat beyond the leeway in the future; within it is fine")
    func notYetValid() throws {
        let result = try verify(try Fixture.goodCode(factory.claims(iat: now + 301)))
        #expect(result.verdict == .notYetValid && result.check == .time)
        #expect(try verify(try Fixture.goodCode(factory.claims(iat: now + 300))).verdict == .valid)
    }

    @Test("EXPIRED_CODE: now ≥ exp + leeway; one second earlier is fine")
    func expiredCode() throws {
        let claims = factory.claims(iat: now - 1000, exp: now - 300)
        #expect(try verify(try Fixture.goodCode(claims)).verdict == .expiredCode)
        let justInTime = factory.claims(iat: now - 1000, exp: now - 299)
        #expect(try verify(try Fixture.goodCode(justInTime)).verdict == .valid)
    }

    @Test("LICENCE_EXPIRED: the expiry date was yesterday; today is still valid (no leeway on dates)")
    func licenceExpired() throws {
        let yesterday = factory.claims(licence: factory.licence(expiry: "2026-05-31"))
        let result = try verify(try Fixture.goodCode(yesterday))
        #expect(result.verdict == .licenceExpired && result.check == .time)
        let today = factory.claims(licence: factory.licence(expiry: "2026-06-01"))
        #expect(try verify(try Fixture.goodCode(today)).verdict == .valid)
    }

    // MARK: Status

    func status(_ entries: [Int: CredentialStatus], index: UInt64 = 7) throws -> VerificationResult {
        let verifier = try Fixture.verifier(tokens: [try factory.statusToken(signer: pki.signer, entries: entries)])
        return try verify(try Fixture.goodCode(factory.claims(index: index)), verifier: verifier)
    }

    @Test("REVOKED, SUSPENDED, SUPERSEDED from the status list entry")
    func statuses() throws {
        #expect(try status([7: .invalid]).verdict == .revoked)
        #expect(try status([7: .suspended]).verdict == .suspended)
        #expect(try status([7: .superseded]).verdict == .superseded)
        #expect(try status([6: .invalid, 8: .invalid]).verdict == .valid)
        #expect(try status([7: .invalid]).check == .status)
    }

    @Test("STATUS_UNKNOWN: no list, another URI, a stale list, an index beyond the list, a future list")
    func statusUnknown() throws {
        let code = try Fixture.goodCode()
        #expect(try verify(code, verifier: try Fixture.verifier(tokens: [])).verdict == .statusUnknown)
        let otherURI = try factory.statusToken(signer: pki.signer, uri: "https://dl.example/CN-31/status/2")
        #expect(try verify(code, verifier: try Fixture.verifier(tokens: [otherURI])).verdict == .statusUnknown)
        let stale = try factory.statusToken(signer: pki.signer, iat: now - 3 * Fixture.day, exp: now - 300)
        #expect(try verify(code, verifier: try Fixture.verifier(tokens: [stale])).verdict == .statusUnknown)
        let almostStale = try factory.statusToken(signer: pki.signer, iat: now - 3 * Fixture.day, exp: now - 299)
        #expect(try verify(code, verifier: try Fixture.verifier(tokens: [almostStale])).verdict == .valid)
        let future = try factory.statusToken(signer: pki.signer, iat: now + 301)
        #expect(try verify(code, verifier: try Fixture.verifier(tokens: [future])).verdict == .statusUnknown)
        let short = try factory.statusToken(signer: pki.signer, capacity: 4)
        let result = try verify(try Fixture.goodCode(factory.claims(index: 4)), verifier: try Fixture.verifier(tokens: [short]))
        #expect(result.verdict == .statusUnknown && result.check == .status)
    }

    @Test("allowing unknown status gives VALID and says so; it never hides a revocation")
    func allowUnknown() throws {
        let result = try verify(try Fixture.goodCode(), verifier: try Fixture.verifier(tokens: [], allowUnknown: true))
        #expect(result.verdict == .valid && result.status?.unknownAllowed == true && result.status?.value == nil)
        let revoked = try factory.statusToken(signer: pki.signer, entries: [7: .invalid])
        #expect(try verify(try Fixture.goodCode(), verifier: try Fixture.verifier(tokens: [revoked], allowUnknown: true)).verdict == .revoked)
    }

    @Test("status tokens: a forged or foreign-root token is ignored; the latest iat wins; a tie takes the worse status")
    func tokenRules() throws {
        let code = try Fixture.goodCode()
        let other = try TestPKI(rootFrom: now - 10 * Fixture.day, signerFrom: now - Fixture.day, signerUntil: now + Fixture.day)
        let foreign = try factory.statusToken(signer: other.signer, entries: [7: .invalid])
        let trustBoth = TrustStore(certificates: [pki.root.certificate, pki.signer.certificate, other.root.certificate, other.signer.certificate])
        #expect(try verify(code, verifier: try Fixture.verifier(trust: trustBoth, tokens: [foreign])).verdict == .statusUnknown)
        var forged = try factory.statusToken(signer: pki.signer, entries: [7: .invalid])
        forged[forged.count - 5] ^= 1
        #expect(try verify(code, verifier: try Fixture.verifier(tokens: [forged])).verdict == .statusUnknown)
        let wrongType = try factory.statusToken(signer: pki.signer, typ: "application/cwt")
        #expect(throws: StatusListToken.ParseError.self) { try StatusListToken(bytes: wrongType) }
        let old = try factory.statusToken(signer: pki.signer, entries: [7: .invalid], iat: now - 3600)
        let new = try factory.statusToken(signer: pki.signer, iat: now - 60)
        #expect(try verify(code, verifier: try Fixture.verifier(tokens: [old, new])).verdict == .valid)
        #expect(try verify(code, verifier: try Fixture.verifier(tokens: [new, old])).verdict == .valid)
        let tieA = try factory.statusToken(signer: pki.signer, iat: now - 60)
        let tieB = try factory.statusToken(signer: pki.signer, entries: [7: .suspended], iat: now - 60)
        #expect(try verify(code, verifier: try Fixture.verifier(tokens: [tieA, tieB])).verdict == .suspended)
        let tieShort = try factory.statusToken(signer: pki.signer, capacity: 4, iat: now - 60)
        let tieRevoked = try factory.statusToken(signer: pki.signer, entries: [7: .invalid], iat: now - 60)
        #expect(try verify(code, verifier: try Fixture.verifier(tokens: [tieShort, tieRevoked], allowUnknown: true)).verdict == .revoked)
        #expect(try verify(code, verifier: try Fixture.verifier(tokens: [tieShort, tieA])).verdict == .statusUnknown)
        // A token signed by a withdrawn signer is unusable.
        let crl = try CertificateRevocationList.make(root: pki.root.certificate, rootKey: pki.root.key, number: 1,
                                                     entries: [(pki.signer.certificate, now, .keyCompromise)], thisUpdate: now, nextUpdate: now + 1)
        let statusSigner = try pki.issueSigner()
        let codeVerifier = try Fixture.verifier(trust: pki.trustStore(extra: [statusSigner.certificate], crls: [crl]),
                                                tokens: [try factory.statusToken(signer: pki.signer)])
        #expect(codeVerifier.usableStatusTokenCount == 0)
    }

    // MARK: Optional checks

    @Test("CATEGORY_NOT_HELD: not held, expired privilege, privilege not yet granted, wrong case")
    func category() throws {
        let code = try Fixture.goodCode()
        #expect(try verify(code, request: .init(category: "C1")).verdict == .valid)
        #expect(try verify(code, request: .init(category: "A2")).verdict == .valid)
        let notHeld = try verify(code, request: .init(category: "B2"))
        #expect(notHeld.verdict == .categoryNotHeld && notHeld.check == .category)
        #expect(try verify(code, request: .init(category: "c1")).verdict == .categoryNotHeld)
        let privileges = [DrivingPrivilege(category: "C1", issueDate: CalendarDate(iso8601: "2026-06-02")!),
                          DrivingPrivilege(category: "A2", issueDate: CalendarDate(iso8601: "2020-01-01")!, expiryDate: CalendarDate(iso8601: "2026-05-31")!)]
        let later = try Fixture.goodCode(factory.claims(licence: factory.licence(privileges: privileges)))
        #expect(try verify(later, request: .init(category: "C1")).verdict == .categoryNotHeld)
        #expect(try verify(later, request: .init(category: "A2")).verdict == .categoryNotHeld)
    }

    @Test("PORTRAIT_MISMATCH: another portrait's hash; the right one is VALID")
    func portrait() throws {
        let code = try Fixture.goodCode()
        #expect(try verify(code, request: .init(portraitHash: SHA256.hash(Array("portrait".utf8)))).verdict == .valid)
        let result = try verify(code, request: .init(portraitHash: SHA256.hash(Array("someone else".utf8))))
        #expect(result.verdict == .portraitMismatch && result.check == .portrait)
    }

    @Test("the checks run in FORMAT's order: an expired code of a revoked licence is EXPIRED_CODE")
    func order() throws {
        let verifier = try Fixture.verifier(tokens: [try factory.statusToken(signer: pki.signer, entries: [7: .invalid])])
        let expired = try Fixture.goodCode(factory.claims(iat: now - 3 * Fixture.day, exp: now - Fixture.day))
        #expect(try verify(expired, verifier: verifier, request: .init(category: "B2")).verdict == .expiredCode)
        #expect(try verify(try Fixture.goodCode(), verifier: verifier, request: .init(category: "B2")).verdict == .revoked)
    }
}

/// One verifier shared by many tasks at once (run under ThreadSanitizer by `scripts/sanitize thread`).
@Suite("Concurrent verification")
struct ConcurrentVerificationTests {
    @Test("eight tasks verifying with one shared verifier get the same answers as one task")
    func concurrent() async throws {
        let factory = Fixture.factory
        let revoked = try factory.statusToken(signer: Fixture.pki.signer, entries: [3: .invalid])
        let verifier = try Fixture.verifier(tokens: [revoked])
        let codes = try (0..<8).map { i in try Fixture.goodCode(factory.claims(index: UInt64(i))) } + ["DL1:garbage", "HC1:x"]
        let expected = codes.map { verifier.verify(text: $0).verdict }
        #expect(expected.filter { $0 == .valid }.count == 7 && expected[3] == .revoked)
        let results = await withTaskGroup(of: [Verdict].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<25).flatMap { _ in codes.map { verifier.verify(text: $0).verdict } } }
            }
            var all: [[Verdict]] = []
            for await result in group { all.append(result) }
            return all
        }
        for result in results { #expect(result == Array((0..<25).flatMap { _ in expected })) }
    }
}
