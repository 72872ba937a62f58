import DL1Crypto
import DL1Format
import DL1Holder
import DL1IssueServer
import DL1Issuer
import DL1IssuerTestSupport
import DL1ServiceAPI
@testable import DL1ServiceClient
import DL1Verifier
import Foundation
import Testing

/// Asserts that `body` fails with the problem `code` (and, when given, the HTTP status).
func expectProblem(_ code: ProblemCode, status: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation,
                   _ body: () async throws -> some Any) async {
    do {
        _ = try await body()
        Issue.record("expected the problem \(code.rawValue), got an answer", sourceLocation: sourceLocation)
    } catch {
        let problem = (error as? ServiceClientError)?.problem
        #expect(problem?.code == code.rawValue, "\(error)", sourceLocation: sourceLocation)
        if let status { #expect(problem?.status == status, sourceLocation: sourceLocation) }
        #expect(problem?.type == Problem.typePrefix + code.rawValue, sourceLocation: sourceLocation)
    }
}

@Suite("Enrolment and refresh over HTTP")
struct EnrolmentTests {
    @Test("A device enrols with its code, the old credential is superseded, and a refresh carries the live points", arguments: TestEngine.available)
    func enrolThenRefresh(engine: TestEngine) async throws {
        let s = try await ServiceWorld.start(engine: engine)
        defer { Task { await s.stop() } }
        let code = try s.licenceWithCode()
        let before = try s.issuer.activeCredential(code.documentNumber)
        let device = try P256PrivateKey()

        let enrolled = try await s.client.enrol(code: code.code, device: device)
        let credential = try BoundCredential(text: enrolled.credential)
        #expect(credential.isBound(to: device.publicKey))
        #expect(enrolled.credentialId == credential.id)
        #expect(enrolled.expiresAt - enrolled.issuedAt == IssueServiceOptions().credentialLifetime)
        #expect(try s.issuer.registry.credential(before.credentialID)?.status == .superseded)
        let points = before.licence.points
        #expect(enrolled.pointsRemaining == Int(points.remaining) && enrolled.pointsMaximum == Int(points.maximum))

        // The presentation verifies against the issuer's trust and status lists.
        s.clock.advance(60)
        let presentation = try Presenter.present(credential, at: s.clock.now, signer: device)
        #expect(try s.world.verifier().verify(text: presentation).verdict == .valid)

        _ = try s.issuer.changePoints(code.documentNumber, .deduct(3, reason: "speeding"), lifetime: .seconds(86_400), output: nil)
        s.clock.advance(60)
        let refreshed = try await s.client.refresh(credentialID: credential.claims.credentialID, device: device)
        #expect(refreshed.credentialId == enrolled.credentialId)
        #expect(refreshed.pointsRemaining == Int(points.remaining) - 3)
        let fresh = try BoundCredential(text: refreshed.credential)
        #expect(fresh.claims.licence.points.remaining == points.remaining - 3)
        #expect(fresh.claims.issuedAt == s.clock.now)
    }

    @Test("An enrolment code works once; wrong tries count and the fifth withdraws it", arguments: TestEngine.available)
    func codeTries(engine: TestEngine) async throws {
        let s = try await ServiceWorld.start(engine: engine)
        defer { Task { await s.stop() } }
        let code = try s.licenceWithCode()
        let device = try P256PrivateKey()
        let last = code.code.last!
        let wrong = String(code.code.dropLast()) + (last == "0" ? "1" : "0")
        for _ in 1...4 {
            await expectProblem(.enrolmentCodeWrong, status: 403) { try await s.client.enrol(code: wrong, device: device) }
        }
        await expectProblem(.enrolmentCodeLocked, status: 403) { try await s.client.enrol(code: wrong, device: device) }
        // Withdrawn: even the right code is no longer open.
        await expectProblem(.noEnrolmentCode, status: 404) { try await s.client.enrol(code: code.code, device: device) }

        let second = try s.issuer.openEnrolment(code.documentNumber)
        // Typed in lower case, with spaces and O for 0: still the code.
        let typed = second.code.lowercased().replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "0", with: "o")
        _ = try await s.client.enrol(code: typed, device: device)
        await expectProblem(.noEnrolmentCode, status: 404) { try await s.client.enrol(code: second.code, device: device) }
        await expectProblem(.noEnrolmentCode, status: 404) { try await s.client.enrol(code: "not a code", device: device) }
        let events = try s.issuer.history(code.documentNumber).events.map(\.kind)
        #expect(events.contains("enrolment-code-locked") && events.contains("enrolment-code-used"))
    }

    @Test("An expired code, and a suspended, revoked or expired licence, cannot enrol")
    func licenceStates() async throws {
        let s = try await ServiceWorld.start()
        defer { Task { await s.stop() } }
        let device = try P256PrivateKey()

        let short = try s.licenceWithCode("A1")
        s.clock.advance(Issuer.defaultEnrolmentValidity + 1)
        await expectProblem(.enrolmentCodeExpired, status: 410) { try await s.client.enrol(code: short.code, device: device) }

        let suspended = try s.licenceWithCode("A2")
        try s.issuer.suspend("A2", reason: "court order")
        await expectProblem(.credentialSuspended, status: 403) { try await s.client.enrol(code: suspended.code, device: device) }
        // The refusal did not spend the code: reinstated, the licence enrols with it.
        try s.issuer.reinstate("A2")
        _ = try await s.client.enrol(code: suspended.code, device: device)

        let revoked = try s.licenceWithCode("A3")
        try s.issuer.revoke("A3", reason: "fraud")
        await expectProblem(.credentialRevoked, status: 410) { try await s.client.enrol(code: revoked.code, device: device) }

        // A licence that expires in two days, a code valid for thirty: three days on, the code
        // is right and the licence has expired (and the code is kept, as it was not the problem).
        var short2 = IssuerWorld.licence("A4")
        short2.expiryDate = CalendarDate(utcDayOf: s.clock.now).adding(days: 2)
        short2.privileges = short2.privileges.map { var p = $0; p.expiryDate = nil; return p }
        _ = try s.issuer.issue(short2, lifetime: .seconds(86_400), output: nil)
        let expiring = try s.issuer.openEnrolment("A4", validFor: 30 * 86_400)
        s.clock.advance(3 * 86_400)
        await expectProblem(.licenceExpired, status: 410) { try await s.client.enrol(code: expiring.code, device: device) }
        await expectProblem(.licenceExpired, status: 410) { try await s.client.enrol(code: expiring.code, device: device) }
        #expect { try s.issuer.openEnrolment("A4") } throws: { ($0 as? IssuerError)?.code == .licenceExpired }
    }

    @Test("Refresh answers with the reason for a superseded, revoked or suspended credential, and never to another device", arguments: TestEngine.available)
    func refreshRefusals(engine: TestEngine) async throws {
        let s = try await ServiceWorld.start(engine: engine)
        defer { Task { await s.stop() } }
        let code = try s.licenceWithCode()
        let device = try P256PrivateKey(), other = try P256PrivateKey()
        let enrolled = try await s.client.enrol(code: code.code, device: device)
        let id = try #require(Hex.decode(enrolled.credentialId))

        await expectProblem(.proofInvalid, status: 403) { try await s.client.refresh(credentialID: id, device: other) }
        await expectProblem(.unknownCredential, status: 404) { try await s.client.refresh(credentialID: [UInt8](repeating: 7, count: 16), device: device) }
        let unbound = try s.issuer.issue(IssuerWorld.licence("B1"), lifetime: .seconds(86_400), output: nil)
        await expectProblem(.credentialNotBound, status: 409) { try await s.client.refresh(credentialID: unbound.credentialID, device: device) }

        try s.issuer.suspend(code.documentNumber, reason: "unpaid fines")
        await expectProblem(.credentialSuspended, status: 403) { try await s.client.refresh(credentialID: id, device: device) }
        try s.issuer.reinstate(code.documentNumber)
        _ = try await s.client.refresh(credentialID: id, device: device)

        // A second device enrols: the first device's credential is superseded.
        let second = try s.issuer.openEnrolment(code.documentNumber)
        let moved = try await s.client.enrol(code: second.code, device: other)
        await expectProblem(.credentialSuperseded, status: 410) { try await s.client.refresh(credentialID: id, device: device) }

        try s.issuer.revoke(code.documentNumber, reason: "fraud")
        await expectProblem(.credentialRevoked, status: 410) { try await s.client.refresh(credentialID: Hex.decode(moved.credentialId)!, device: other) }
    }

    @Test("Enrolment refuses a proof by another key, a key not on the curve, and a signature of the wrong size")
    func proofs() async throws {
        let s = try await ServiceWorld.start()
        defer { Task { await s.stop() } }
        let code = try s.licenceWithCode()
        let device = try P256PrivateKey(), other = try P256PrivateKey()
        let point = device.publicKey.compressedPoint

        func request(key: [UInt8], signer: P256PrivateKey, signature: [UInt8]? = nil) async throws -> String {
            let challenge = try await s.client.challenge(.enrol)
            let bytes = Base64URL.decode(challenge.challenge, limit: 64)!
            let sig = try signature ?? signer.sign(ProofOfPossession.enrolment(challenge: bytes, code: code.code, deviceKey: key))
            let body = EnrolmentRequest(code: code.code, deviceKey: Base64URL.encode(key), challenge: challenge.challenge, signature: Base64URL.encode(sig))
            return String(decoding: try JSONEncoder().encode(body), as: UTF8.self)
        }
        #expect(try await s.problem(ServicePath.enrolments, json: try await request(key: point, signer: other)).code == ProblemCode.proofInvalid.rawValue)
        let offCurve: [UInt8] = [0x02] + [UInt8](repeating: 0xFF, count: 32)  // x ≥ p: no such point
        #expect(try await s.problem(ServicePath.enrolments, json: try await request(key: offCurve, signer: device)).code == ProblemCode.deviceKeyInvalid.rawValue)
        #expect(try await s.problem(ServicePath.enrolments, json: try await request(key: point, signer: device, signature: [1, 2, 3])).code == ProblemCode.proofInvalid.rawValue)
        // None of these spent a try of the code.
        _ = try await s.client.enrol(code: code.code, device: device)
    }

    @Test("Challenges are single-use, short-lived, for one purpose, and only this service's")
    func challenges() async throws {
        let s = try await ServiceWorld.start()
        defer { Task { await s.stop() } }
        let code = try s.licenceWithCode()
        let device = try P256PrivateKey()
        let point = device.publicKey.compressedPoint

        func body(_ challenge: String) throws -> String {
            let bytes = Base64URL.decode(challenge, limit: 64) ?? []
            let sig = try device.sign(ProofOfPossession.enrolment(challenge: bytes, code: code.code, deviceKey: point))
            return String(decoding: try JSONEncoder().encode(EnrolmentRequest(code: code.code, deviceKey: Base64URL.encode(point), challenge: challenge,
                                                                              signature: Base64URL.encode(sig))), as: UTF8.self)
        }
        let forRefresh = try await s.client.challenge(.refresh)
        #expect(try await s.problem(ServicePath.enrolments, json: try body(forRefresh.challenge)).code == ProblemCode.challengeInvalid.rawValue)
        var forged = Base64URL.decode(try await s.client.challenge(.enrol).challenge, limit: 64)!
        forged[5] ^= 1  // a later expiry, say
        #expect(try await s.problem(ServicePath.enrolments, json: try body(Base64URL.encode(forged))).code == ProblemCode.challengeInvalid.rawValue)
        let old = try await s.client.challenge(.enrol)
        s.clock.advance(IssueServiceOptions().challengeLifetime + 1)
        #expect(try await s.problem(ServicePath.enrolments, json: try body(old.challenge)).code == ProblemCode.challengeExpired.rawValue)

        let good = try await s.client.challenge(.enrol)
        let first = try await s.raw(.POST, ServicePath.enrolments, headers: [("Content-Type", "application/json")], body: Array(try body(good.challenge).utf8))
        #expect(first.status == 201)
        #expect(try await s.problem(ServicePath.enrolments, json: try body(good.challenge)).code == ProblemCode.challengeUsed.rawValue)
    }
}
