import DL1TestSupport
@testable import DL1VerifyServer
import Foundation
import NIOHTTP1
import Testing

/// openapi/dl-verify-serve.json against the running counter: every documented operation is
/// called with good and bad input; each answer's status and media type must be documented and
/// a JSON body must satisfy its schema (the result objects: schemas/dl-verify-result.schema.json).
@Suite("Counter OpenAPI document")
struct CounterOpenAPITests {
    static let documentURL = CounterToolTests.repo.appendingPathComponent("openapi/dl-verify-serve.json")

    @Test("Every operation answers as openapi/dl-verify-serve.json documents it")
    func conformance() async throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.documentURL)) as? [String: Any])
        let checker = SchemaChecker(document: document, location: Self.documentURL)
        let w = try await CounterWorld.start { $0.clientRate = 0.001; $0.clientBurst = 30; $0.apiTokens = APITokens(labels: [:]) }
        defer { Task { await w.stop() } }
        var exercised = Set<String>()
        func check(_ method: HTTPMethod, _ path: String, template: String? = nil, headers: [(String, String)] = [], body: [UInt8]? = nil,
                   sourceLocation: SourceLocation = #_sourceLocation) async throws -> CounterWorld.Answer {
            let template = template ?? path.split(separator: "?").first.map(String.init)!
            let answer = try await w.request(method, path, headers: headers, body: body)
            let key = "\(method.rawValue.lowercased()) \(template)"
            exercised.insert(key)
            let problems = checker.check(method: method.rawValue.lowercased(), template: template, status: answer.status,
                                         contentType: answer.headers.first(name: "Content-Type"), body: answer.body)
            #expect(problems.isEmpty, "\(key) → \(answer.status): \(problems.joined(separator: "; "))", sourceLocation: sourceLocation)
            return answer
        }
        let json = [("Content-Type", "application/json")]
        let page = try await check(.GET, "/")
        _ = try await check(.GET, "/", headers: [("If-None-Match", page.headers.first(name: "ETag") ?? "")])
        _ = try await check(.GET, "/app.js")
        _ = try await check(.GET, "/app.css")
        _ = try await check(.GET, "/v1/trust")
        _ = try await check(.GET, "/v1/health")
        _ = try await check(.GET, "/metrics")
        // The API with a token required but none accepted: 401.
        #expect(try await check(.POST, "/v1/verify", headers: json, body: Array(#"{"text":"DL1:x"}"#.utf8)).status == 401)

        let open = try await CounterWorld.start { $0.clientRate = 0.001; $0.clientBurst = 12; $0.maxImageBytes = 64 * 1024 }
        defer { Task { await open.stop() } }
        func verify(_ query: String = "", headers: [(String, String)], body: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) async throws -> CounterWorld.Answer {
            let answer = try await open.request(.POST, "/v1/verify" + query, headers: headers, body: body)
            let problems = checker.check(method: "post", template: "/v1/verify", status: answer.status,
                                         contentType: answer.headers.first(name: "Content-Type"), body: answer.body)
            #expect(problems.isEmpty, "post /v1/verify → \(answer.status): \(problems.joined(separator: "; "))", sourceLocation: sourceLocation)
            return answer
        }
        let statuses = [
            try await verify(headers: json, body: Array("{\"text\":\"\(try CounterWorld.code())\"}".utf8)).status,
            try await verify("?lang=zh&category=C1", headers: [("Content-Type", "image/png")], body: try CounterWorld.png(try CounterWorld.code(index: 8))).status,
            try await verify(headers: [("Content-Type", "image/jpeg")], body: try CounterWorld.jpeg(try CounterWorld.code())).status,
            try await verify("?lang=xx", headers: json, body: Array(#"{"text":"DL1:x"}"#.utf8)).status,
            try await verify(headers: [("Content-Type", "image/png")], body: Array(repeating: 1, count: 64 * 1024 + 1)).status,
            try await verify(headers: [("Content-Type", "text/plain")], body: Array("DL1:x".utf8)).status,
            try await verify(headers: [("Content-Type", "image/png")], body: Array("not a png".utf8)).status,
        ]
        #expect(statuses == [200, 200, 200, 400, 413, 415, 422])
        var limited: UInt = 0
        for _ in 0..<10 where limited != 429 { limited = try await verify(headers: json, body: Array(#"{"text":"DL1:x"}"#.utf8)).status }
        #expect(limited == 429)
        exercised.insert("post /v1/verify")
        #expect(exercised == checker.operations, "documented but not exercised: \(checker.operations.subtracting(exercised))")
    }
}
