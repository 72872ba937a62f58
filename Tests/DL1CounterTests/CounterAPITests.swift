import AsyncHTTPClient
import DL1Crypto
import DL1Format
import DL1Raster
import DL1ServiceAPI
import DL1TestSupport
import DL1Verifier
@testable import DL1VerifyServer
import Foundation
import Logging
import NIOCore
import Testing

/// `dl-verify serve`'s API over real HTTP on loopback: text, PNG, JPEG and DL2 input, each
/// verdict, every bound, and what each profile lets out.
@Suite("Counter API")
struct CounterAPITests {
    @Test("Text, PNG, JPEG and DL2 input each give the verdict dl-verify gives, with the same JSON")
    func inputs() async throws {
        let w = try await CounterWorld.start()
        defer { Task { await w.stop() } }
        let valid = try CounterWorld.code()
        let text = try await w.verify(text: valid)
        #expect(text.status == 200 && text.verdict == "VALID" && text.result["source"] as? String == "text")
        #expect(text.json["language"] as? String == "en" && (text.json["reasons"] as? [String])?.first == text.result["reason"] as? String)
        // The same object as the library's JSON, after source.
        let expected = try Fixture.verifier(tokens: [CounterWorld.statusToken()]).verify(text: valid, at: Fixture.now).json(source: "text").serialized
        let results = try #require(text.json["results"] as? [Any])
        let sent = try JSONSerialization.jsonObject(with: Data(expected.utf8)) as? NSDictionary
        #expect(results.first as? NSDictionary == sent)

        let png = try await w.verify(image: try CounterWorld.png(valid), type: "image/png")
        #expect(png.status == 200 && png.verdict == "VALID" && png.result["source"] as? String == "image")
        #expect((png.result["read"] as? [String: Any])?["step"] as? String == "as is")
        let jpeg = try await w.verify(image: try CounterWorld.jpeg(try CounterWorld.code(index: CounterWorld.revokedIndex)), type: "image/jpeg")
        #expect(jpeg.status == 200 && jpeg.verdict == "REVOKED")

        let device = try P256PrivateKey()
        let dl2 = try await w.verify(text: try CounterWorld.presentation(device: device))
        #expect(dl2.verdict == "VALID" && (dl2.result["presentation"] as? [String: Any])?["signed_by_bound_device"] as? Bool == true)
        let stale = try await w.verify(text: try CounterWorld.presentation(device: device, time: Fixture.now - 600))
        #expect(stale.verdict == "STALE_PRESENTATION")
        let copied = try await w.verify(text: try CounterWorld.code(holder: device))
        #expect(copied.verdict == "UNBOUND_PRESENTATION")

        // Two codes in one photo: one result each, numbered.
        let left = try CounterWorld.png(valid), right = try CounterWorld.png(try CounterWorld.code(index: CounterWorld.suspendedIndex))
        let both = try await w.verify(image: try Self.sideBySide(left, right), type: "image/png")
        let sources = (both.json["results"] as? [[String: Any]])?.compactMap { $0["source"] as? String }.sorted()
        #expect(both.status == 200 && sources == ["image#1", "image#2"])
        let verdicts = (both.json["results"] as? [[String: Any]])?.compactMap { $0["verdict"] as? String }.sorted()
        #expect(verdicts == ["SUSPENDED", "VALID"])
    }

