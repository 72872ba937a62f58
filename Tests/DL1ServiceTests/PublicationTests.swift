import DL1Crypto
import DL1Format
import DL1HTTPServer
import DL1Issuer
import DL1IssuerTestSupport
import DL1ServiceAPI
@testable import DL1ServiceClient
import DL1TestSupport
import DL1Verifier
import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOHTTP1
import Testing

@Suite("Publication over HTTP")
struct PublicationTests {
    @Test("A status list is served at the path of its URI with ETag, Last-Modified and max-age from its ttl; If-None-Match gives 304")
    func statusListCaching() async throws {
        let s = try await ServiceWorld.start()
        defer { Task { await s.stop() } }
        let code = try s.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(86_400), output: nil)
        try s.service.publishNow()
        let path = "/CN-31/status/1"
        let first = try await s.raw(.GET, path)
        #expect(first.status == 200)
        #expect(first.headers.first(name: "Content-Type") == "application/statuslist+cwt")
        #expect(first.headers.first(name: "Cache-Control") == "public, max-age=\(s.issuer.settings.statusTimeToLive)")
        #expect(first.headers.first(name: "Last-Modified") == HTTPDate.format(s.clock.now))
        let etag = try #require(first.headers.first(name: "ETag"))
        let token = try StatusListToken(bytes: first.body)
        #expect(token.claims.uri == "https://dl.example/CN-31/status/1")

        for condition in [etag, "W/" + etag, "\"other\", " + etag, "*"] {
            let again = try await s.raw(.GET, path, headers: [("If-None-Match", condition)])
            #expect(again.status == 304 && again.body.isEmpty, "\(condition)")
            #expect(again.headers.first(name: "ETag") == etag)
        }
        // Not re-signed per request: the same bytes until something changes.
        #expect(try await s.raw(.GET, path).body == first.body)
        #expect(try s.service.publishNow() == false)

