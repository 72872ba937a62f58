import DL1Crypto
import DL1Format
import DL1Issuer
import DL1IssuerTestSupport
import DL1TestSupport
import DL1Verifier
import Foundation
import Testing

/// Each lifecycle path end to end, on an issuer with a controllable clock: what the old and the
/// new codes answer once the new status list is published. Every test runs on both registry
/// engines: SQLite, and PostgreSQL when the test server is there (``TestPostgres``).
@Suite("Licence lifecycle and revocation")
struct LifecycleTests {
    /// The message of the IssuerError `body` throws; nil when it throws nothing (or another error).
    static func refusal(_ body: () throws -> Any) -> String? {
        do { _ = try body(); return nil } catch let error as IssuerError { return error.description } catch { return nil }
    }

    @Test("renew, change-category and reissue: the old code answers SUPERSEDED, the new one VALID", arguments: TestEngine.available)
    func supersede(engine: TestEngine) throws {
        let w = try IssuerWorld.make(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let first = try w.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(86_400), output: nil)
        #expect(try w.verify(first) == .valid)
        let renewed = try w.issuer.renew("310101199001011234", expiryDate: CalendarDate(iso8601: "2036-05-01")!, lifetime: .seconds(86_400), output: nil)
        #expect(renewed.credentialID != first.credentialID && renewed.claims.status.index != first.claims.status.index)
        // A verifier with the old list still says VALID; with the new one, SUPERSEDED.
        #expect(try w.verify(first) == .superseded)
        #expect(try w.verify(renewed) == .valid)
        #expect(renewed.claims.licence.expiryDate.description == "2036-05-01")
        let changed = try w.issuer.changeCategories("310101199001011234", add: [DrivingPrivilege(category: "B2", issueDate: CalendarDate(iso8601: "2026-05-01")!)],
                                                    remove: ["A2"], restrict: [("C1", "glasses")], lifetime: .seconds(86_400), output: nil)
        #expect(try w.verify(renewed) == .superseded && w.verify(changed) == .valid)
        #expect(changed.claims.licence.privileges.map(\.category) == ["C1", "B2"])
        #expect(changed.claims.licence.privileges.first?.restrictions == "glasses")
        let verifier = try w.verifier()
        #expect(verifier.verify(text: changed.text, request: .init(category: "B2")).verdict == .valid)
        #expect(verifier.verify(text: changed.text, request: .init(category: "A2")).verdict == .categoryNotHeld)
        let reissued = try w.issuer.reissue("310101199001011234", lifetime: .seconds(86_400), output: nil)
        #expect(try w.verify(changed) == .superseded && w.verify(reissued) == .valid)
        #expect(reissued.claims.licence == changed.claims.licence)
        let history = try w.issuer.history("310101199001011234")
        #expect(history.credentials.count == 4)
        #expect(history.events.map(\.kind) == ["issued", "superseded", "renewed", "superseded", "category-changed", "superseded", "reissued"])
    }