    @Test("Each verdict, with the request's options from the body or the query, and reasons in Chinese")
    func verdicts() async throws {
        let w = try await CounterWorld.start()
        defer { Task { await w.stop() } }
        let valid = try CounterWorld.code()
        let other = try TestPKI(rootFrom: Fixture.now - 400 * Fixture.day, signerFrom: Fixture.now - 100 * Fixture.day, signerUntil: Fixture.now + 265 * Fixture.day)
        let unknown = try Fixture.factory.text(Fixture.factory.claims(), signer: other.signer)
        var flipped = CodeFactory.Knobs()
        flipped.alterSignature = { signature in var s = signature; s[s.count - 1] ^= 1; return s }
        let forged = try Fixture.factory.text(Fixture.factory.claims(), signer: Fixture.pki.signer, knobs: flipped)
        // Signed before the document signer's certificate began (signerFrom is 100 days back).
        let beforeSigner = try CounterWorld.code(iat: Fixture.now - 101 * Fixture.day, exp: Fixture.now + Fixture.day)
        let expiredLicence = try Fixture.factory.text(Fixture.factory.claims(licence: Fixture.factory.licence(expiry: "2026-01-01")),
                                                      signer: Fixture.pki.signer)
        let device = try P256PrivateKey(), otherKey = try P256PrivateKey()
        var bound = Fixture.factory.claims()
        bound.holderKey = HolderKey(device.publicKey)!
        let otherDevice = try Fixture.factory.presentation(credential: try Fixture.factory.cose(bound, signer: Fixture.pki.signer),
                                                           time: UInt64(Fixture.now), device: otherKey)
        let cases: [(String, [String: Any], String, String)] = [
            ("valid", ["text": valid], "", "VALID"),
            ("malformed", ["text": "DL1:not base45"], "", "MALFORMED"),
            ("unknown signer", ["text": unknown], "", "UNKNOWN_SIGNER"),
            ("bad signature", ["text": forged], "", "BAD_SIGNATURE"),
            ("untrusted signer", ["text": beforeSigner], "", "UNTRUSTED_SIGNER"),
            ("licence expired", ["text": expiredLicence], "", "LICENCE_EXPIRED"),
            ("superseded", ["text": try CounterWorld.code(index: CounterWorld.supersededIndex)], "", "SUPERSEDED"),
            ("another device", ["text": otherDevice], "", "HOLDER_MISMATCH"),
            ("revoked", ["text": try CounterWorld.code(index: CounterWorld.revokedIndex)], "", "REVOKED"),
            ("suspended", ["text": try CounterWorld.code(index: CounterWorld.suspendedIndex)], "", "SUSPENDED"),
            ("not in any list", ["text": try CounterWorld.code(index: 5000)], "", "STATUS_UNKNOWN"),
            ("expired code", ["text": try CounterWorld.code(iat: Fixture.now - 3 * Fixture.day, exp: Fixture.now - 2 * Fixture.day)], "", "EXPIRED_CODE"),
            ("not yet valid", ["text": try CounterWorld.code(iat: Fixture.now + Fixture.day, exp: Fixture.now + 2 * Fixture.day)], "", "NOT_YET_VALID"),
            ("category in body", ["text": valid, "category": "D"], "", "CATEGORY_NOT_HELD"),
            ("category in query", ["text": valid], "category=D", "CATEGORY_NOT_HELD"),
            ("held category", ["text": valid, "category": "C1"], "", "VALID"),
            ("portrait hash", ["text": valid, "portrait_sha256": String(repeating: "ab", count: 32)], "", "PORTRAIT_MISMATCH"),
            ("portrait file", ["text": valid, "portrait": Data("portrait".utf8).base64EncodedString()], "", "VALID"),
            ("other portrait file", ["text": valid, "portrait": Data("someone else".utf8).base64EncodedString()], "", "PORTRAIT_MISMATCH"),
            ("binding required in body", ["text": valid, "require_holder_binding": true], "", "UNBOUND_PRESENTATION"),
            ("binding required in query", ["text": valid], "require_holder_binding=true", "UNBOUND_PRESENTATION"),
            ("body wins over query", ["text": valid, "require_holder_binding": false], "require_holder_binding=true", "VALID"),
        ]
        for (name, body, query, verdict) in cases {
            let answer = try await w.verify(json: body, query: query)
            #expect(answer.status == 200 && answer.verdict == verdict, "\(name): \(answer.status) \(answer.text.prefix(300))")
        }
        let chinese = try await w.verify(text: try CounterWorld.code(index: CounterWorld.revokedIndex), query: "lang=zh")
        #expect(chinese.json["language"] as? String == "zh" && chinese.result["reason"] as? String == "The licence has been revoked by the issuing authority.")
        #expect((chinese.json["reasons"] as? [String])?.first == Explanation.revoked.text(in: .chinese))
        let accepted = try await w.verify(text: valid, headers: [("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5")])
        #expect(accepted.json["language"] as? String == "zh")
    }