        // A revocation is published at the next round, under a new ETag.
        s.clock.advance(5)
        try s.issuer.revoke("310101199001011234", reason: "fraud")
        #expect(try s.service.publishNow())
        let after = try await s.raw(.GET, path, headers: [("If-None-Match", etag)])
        #expect(after.status == 200 && after.headers.first(name: "ETag") != etag)
        #expect(try StatusListToken(bytes: after.body).claims.issuedAt == s.clock.now)
        let clock = s.clock
        let verifier = Verifier(trustStore: s.world.trust, statusTokens: [try StatusListToken(bytes: after.body)], options: .init(clock: { clock.now }))
        #expect(verifier.verify(text: code.text).verdict == .revoked)
    }

    @Test("Published resources are answered alike on the event-loop path and through the router")
    func directParity() async throws {
        let s = try await ServiceWorld.start(direct: true)
        defer { Task { await s.stop() } }
        _ = try s.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(86_400), output: nil)
        try s.service.publishNow()
        // The same service behind a second server that routes every request.
        let routed = try await RunningService.start(router: s.service.router(), logger: ServiceWorld.logger, executor: ThreadExecutor.shared)
        defer { Task { await routed.stop() } }
        let etag = try #require(try await s.raw(.GET, "/CN-31/status/1").headers.first(name: "ETag"))
        let requests: [(HTTPMethod, String, [(String, String)])] = [
            (.GET, "/CN-31/status/1", []), (.GET, "/CN-31/status/1", [("If-None-Match", etag)]), (.GET, "/CN-31/status/1", [("If-None-Match", "\"x\"")]),
            (.GET, ServicePath.bundle, []), (.GET, "/CN-31/status/2", []), (.GET, "/CN-31/status/1?x=1", []), (.HEAD, "/CN-31/status/1", []),
            (.GET, ServicePath.trust, []), (.GET, ServicePath.health, []),
        ]
        #expect(s.service.directRoutes().route(HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/CN-31/status/1")) != nil)
        #expect(s.service.directRoutes().route(HTTPRequest(method: .get, scheme: nil, authority: nil, path: ServicePath.bundle)) != nil)
        for (method, path, headers) in requests {
            let a = try await s.raw(method, path, headers: headers)
            var request = HTTPClientRequest(url: routed.baseURL() + path)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let response = try await s.client.client.execute(request, timeout: .seconds(30))
            let body = Array(try await response.body.collect(upTo: 1 << 24).readableBytesView)
            #expect(a.status == response.status.code && a.body == body, "\(method) \(path): \(a.status) / \(response.status.code)")
            let fields = { (h: HTTPHeaders) -> [String] in h.filter { $0.name.lowercased() != "date" }.map { $0.name.lowercased() + ": " + $0.value }.sorted() }
            #expect(fields(a.headers) == fields(response.headers), "\(method) \(path)")
            #expect(a.headers.first(name: "Date") != nil)
        }
    }

    @Test("Tokens are re-signed before they go stale even when nothing changed")
    func resignBeforeStale() async throws {
        let s = try await ServiceWorld.start()
        defer { Task { await s.stop() } }
        _ = try s.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(86_400), output: nil)
        try s.service.publishNow()
        let first = try await s.raw(.GET, "/CN-31/status/1")
        s.clock.advance(s.issuer.settings.statusTimeToLive / 2 - 10)
        #expect(try s.service.publishNow() == false)
        s.clock.advance(20)
        #expect(try s.service.publishNow())
        let second = try await s.raw(.GET, "/CN-31/status/1")
        #expect(try StatusListToken(bytes: second.body).claims.issuedAt == s.clock.now)
        #expect(second.headers.first(name: "ETag") != first.headers.first(name: "ETag"))
    }

    @Test("The bundle, the trust listing and each trust file, with caching; health and metrics")
    func bundleAndTrust() async throws {
        let s = try await ServiceWorld.start()
        defer { Task { await s.stop() } }
        _ = try s.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(86_400), output: nil)
        try s.service.publishNow()
        let bundle = try await s.raw(.GET, ServicePath.bundle)
        #expect(bundle.status == 200 && bundle.headers.first(name: "Content-Type") == "application/cbor")
        let decoded = try HandheldBundle(bytes: bundle.body)
        #expect(decoded.statusTokens.count == 1 && decoded.certificates.count >= 1)
        let etag = try #require(bundle.headers.first(name: "ETag"))
        #expect(try await s.raw(.GET, ServicePath.bundle, headers: [("If-None-Match", etag)]).status == 304)

        let listing = try JSONDecoder().decode(TrustListing.self, from: Data(try await s.raw(.GET, ServicePath.trust).body))
        #expect(listing.statusLists == ["https://dl.example/CN-31/status/1"])
        let root = try #require(listing.files.first { $0.name == "root.pem" })
        let file = try await s.raw(.GET, root.path)
        #expect(Hex.encode(SHA256.hash(file.body)) == root.sha256)
        #expect(try Certificate.parseAll(pem: file.body).first?.der == s.issuer.rootCertificate.der)
        #expect(try await s.raw(.GET, ServicePath.trust + "/..%2Fprivate%2Froot.key.pem").status == 404)

        let health = try JSONDecoder().decode(HealthResponse.self, from: Data(try await s.raw(.GET, ServicePath.health).body))
        #expect(health.status == "ok" && health.statusLists == 1 && health.statusListsIssuedAt == s.clock.now)
        let metrics = String(decoding: try await s.raw(.GET, ServicePath.metrics).body, as: UTF8.self)
        #expect(metrics.contains("dl1_published_responses_total"), "\(metrics.prefix(400))")
    }

    @Test("Every error is a problem document: unknown path, wrong method, wrong media type, too large, malformed JSON")
    func problems() async throws {
        let s = try await ServiceWorld.start()
        defer { Task { await s.stop() } }
        func decode(_ answer: (status: UInt, headers: HTTPHeaders, body: [UInt8])) throws -> Problem {
            #expect(answer.headers.first(name: "Content-Type") == ServiceMediaType.problem)
            #expect(answer.headers.first(name: "X-Content-Type-Options") == "nosniff")
            let problem = try JSONDecoder().decode(Problem.self, from: Data(answer.body))
            #expect(UInt(problem.status) == answer.status)
            return problem
        }
        #expect(try decode(try await s.raw(.GET, "/nothing/here")).code == "not-found")
        let wrongMethod = try decode(try await s.raw(.DELETE, ServicePath.challenges))
        #expect([404, 405].contains(wrongMethod.status))
        let untyped = try decode(try await s.raw(.POST, ServicePath.challenges, headers: [("Content-Type", "text/plain")], body: Array("{}".utf8)))
        #expect(untyped.code == "unsupported-media-type" && untyped.status == 415)
        let big = try decode(try await s.raw(.POST, ServicePath.challenges, headers: [("Content-Type", "application/json")],
                                             body: [UInt8](repeating: 0x20, count: 17 * 1024)))
        #expect(big.code == "body-too-large" && big.status == 413)
        let missing = try decode(try await s.raw(.POST, ServicePath.challenges, headers: [("Content-Type", "application/json")], body: Array("{}".utf8)))
        #expect(missing.code == "malformed-request" && missing.detail.contains("purpose"))
        let wrongType = try decode(try await s.raw(.POST, ServicePath.refresh, headers: [("Content-Type", "application/json")],
                                                   body: Array(#"{"credentialId": 5, "challenge": "x", "signature": "y"}"#.utf8)))
        #expect(wrongType.code == "malformed-request" && wrongType.detail.contains("credentialId"))
        let notJSON = try decode(try await s.raw(.POST, ServicePath.enrolments, headers: [("Content-Type", "application/json")], body: Array("{".utf8)))
        #expect(notJSON.code == "malformed-request")
    }

    @Test("Per-client rate limit: 429 with Retry-After once the burst is spent")
    func rateLimit() async throws {
        let s = try await ServiceWorld.start { options in
            options.clientRate = 0.01
            options.clientBurst = 3
        }
        defer { Task { await s.stop() } }
        for _ in 1...3 { _ = try await s.client.challenge(.enrol) }
        await expectProblem(.rateLimited, status: 429) { try await s.client.challenge(.enrol) }
        let answer = try await s.raw(.POST, ServicePath.challenges, headers: [("Content-Type", "application/json")], body: Array(#"{"purpose":"enrol"}"#.utf8))
        #expect(answer.status == 429 && Int(answer.headers.first(name: "Retry-After") ?? "") ?? 0 >= 1)
        // Publication is not limited.
        #expect(try await s.raw(.GET, ServicePath.bundle).status == 200)
    }

    @Test("Oversized headers are refused and the server keeps serving")
    func headerBound() async throws {
        let s = try await ServiceWorld.start()
        defer { Task { await s.stop() } }
        let huge = String(repeating: "a", count: 20 * 1024)
        do {
            let answer = try await s.raw(.GET, ServicePath.health, headers: [("X-Filler", huge)])
            #expect(answer.status >= 400)
        } catch {
            // The server may close the connection instead of answering: both refuse it.
        }
        #expect(try await s.raw(.GET, ServicePath.health).status == 200)
    }
}