    @Test("transfer to another authority: a new credential signed by its signer, the old one SUPERSEDED in the same step; same or unknown authority refused", arguments: TestEngine.available)
    func transfer(engine: TestEngine) throws {
        let w = try IssuerWorld.make(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let first = try w.issuer.issue(IssuerWorld.licence("T1"), lifetime: .seconds(86_400), output: nil)
        _ = try w.issuer.addAuthority(code: "CN-32", name: "江苏省公安厅交通警察总队")
        let clock = w.clock
        let issuer = try Issuer.open(at: w.issuer.directory.root, clock: { clock.now })
        let moved = try issuer.transfer("T1", to: "CN-32", lifetime: .seconds(86_400), output: nil)
        #expect(moved.claims.issuer == "CN-32" && moved.claims.licence.issuingAuthority == "江苏省公安厅交通警察总队")
        #expect(moved.claims.licence.privileges == first.claims.licence.privileges && moved.claims.licence.familyName == first.claims.licence.familyName)
        let trust = try TrustStore.load(directory: issuer.directory.trustFolder)
        let verifier = Verifier(trustStore: trust, statusTokens: try issuer.statusListTokens().map { try StatusListToken(bytes: $0.token) },
                                options: .init(clock: { clock.now }))
        #expect(verifier.verify(text: first.text).verdict == .superseded)
        #expect(verifier.verify(text: moved.text).verdict == .valid)
        #expect(try issuer.registry.events(documentNumber: "T1").map(\.kind) == ["issued", "superseded", "transferred"])
        #expect(try issuer.registry.events(documentNumber: "T1").last?.detail?.hasPrefix("from CN-31 to CN-32") == true)
        #expect(try issuer.registry.credentials(documentNumber: "T1").filter(\.isActive).count == 1)
        func code(_ body: () throws -> Any) -> IssuerError.Code? {
            do { _ = try body(); return nil } catch let error as IssuerError { return error.code } catch { return nil }
        }
        #expect(code { try issuer.transfer("T1", to: "CN-32", lifetime: .seconds(86_400), output: nil) } == .transferToSameAuthority)
        #expect(code { try issuer.transfer("T1", to: "CN-99", lifetime: .seconds(86_400), output: nil) } == .unknownAuthority)
        try issuer.revoke("T1", reason: "test")
        #expect(code { try issuer.transfer("T1", to: "CN-31", lifetime: .seconds(86_400), output: nil) } != nil)
        #expect(try issuer.registry.check().isEmpty)
    }

    @Test("suspend → SUSPENDED, reinstate → VALID; revoke → REVOKED, and that is final", arguments: TestEngine.available)
    func suspendReinstateRevoke(engine: TestEngine) throws {
        let w = try IssuerWorld.make(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let code = try w.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(86_400), output: nil)
        try w.issuer.suspend("310101199001011234", reason: "court order")
        #expect(try w.verify(code) == .suspended)
        #expect(Self.refusal { try w.issuer.renew("310101199001011234", expiryDate: CalendarDate(iso8601: "2036-01-01")!, lifetime: .seconds(60), output: nil) }
                == "the licence 310101199001011234 is suspended: reinstate it before you renew it")
        try w.issuer.reinstate("310101199001011234")
        #expect(try w.verify(code) == .valid)
        try w.issuer.revoke("310101199001011234", reason: "fraud")
        #expect(try w.verify(code) == .revoked)
        let final = "the licence 310101199001011234 is revoked: that is final"
        #expect(Self.refusal { try w.issuer.reinstate("310101199001011234") } == final)
        #expect(Self.refusal { try w.issuer.renew("310101199001011234", expiryDate: CalendarDate(iso8601: "2036-01-01")!, lifetime: .seconds(60), output: nil) } == final)
        #expect(Self.refusal { try w.issuer.refresh("310101199001011234", lifetime: .seconds(60), output: nil) } == final)
        // A new licence may be issued after a revocation (requalification).
        #expect(try w.verify(try w.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(60), output: nil)) == .valid)
    }

    @Test("points: deductions show in a fresh code of the same credential; at zero the licence is SUSPENDED", arguments: TestEngine.available)
    func points(engine: TestEngine) throws {
        let w = try IssuerWorld.make(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let first = try w.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(86_400), output: nil)
        w.clock.advance(3600)
        let (afterDeduct, suspended) = try w.issuer.changePoints("310101199001011234", .deduct(6, reason: "red light"), lifetime: .seconds(86_400), output: nil)
        #expect(!suspended && afterDeduct.claims.licence.points.remaining == 3)
        #expect(afterDeduct.credentialID == first.credentialID && afterDeduct.claims.status == first.claims.status)
        let verifier = try w.verifier()
        let result = verifier.verify(text: afterDeduct.text)
        #expect(result.verdict == .valid && result.licence?.points.remaining == 3)
        #expect(result.claims?.issuedAt == Fixture.now + 3600, "the balance is as of the code's iat")
        let (exhausted, nowSuspended) = try w.issuer.changePoints("310101199001011234", .deduct(5, reason: "speeding"), lifetime: .seconds(86_400), output: nil)
        #expect(nowSuspended && exhausted.claims.licence.points.remaining == 0)
        #expect(try w.verify(exhausted) == .suspended)
        try w.issuer.reinstate("310101199001011234")
        let (reset, _) = try w.issuer.changePoints("310101199001011234", .reset, lifetime: .seconds(86_400), output: nil)
        #expect(reset.claims.licence.points.remaining == 12 && reset.claims.licence.points.cycleEnd.description == "2028-04-30")
        #expect(try w.verify(reset) == .valid)
        let (restored, _) = try w.issuer.changePoints("310101199001011234", .restore(5), lifetime: .seconds(86_400), output: nil)
        #expect(restored.claims.licence.points.remaining == 12)
    }

    @Test("refresh: a new short-lived code of the same credential, with a new as-of time", arguments: TestEngine.available)
    func refresh(engine: TestEngine) throws {
        let w = try IssuerWorld.make(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let first = try w.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(600), output: nil)
        w.clock.advance(3600)
        #expect(try w.verify(first) == .expiredCode)
        let fresh = try w.issuer.refresh("310101199001011234", lifetime: .seconds(600), output: nil)
        #expect(fresh.credentialID == first.credentialID && fresh.claims.issuedAt == Fixture.now + 3600)
        #expect(try w.verify(fresh) == .valid)
    }

    @Test("a stale list gives STATUS_UNKNOWN", arguments: TestEngine.available)
    func staleList(engine: TestEngine) throws {
        let w = try IssuerWorld.make(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let code = try w.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(30 * 86_400), output: nil)
        let verifier = try w.verifier()
        w.clock.advance(w.issuer.settings.statusValidity + 300)
        #expect(verifier.verify(text: code.text).verdict == .statusUnknown)
    }

