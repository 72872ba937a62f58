import DL1Crypto
import DL1Format
import DL1Holder
import DL1Issuer
import DL1IssuerTestSupport
import DL1ServiceAPI
@testable import DL1ServiceClient
import DL1Verifier
import Foundation
import Testing

@Suite("Enrolment applications with a new portrait")
struct ApplicationTests {
    @Test("An enrolment with a portrait waits for an officer; approved, the device fetches a credential with the new portrait hash", arguments: TestEngine.available)
    func approve(engine: TestEngine) async throws {
        let s = try await ServiceWorld.start(engine: engine)
        defer { Task { await s.stop() } }
        let code = try s.licenceWithCode()
        let before = try s.issuer.activeCredential(code.documentNumber)
        let device = try P256PrivateKey(), other = try P256PrivateKey()
        let portrait: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array("a new photo".utf8)  // a JPEG's signature, then anything

        guard case .application(let applied) = try await s.client.enrol(code: code.code, device: device, portrait: portrait) else {
            Issue.record("an enrolment with a portrait was not an application")
            return
        }
        #expect(applied.state == "pending" && applied.credential == nil)
        // The code is spent; nothing changed on the licence yet.
        await expectProblem(.noEnrolmentCode) { try await s.client.enrol(code: code.code, device: device) }
        #expect(try s.issuer.activeCredential(code.documentNumber).credentialID == before.credentialID)
        #expect(try await s.client.application(applied.applicationId, device: device).state == "pending")
        await expectProblem(.proofInvalid, status: 403) { try await s.client.application(applied.applicationId, device: other) }
        await expectProblem(.unknownApplication, status: 404) { try await s.client.application(String(repeating: "0", count: 32), device: device) }

        let pending = try s.issuer.applications()
        #expect(pending.map(\.id) == [applied.applicationId])
        #expect(try s.issuer.applicationPortrait(applied.applicationId) == portrait)
        let issued = try s.issuer.approveApplication(applied.applicationId, lifetime: .seconds(7 * 86_400))
        #expect(issued.claims.licence.portraitHash == SHA256.hash(portrait))
        #expect { try s.issuer.rejectApplication(applied.applicationId, reason: "too late") } throws: { ($0 as? IssuerError)?.code == .applicationDecided }

        let answer = try await s.client.application(applied.applicationId, device: device)
        #expect(answer.state == "approved")
        let credential = try BoundCredential(text: try #require(answer.credential).credential)
        #expect(credential.isBound(to: device.publicKey) && credential.claims.licence.portraitHash == SHA256.hash(portrait))
        #expect(try s.issuer.registry.credential(before.credentialID)?.status == .superseded)
        #expect(try s.issuer.history(code.documentNumber).events.contains { $0.kind == "portrait-changed" })
    }

    @Test("A rejected application tells the device why; a portrait over 512 KiB, or not JPEG or PNG, is refused without spending the code")
    func reject() async throws {
        let s = try await ServiceWorld.start()
        defer { Task { await s.stop() } }
        let code = try s.licenceWithCode()
        let device = try P256PrivateKey()
        await expectProblem(.bodyTooLarge, status: 413) {
            try await s.client.enrol(code: code.code, device: device, portrait: [UInt8](repeating: 1, count: 600 * 1024))
        }
        await expectProblem(.portraitInvalid, status: 400) { try await s.client.enrol(code: code.code, device: device, portrait: [1, 2, 3]) }
        guard case .application(let applied) = try await s.client.enrol(code: code.code, device: device,
                                                                         portrait: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1]) else {
            Issue.record("not an application")
            return
        }
        try s.issuer.rejectApplication(applied.applicationId, reason: "the photo is blurred")
        let answer = try await s.client.application(applied.applicationId, device: device)
        #expect(answer.state == "rejected" && answer.reason == "the photo is blurred" && answer.credential == nil)
        #expect(try s.issuer.applications().isEmpty)
        #expect(try s.issuer.applications(nil).count == 1)
    }

    @Test("An approval that cannot issue (the licence is suspended) leaves the application pending; a decided one cannot be decided again")
    func approvalFails() async throws {
        let s = try await ServiceWorld.start()
        defer { Task { await s.stop() } }
        let code = try s.licenceWithCode()
        let device = try P256PrivateKey()
        guard case .application(let applied) = try await s.client.enrol(code: code.code, device: device, portrait: [0xFF, 0xD8, 0xFF, 0xE1]) else {
            Issue.record("not an application")
            return
        }
        try s.issuer.suspend(code.documentNumber, reason: "inquiry")
        #expect { try s.issuer.approveApplication(applied.applicationId, lifetime: .seconds(86_400)) } throws: { ($0 as? IssuerError)?.code == .licenceSuspended }
        #expect(try s.issuer.application(applied.applicationId).state == .pending)
        try s.issuer.reinstate(code.documentNumber)
        _ = try s.issuer.approveApplication(applied.applicationId, lifetime: .seconds(86_400))
        do {
            try s.issuer.rejectApplication(applied.applicationId, reason: "late")
            Issue.record("a decided application was rejected")
        } catch {
            #expect(error.code == .applicationDecided)
        }
    }
}
