import DL1Crypto
import DL1Format
import DL1Issuer
import DL1IssuerTestSupport
import DL1TestSupport
import DL1ServiceAPI
@testable import DL1ServiceClient
import Foundation
import NIOHTTP1
import Testing

/// The repository's OpenAPI document, checked against the running service: every documented
/// operation is called, with good and bad input; each answer's status must be documented for
/// the operation, its media type documented for that status, and a JSON body must satisfy the
/// documented schema.
@Suite("OpenAPI document")
struct OpenAPITests {
    static let documentURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi/dl-issue-serve.json")

    @Test("Every operation answers as openapi/dl-issue-serve.json documents it")
    func conformance() async throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.documentURL)) as? [String: Any])
        let checker = SchemaChecker(document: document)
        let s = try await ServiceWorld.start { $0.publishInterval = 3600 }
        defer { Task { await s.stop() } }
        // The issuer's URIs are the test world's (https://dl.example/CN-31/status/N): the
        // document's /s/{n} stands for "the path of the URI".
        _ = try s.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(86_400), output: nil)
        try s.service.publishNow()
        let code = try s.issuer.openEnrolment(IssuerWorld.licence().documentNumber)
        let device = try P256PrivateKey()

        var exercised = Set<String>()
        func check(_ method: HTTPMethod, _ template: String, _ path: String, headers: [(String, String)] = [], json: String? = nil,
                   sourceLocation: SourceLocation = #_sourceLocation) async throws -> [UInt8] {
            var all = headers
            if json != nil { all.append(("Content-Type", "application/json")) }
            let answer = try await s.raw(method, path, headers: all, body: json.map { Array($0.utf8) })
            let operationKey = "\(method.rawValue.lowercased()) \(template)"
            exercised.insert(operationKey)
            let problems = checker.check(method: method.rawValue.lowercased(), template: template, status: answer.status,
                                         contentType: answer.headers.first(name: "Content-Type"), body: answer.body)
            #expect(problems.isEmpty, "\(operationKey) → \(answer.status): \(problems.joined(separator: "; "))", sourceLocation: sourceLocation)
            return answer.body
        }

        let status = try await check(.GET, "/s/{n}", "/CN-31/status/1")
        let etag = "\"" + Hex.encode(SHA256.hash(status).prefix(16)) + "\""
        _ = try await check(.GET, "/s/{n}", "/CN-31/status/1", headers: [("If-None-Match", etag)])
        _ = try await check(.GET, "/s/{n}", "/CN-31/status/99")
        _ = try await check(.GET, "/v1/bundle", "/v1/bundle")
        let listing = try JSONDecoder().decode(TrustListing.self, from: Data(try await check(.GET, "/v1/trust", "/v1/trust")))
        for file in listing.files { _ = try await check(.GET, "/v1/trust/{name}", file.path) }
        _ = try await check(.GET, "/v1/trust/{name}", "/v1/trust/missing.pem")
        _ = try await check(.GET, "/v1/health", "/v1/health")
        _ = try await check(.GET, "/metrics", "/metrics")

        let challenge = try JSONDecoder().decode(ChallengeResponse.self,
                                                 from: Data(try await check(.POST, "/v1/challenges", "/v1/challenges", json: #"{"purpose":"enrol"}"#)))
        _ = try await check(.POST, "/v1/challenges", "/v1/challenges", json: #"{"purpose":"other"}"#)
        _ = try await check(.POST, "/v1/challenges", "/v1/challenges", headers: [("Content-Type", "text/plain")])
        let point = device.publicKey.compressedPoint
        let proof = try device.sign(ProofOfPossession.enrolment(challenge: Base64URL.decode(challenge.challenge, limit: 64)!, code: code.code, deviceKey: point))
        func enrolment(_ code: String, _ challenge: String, _ signature: [UInt8]) -> String {
            String(decoding: try! JSONEncoder().encode(EnrolmentRequest(code: code, deviceKey: Base64URL.encode(point), challenge: challenge,
                                                                        signature: Base64URL.encode(signature))), as: UTF8.self)
        }
        _ = try await check(.POST, "/v1/enrolments", "/v1/enrolments", json: enrolment("0000-0000-0000-0000", challenge.challenge, proof))
        let second = try await s.client.challenge(.enrol)
        let secondProof = try device.sign(ProofOfPossession.enrolment(challenge: Base64URL.decode(second.challenge, limit: 64)!, code: code.code, deviceKey: point))
        let credential = try JSONDecoder().decode(CredentialResponse.self,
                                                  from: Data(try await check(.POST, "/v1/enrolments", "/v1/enrolments", json: enrolment(code.code, second.challenge, secondProof))))
        _ = try await check(.POST, "/v1/enrolments", "/v1/enrolments", json: "{}")

        let refresh = try await s.client.challenge(.refresh)
        let id = Hex.decode(credential.credentialId)!
        let refreshProof = try device.sign(ProofOfPossession.refresh(challenge: Base64URL.decode(refresh.challenge, limit: 64)!, credentialID: id))
        let body = String(decoding: try JSONEncoder().encode(RefreshRequest(credentialId: credential.credentialId, challenge: refresh.challenge,
                                                                            signature: Base64URL.encode(refreshProof))), as: UTF8.self)
        _ = try await check(.POST, "/v1/refresh", "/v1/refresh", json: body)
        _ = try await check(.POST, "/v1/refresh", "/v1/refresh", json: body)  // the challenge again: challenge-used

        // An enrolment with a portrait: 202 and an application, then the application's state.
        let code2 = try s.issuer.openEnrolment(IssuerWorld.licence().documentNumber)
        let third = try await s.client.challenge(.enrol)
        let photo: [UInt8] = [0xFF, 0xD8, 0xFF, 0xDB, 1, 2, 3, 4]
        let thirdProof = try device.sign(ProofOfPossession.enrolment(challenge: Base64URL.decode(third.challenge, limit: 64)!, code: code2.code,
                                                                     deviceKey: point, portraitSHA256: SHA256.hash(photo)))
        let withPortrait = String(decoding: try JSONEncoder().encode(EnrolmentRequest(code: code2.code, deviceKey: Base64URL.encode(point), challenge: third.challenge,
                                                                                      signature: Base64URL.encode(thirdProof), portrait: Base64URL.encode(photo))), as: UTF8.self)
        let applied = try JSONDecoder().decode(ApplicationResponse.self, from: Data(try await check(.POST, "/v1/enrolments", "/v1/enrolments", json: withPortrait)))
        let asked = try await s.client.challenge(.application)
        let askedProof = try device.sign(ProofOfPossession.application(challenge: Base64URL.decode(asked.challenge, limit: 64)!, applicationID: applied.applicationId))
        let query = String(decoding: try JSONEncoder().encode(ApplicationRequest(challenge: asked.challenge, signature: Base64URL.encode(askedProof))), as: UTF8.self)
        _ = try await check(.POST, "/v1/applications/{id}", "/v1/applications/" + applied.applicationId, json: query)
        _ = try await check(.POST, "/v1/applications/{id}", "/v1/applications/" + applied.applicationId, json: query)  // challenge-used

        #expect(exercised == checker.operations, "documented but not exercised: \(checker.operations.subtracting(exercised))")
    }
}