    @Test("Profiles: the police see everything; rental, insurer and employer only what their business needs")
    func profiles() async throws {
        let device = try P256PrivateKey()
        let dl2 = try CounterWorld.presentation(device: device)
        let expectations: [(CounterProfile, Set<String>, Set<String>)] = [
            (.police, ["document_number", "family_name", "given_name", "birth_date", "issue_date", "expiry_date", "issuing_country", "issuing_authority",
                       "driving_privileges", "portrait_sha256", "points"], ["source", "verdict", "reason", "check", "verified_at", "signer", "status", "presentation", "code", "licence"]),
            (.rental, ["family_name", "given_name", "issue_date", "expiry_date", "issuing_country", "issuing_authority", "driving_privileges"],
             ["source", "verdict", "reason", "check", "verified_at", "signer", "licence"]),
            (.insurer, ["document_number", "birth_date", "family_name", "given_name", "issue_date", "expiry_date", "issuing_country", "issuing_authority", "driving_privileges"],
             ["source", "verdict", "reason", "check", "verified_at", "signer", "licence"]),
            (.employer, ["points", "family_name", "given_name", "issue_date", "expiry_date", "issuing_country", "issuing_authority", "driving_privileges"],
             ["source", "verdict", "reason", "check", "verified_at", "signer", "licence"]),
        ]
        for (profile, licenceMembers, resultMembers) in expectations {
            let w = try await CounterWorld.start(profile: profile)
            let answer = try await w.verify(text: dl2)
            #expect(answer.verdict == "VALID", "\(profile)")
            #expect(Set(answer.licence.keys) == licenceMembers, "\(profile): \(answer.licence.keys.sorted())")
            #expect(Set(answer.result.keys) == resultMembers, "\(profile): \(answer.result.keys.sorted())")
            // Nothing held back leaks through another member.
            if profile != .police {
                #expect(!answer.text.contains(HolderKey(device.publicKey)!.thumbprint))
                #expect(!answer.text.contains("\"cti\"") && !answer.text.contains("portrait_sha256"))
                if profile != .insurer { #expect(!answer.text.contains("310101199001011234")) }
            }
            let trust = try await w.request(.GET, "/v1/trust")
            #expect(trust.json["profile"] as? String == profile.rawValue)
            await w.stop()
        }
    }

    @Test("Bounds: body and image size, text length, media type, query parameters; no code and unreadable images")
    func bounds() async throws {
        let w = try await CounterWorld.start { $0.maxImageBytes = 256 * 1024 }
        defer { Task { await w.stop() } }
        let cases: [(String, CounterWorld.Answer, UInt, String)] = [
            ("JSON body over 1 MiB", try await w.request(.POST, "/v1/verify", headers: [("Content-Type", "application/json")],
                                                          body: Array(repeating: UInt8(ascii: " "), count: CounterService.maxJSONBytes + 1)), 413, "body-too-large"),
            ("image over the bound", try await w.verify(image: [0x89, 0x50, 0x4E, 0x47] + Array(repeating: 0, count: 256 * 1024), type: "image/png"), 413, "body-too-large"),
            ("text over 8 KiB", try await w.verify(text: "DL1:" + String(repeating: "A", count: 8200)), 400, "malformed-request"),
            ("not JSON", try await w.request(.POST, "/v1/verify", headers: [("Content-Type", "application/json")], body: Array("{".utf8)), 400, "malformed-request"),
            ("no text member", try await w.verify(json: ["category": "C1"]), 400, "malformed-request"),
            ("misspelt member", try await w.verify(json: ["text": "DL1:x", "categroy": "B2"]), 400, "malformed-request"),
            ("not an object", try await w.request(.POST, "/v1/verify", headers: [("Content-Type", "application/json")], body: Array("[1,2]".utf8)), 400, "malformed-request"),
            ("text of the wrong type", try await w.verify(json: ["text": 5]), 400, "malformed-request"),
            ("other media type", try await w.request(.POST, "/v1/verify", headers: [("Content-Type", "text/plain")], body: Array("DL1:x".utf8)), 415, "unsupported-media-type"),
            ("no media type", try await w.request(.POST, "/v1/verify", body: Array("DL1:x".utf8)), 415, "unsupported-media-type"),
            ("unknown parameter", try await w.verify(text: "DL1:x", query: "profile=police"), 400, "malformed-request"),
            ("parameter twice", try await w.verify(text: "DL1:x", query: "category=B&category=C1"), 400, "malformed-request"),
            ("bad category", try await w.verify(text: "DL1:x", query: "category=%3Cscript%3E"), 400, "malformed-request"),
            ("bad portrait hash", try await w.verify(json: ["text": "DL1:x", "portrait_sha256": "abc"]), 400, "malformed-request"),
            ("both portrait forms", try await w.verify(json: ["text": "DL1:x", "portrait": "YWJj", "portrait_sha256": String(repeating: "0", count: 64)]), 400, "malformed-request"),
            ("portrait not base64", try await w.verify(json: ["text": "DL1:x", "portrait": "!!!"]), 400, "malformed-request"),
            ("bad binding flag", try await w.verify(text: "DL1:x", query: "require_holder_binding=maybe"), 400, "malformed-request"),
            ("bad language", try await w.verify(text: "DL1:x", query: "lang=fr"), 400, "malformed-request"),
            ("no code in the photo", try await w.verify(image: try PNGCodec.encode(GreyImage(width: 64, height: 64, fill: 200)), type: "image/png"), 422, "no-code"),
            ("not an image", try await w.verify(image: Array("hello".utf8), type: "image/jpeg"), 422, "image-unreadable"),
            ("truncated PNG", try await w.verify(image: Array(try CounterWorld.png("DL1:x").prefix(100)), type: "image/png"), 422, "image-unreadable"),
            ("unknown path", try await w.request(.GET, "/v1/nothing"), 404, "not-found"),
            ("wrong method", try await w.request(.GET, "/v1/verify"), 405, "method-not-allowed"),
            ("TRACE", try await w.request(.TRACE, "/v1/health"), 405, "method-not-allowed"),
            ("OPTIONS without CORS", try await w.request(.OPTIONS, "/v1/verify", headers: [("Origin", "https://a.example")]), 405, "method-not-allowed"),
        ]
        for (name, answer, status, code) in cases {
            #expect(answer.status == status && answer.problem == code, "\(name): \(answer.status) \(answer.text.prefix(200))")
            let detail = answer.json["detail"] as? String ?? ""
            #expect(!detail.isEmpty, "\(name) has no detail")
        }
        // The detail names what was wrong.
        let details: [(String, String)] = [
            ("unknown member 'categroy'", try await w.verify(json: ["text": "DL1:x", "categroy": "B2"]).json["detail"] as? String ?? ""),
            ("the body must be a JSON object", try await w.request(.POST, "/v1/verify", headers: [("Content-Type", "application/json")], body: Array("[1]".utf8)).json["detail"] as? String ?? ""),
            ("unknown parameter 'profile'", try await w.verify(text: "DL1:x", query: "profile=police").json["detail"] as? String ?? ""),
            ("the member 'text' is missing", try await w.verify(json: ["category": "C1"]).json["detail"] as? String ?? ""),
            ("'require_holder_binding' must be true or false", try await w.verify(text: "DL1:x", query: "require_holder_binding=maybe").json["detail"] as? String ?? ""),
            ("the portrait_sha256 must be 64 hex digits", try await w.verify(json: ["text": "DL1:x", "portrait_sha256": "abc"]).json["detail"] as? String ?? ""),
        ]
        for (expected, detail) in details { #expect(detail.contains(expected), "\(detail)") }
        // HEAD where GET is taken: the GET's status and headers, no body.
        let head = try await w.request(.HEAD, "/v1/health")
        #expect(head.status == 200 && head.body.isEmpty && head.headers.first(name: "Content-Type") == "application/json")
        #expect(try await w.request(.HEAD, "/").status == 200)
        // Images past the workers and the queue: 503, not an unbounded wait.
        for _ in 0..<w.service.imageSlots.limit { #expect(w.service.imageSlots.take()) }
        let busy = try await w.verify(image: try CounterWorld.png(try CounterWorld.code()), type: "image/png")
        #expect(busy.status == 503 && busy.problem == "busy")
        for _ in 0..<w.service.imageSlots.limit { w.service.imageSlots.give() }
        let again = try await w.verify(image: try CounterWorld.png(try CounterWorld.code()), type: "image/png")
        #expect(again.verdict == "VALID")
    }

    @Test("A photo whose body arrives too slowly is refused with 408, and its reading slot is given back")
    func slowUpload() async throws {
        let w = try await CounterWorld.start { $0.bodyDeadline = .milliseconds(500) }
        defer { Task { await w.stop() } }
        var request = HTTPClientRequest(url: w.baseURL + "/v1/verify")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "image/png")
        let png = try CounterWorld.png(try CounterWorld.code())
        request.body = .stream(AsyncStream<ByteBuffer> { continuation in
            continuation.yield(ByteBuffer(bytes: png.prefix(100)))
            Task {
                try? await Task.sleep(for: .seconds(3))
                continuation.yield(ByteBuffer(bytes: png.dropFirst(100)))
                continuation.finish()
            }
        }, length: .known(Int64(png.count)))
        let response = try await w.client.execute(request, timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 1 << 20)
        #expect(response.status.code == 408 && String(buffer: body).contains("request-timeout"))
        #expect(w.service.imageSlots.inUse == 0)
        #expect(try await w.verify(image: png, type: "image/png").verdict == "VALID")
    }

    @Test("One client has at most 2 photos in progress: a third, while two trickle in, is answered 429 at once; the two are then answered")
    func photosPerClient() async throws {
        let w = try await CounterWorld.start { $0.bodyDeadline = .seconds(30); $0.clientRate = 10 }
        defer { Task { await w.stop() } }
        let png = try CounterWorld.png(try CounterWorld.code())
        // Two uploads that send their first 100 bytes, then wait until released.
        var uploads: [(Task<(UInt, String), any Error>, AsyncStream<ByteBuffer>.Continuation)] = []
        for _ in 0..<2 {
            let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
            continuation.yield(ByteBuffer(bytes: png.prefix(100)))
            var request = HTTPClientRequest(url: w.baseURL + "/v1/verify")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "image/png")
            request.body = .stream(stream, length: .known(Int64(png.count)))
            let client = w.client
            uploads.append((Task {
                let response = try await client.execute(request, timeout: .seconds(30))
                return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
            }, continuation))
        }
        for _ in 0..<100 where w.service.imageSlots.inUse < 2 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(w.service.imageSlots.inUse == 2)
        let third = try await w.verify(image: png, type: "image/png")
        #expect(third.status == 429 && third.problem == "rate-limited" && third.headers.first(name: "Retry-After") == "1")
        #expect((third.json["detail"] as? String)?.contains("already has 2 photos being verified") == true)
        for (_, continuation) in uploads {
            continuation.yield(ByteBuffer(bytes: png.dropFirst(100)))
            continuation.finish()
        }
        for (task, _) in uploads {
            let (status, body) = try await task.value
            #expect(status == 200 && body.contains("\"verdict\":\"VALID\""), "\(status) \(body)")
        }
        #expect(w.service.imageSlots.inUse == 0)
        #expect(try await w.verify(image: png, type: "image/png").verdict == "VALID")
        #expect(w.service.clientImages?.inUse("127.0.0.1") == 0)
        // With the rate limit off (behind a proxy), there is no per-client bound.
        let open = try await CounterWorld.start { _ in }
        defer { Task { await open.stop() } }
        #expect(open.service.clientImages == nil)
    }

    @Test("Per-client rate limit: 429 with Retry-After past the burst")
    func rateLimit() async throws {
        let w = try await CounterWorld.start { $0.clientRate = 0.01; $0.clientBurst = 3 }
        defer { Task { await w.stop() } }
        for _ in 0..<3 { #expect(try await w.verify(text: "DL1:x").status == 200) }
        let limited = try await w.verify(text: "DL1:x")
        #expect(limited.status == 429 && limited.problem == "rate-limited" && Int(limited.headers.first(name: "Retry-After") ?? "") ?? 0 >= 1)
        // The page and health are not limited.
        #expect(try await w.request(.GET, "/").status == 200)
        #expect(try await w.request(.GET, "/v1/health").status == 200)
    }

    @Test("API tokens: stored hashed, required when configured, a missing or wrong one answered 401")
    func apiTokens() async throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("tokens").path
        let first = try APITokens.make(label: "desk-1"), second = try APITokens.make(label: "desk-2")
        try APITokens.append(first.line, to: file)
        try APITokens.append(second.line, to: file)
        let stored = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!stored.contains(first.token) && !stored.contains(second.token) && stored.contains("desk-2"))
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let tokens = try APITokens.load(file: file)
        #expect(tokens.labels.count == 2)
        #expect(throws: APITokens.FileError.self) { try APITokens.make(label: "no spaces") }
        try "sha256:abcd desk\n".write(toFile: file + ".bad", atomically: true, encoding: .utf8)
        #expect(throws: APITokens.FileError.self) { try APITokens.load(file: file + ".bad") }

        let w = try await CounterWorld.start { $0.apiTokens = tokens }
        defer { Task { await w.stop() } }
        let none = try await w.verify(text: "DL1:x")
        #expect(none.status == 401 && none.problem == "unauthorized" && none.headers.first(name: "WWW-Authenticate") == "Bearer realm=\"dl-verify\"")
        let wrong = try await w.verify(text: "DL1:x", headers: [("Authorization", "Bearer dl1_wrong")])
        #expect(wrong.status == 401 && wrong.problem == "unauthorized")
        let right = try await w.verify(text: "DL1:x", headers: [("Authorization", "Bearer " + second.token)])
        #expect(right.status == 200 && right.verdict == "MALFORMED")
        #expect(try await w.request(.GET, "/").status == 200)
    }