    @Test("refusals: a second active credential, unknown numbers, empty changes; nothing changes", arguments: TestEngine.available)
    func refusals(engine: TestEngine) throws {
        let w = try IssuerWorld.make(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        _ = try w.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(60), output: nil)
        #expect(Self.refusal { try w.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(60), output: nil) }
                == "document 310101199001011234 already has an active credential (VALID)")
        #expect(Self.refusal { try w.issuer.suspend("NOPE", reason: "x") } == "no licence with document number NOPE in this registry")
        #expect(Self.refusal { try w.issuer.changeCategories("310101199001011234", add: [], remove: [], restrict: [], lifetime: .seconds(60), output: nil) }
                == "no category is added, removed or restricted")
        #expect(Self.refusal { try w.issuer.changeCategories("310101199001011234", add: [], remove: ["C1", "A2"], restrict: [], lifetime: .seconds(60), output: nil) }
                == "removing every category would leave the licence empty: revoke it instead")
        #expect(Self.refusal { try w.issuer.changeCategories("310101199001011234", add: [DrivingPrivilege(category: "Z9", issueDate: CalendarDate(iso8601: "2020-01-01")!)], remove: [], restrict: [], lifetime: .seconds(60), output: nil) }?
                .hasPrefix("category Z9 is not one this issuer grants") == true)
        #expect(try w.issuer.registry.credentialCount() == 1)
        #expect(try w.issuer.history("310101199001011234").events.map(\.kind) == ["issued"])
    }

    @Test("status lists: payload is a pure function of the registry and the time; a full list starts a new one", arguments: TestEngine.available)
    func lists(engine: TestEngine) throws {
        let w = try IssuerWorld.make(capacity: 16, engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        var codes: [IssuedCode] = []
        for i in 0..<20 { codes.append(try w.issuer.issue(IssuerWorld.licence("N\(i)"), lifetime: .seconds(600), output: nil)) }
        let lists = try w.issuer.registry.lists()
        #expect(lists.count == 2 && lists[0].uri != lists[1].uri)
        #expect(Set(codes.map { "\($0.claims.status.uri)#\($0.claims.status.index)" }).count == 20)
        #expect(codes.prefix(16).map(\.claims.status.index).sorted() == Array(0..<16), "the first list is full: every index used once")
        #expect(codes.prefix(16).map(\.claims.status.index) != Array(0..<16), "indices are drawn at random, not in order")
        try w.issuer.revoke("N3", reason: "x")
        let a = try w.issuer.statusListTokens(), b = try w.issuer.statusListTokens()
        #expect(a.map { try! COSESign1(decoding: $0.token).payload } == b.map { try! COSESign1(decoding: $0.token).payload })
        #expect(a.map { try! COSESign1(decoding: $0.token).signature } != b.map { try! COSESign1(decoding: $0.token).signature })
        let verifier = try w.verifier()
        #expect(codes.enumerated().allSatisfy { verifier.verify(text: $1.text).verdict == ($0 == 3 ? .revoked : .valid) })
    }

    @Test("the handheld bundle brings signer certificates and status lists; its root never becomes an anchor", arguments: TestEngine.available)
    func bundle(engine: TestEngine) throws {
        let w = try IssuerWorld.make(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let code = try w.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(86_400), output: nil)
        try w.issuer.suspend("310101199001011234", reason: "x")
        let bundle = try HandheldBundle(bytes: w.issuer.handheldBundle().encoded)
        #expect(bundle.certificates.count == 2 && bundle.statusTokens.count == 1)
        // A handheld that pins only the root learns the signer and the status from the bundle.
        let pinnedRootOnly = TrustStore(certificates: [w.issuer.rootCertificate]).adding(bundle)
        let tokens = StatusListToken.parseAll(bundle).tokens
        let clock = w.clock
        let verifier = Verifier(trustStore: pinnedRootOnly, statusTokens: tokens, options: .init(clock: { clock.now }))
        #expect(verifier.verify(text: code.text).verdict == .suspended)
        // A handheld that pins another root trusts nothing in the bundle.
        let other = try TestPKI(rootFrom: Fixture.now - 1000, signerFrom: Fixture.now - 1000, signerUntil: Fixture.now + 1000)
        let foreign = TrustStore(certificates: [other.root.certificate]).adding(bundle)
        #expect(foreign.roots.count == 1)
        #expect(Verifier(trustStore: foreign, statusTokens: tokens, options: .init(clock: { clock.now })).verify(text: code.text).verdict == .untrustedSigner)
        // Bad items are skipped with a warning, the rest is used.
        var damaged = bundle
        damaged.certificates.append([1, 2, 3])
        let reread = TrustStore(certificates: [w.issuer.rootCertificate]).adding(try HandheldBundle(bytes: damaged.encoded))
        #expect(reread.warnings.contains { $0.contains("certificate 3") })
        #expect(throws: HandheldBundle.FormatError.self) { try HandheldBundle(bytes: CBOREncoder.encode(.map([.init("v", 2)]))) }
    }
}