    @Test("The page: security headers, ETag revalidation, no CORS unless an origin is allowed")
    func pageAndCORS() async throws {
        let w = try await CounterWorld.start()
        defer { Task { await w.stop() } }
        let page = try await w.request(.GET, "/")
        #expect(page.status == 200 && page.headers.first(name: "Content-Type") == "text/html; charset=utf-8")
        let csp = page.headers.first(name: "Content-Security-Policy") ?? ""
        #expect(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe"))
        #expect(page.headers.first(name: "X-Frame-Options") == "DENY" && page.headers.first(name: "X-Content-Type-Options") == "nosniff"
                && page.headers.first(name: "Referrer-Policy") == "no-referrer")
        #expect(page.text.contains("app.js") && page.text.contains("app.css"))
        let etag = try #require(page.headers.first(name: "ETag"))
        #expect(try await w.request(.GET, "/", headers: [("If-None-Match", etag)]).status == 304)
        for asset in ["/app.js", "/app.css"] {
            let answer = try await w.request(.GET, asset)
            #expect(answer.status == 200 && !answer.body.isEmpty && answer.headers.first(name: "Content-Security-Policy") == csp, "\(asset)")
        }
        let crossOrigin = try await w.verify(text: "DL1:x", headers: [("Origin", "https://elsewhere.example")])
        #expect(crossOrigin.headers.first(name: "Access-Control-Allow-Origin") == nil)

        let open = try await CounterWorld.start { $0.allowedOrigin = "https://rental.example" }
        defer { Task { await open.stop() } }
        let preflight = try await open.request(.OPTIONS, "/v1/verify", headers: [("Origin", "https://rental.example"), ("Access-Control-Request-Method", "POST")])
        #expect(preflight.headers.first(name: "Access-Control-Allow-Origin") == "https://rental.example")
        let allowed = try await open.verify(text: "DL1:x", headers: [("Origin", "https://rental.example")])
        #expect(allowed.headers.first(name: "Access-Control-Allow-Origin") == "https://rental.example")
        // Errors keep their problem documents with CORS on (the page's own POSTs carry Origin too).
        let bad = try await open.verify(text: "DL1:x", query: "lang=fr", headers: [("Origin", "null")])
        #expect(bad.status == 400 && bad.problem == "malformed-request")
        let noCode = try await open.request(.POST, "/v1/verify", headers: [("Content-Type", "image/png"), ("Origin", "https://rental.example")],
                                            body: try PNGCodec.encode(GreyImage(width: 64, height: 64, fill: 200)))
        #expect(noCode.status == 422 && noCode.problem == "no-code" && noCode.headers.first(name: "Access-Control-Allow-Origin") == "https://rental.example")
    }

    @Test("Trust and health report the status data's age; changed files are loaded again, broken ones leave the last good data")
    func trustAndReload() async throws {
        let w = try await CounterWorld.start()
        defer { Task { await w.stop() } }
        let trust = try await w.request(.GET, "/v1/trust")
        #expect(trust.status == 200 && trust.json["oldest_status_age_seconds"] as? Int == 600)
        let lists = try #require(trust.json["status_lists"] as? [[String: Any]])
        #expect(lists.count == 1 && lists[0]["stale"] as? Bool == false && lists[0]["uri"] as? String == "https://dl.example/CN-31/status/1")
        #expect((trust.json["signers"] as? [[String: Any]])?.count == 1 && (trust.json["roots"] as? [[String: Any]])?.count == 1)
        let health = try await w.request(.GET, "/v1/health")
        #expect(health.json["status"] as? String == "ok" && health.json["status_lists"] as? Int == 1 && health.json["last_reload_error"] is NSNull)

        #expect(w.service.reloadIfChanged() == .unchanged)
        let valid = try CounterWorld.code()
        #expect(try await w.verify(text: valid).verdict == "VALID")
        // A revocation arrives (as `dl-verify sync` or a copied file would bring it).
        try Data(try CounterWorld.statusToken(entries: [7: .invalid], iat: Fixture.now - 60)).write(to: w.statusFile, options: .atomic)
        #expect(w.service.reloadIfChanged() == .reloaded(warnings: 0))
        #expect(try await w.verify(text: valid).verdict == "REVOKED")
        #expect(try await w.request(.GET, "/v1/trust").json["oldest_status_age_seconds"] as? Int == 60)
        // A trust folder that loses its root cannot be loaded: the last good data stays.
        try FileManager.default.removeItem(at: w.trustFolder.appendingPathComponent("root.pem"))
        guard case .failed(let why) = w.service.reloadIfChanged() else { Issue.record("a broken trust folder was loaded"); return }
        #expect(why.contains("root"))
        #expect(try await w.verify(text: valid).verdict == "REVOKED")
        #expect(w.service.reloadIfChanged() == .unchanged)  // not retried until the files change again
        let degraded = try await w.request(.GET, "/v1/health")
        #expect(degraded.json["status"] as? String == "degraded" && (degraded.json["last_reload_error"] as? String ?? "").contains("root"))
    }

    @Test("Nothing personal in the log, even at trace level")
    func logsNothingPersonal() async throws {
        let sink = LogSink()
        var logger = Logger(label: "test.counter.log") { _ in sink }
        logger.logLevel = .trace
        let w = try await CounterWorld.start(logger: logger)
        defer { Task { await w.stop() } }
        let code = try CounterWorld.code(index: CounterWorld.revokedIndex)
        _ = try await w.verify(text: code, query: "category=C1")
        _ = try await w.verify(image: try CounterWorld.png(code), type: "image/png")
        _ = try await w.verify(text: "DL1:garbage")
        let log = sink.text
        #expect(!log.isEmpty)
        for secret in ["310101199001011234", "张", "小明", String(code.dropFirst(4).prefix(40)), "1990-01-01"] {
            #expect(!log.contains(secret), "the log holds \(secret)")
        }
    }

    /// Two PNGs side by side on one white canvas.
    static func sideBySide(_ a: [UInt8], _ b: [UInt8]) throws -> [UInt8] {
        let left = try ImageDecoder.decode(a), right = try ImageDecoder.decode(b)
        var canvas = GreyImage(width: left.width + right.width + 40, height: max(left.height, right.height), fill: 255)
        for y in 0..<left.height { for x in 0..<left.width { canvas.pixels[y * canvas.width + x] = left.pixels[y * left.width + x] } }
        for y in 0..<right.height { for x in 0..<right.width { canvas.pixels[y * canvas.width + left.width + 40 + x] = right.pixels[y * right.width + x] } }
        return try PNGCodec.encode(canvas)
    }
}

/// Collects every log line, for tests that read the log.
final class LogSink: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        lock.withLock { lines.append("\(event.level) \(event.message) \(event.metadata ?? [:]) \(metadata)") }
    }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }
}
