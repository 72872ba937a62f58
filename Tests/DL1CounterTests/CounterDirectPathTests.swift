import DL1HTTPServer
import DL1TestSupport
import DL1VerifyServer
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// `dl-verify serve` answers a code's text on the event loop; everything else, and the same
/// requests when the path is off, through the router. Both must give the same answers.
@Suite("Counter: the event-loop path")
struct CounterDirectPathTests {
    /// The requests compared: (name, query, headers, body).
    static func requests() throws -> [(String, String, [(String, String)], String)] {
        let valid = try CounterWorld.code(), revoked = try CounterWorld.code(index: CounterWorld.revokedIndex)
        let json = [("Content-Type", "application/json")]
        return [
            ("valid", "", json, #"{"text":"\#(valid)"}"#),
            ("revoked, in Chinese", "lang=zh", json, #"{"text":"\#(revoked)"}"#),
            ("category not held (query)", "category=A1", json, #"{"text":"\#(valid)"}"#),
            ("category not held (body), Accept-Language", "", json + [("Accept-Language", "zh-CN")], #"{"text":"\#(valid)","category":"A1"}"#),
            ("malformed code", "", json, #"{"text":"DL1:x"}"#),
            ("media type with parameters", "", [("Content-Type", " Application/JSON ; charset=utf-8")], #"{"text":"\#(valid)"}"#),
            ("unknown member", "", json, #"{"text":"DL1:x","categroy":"B"}"#),
            ("member twice", "", json, #"{"text":"DL1:x","text":"DL1:y"}"#),
            ("not JSON", "", json, "{"),
            ("unknown parameter", "profile=police", json, #"{"text":"DL1:x"}"#),
            ("bad language", "lang=fr", json, #"{"text":"DL1:x"}"#),
        ]
    }

    @Test("The event-loop path and the router answer alike, byte for byte, refusals included (rate limit and API tokens too)")
    func parity() async throws {
        let tokens = APITokens(labels: [:])
        for configure in [{ (o: inout CounterOptions) in o.profile = .rental },
                          { (o: inout CounterOptions) in o.clientRate = 1e-9; o.clientBurst = 2 },  // Retry-After: the 1-day cap
                          { (o: inout CounterOptions) in o.apiTokens = tokens }] {
            let direct = try await CounterWorld.start(direct: true, configure: configure)
            let routed = try await CounterWorld.start(direct: false, configure: configure)
            for (name, query, headers, body) in try Self.requests() {
                let path = "/v1/verify" + (query.isEmpty ? "" : "?" + query)
                let a = try await direct.request(.POST, path, headers: headers, body: Array(body.utf8))
                let b = try await routed.request(.POST, path, headers: headers, body: Array(body.utf8))
                #expect(a.status == b.status && a.body == b.body, "\(name): \(a.status) \(a.text.prefix(160)) / \(b.status) \(b.text.prefix(160))")
                #expect(Self.fields(a.headers) == Self.fields(b.headers), "\(name)")
                #expect(a.headers.first(name: "Date") != nil, "\(name): no Date")
            }
            #expect(direct.directAnswers > 0 && routed.directAnswers == 0, "the event-loop path was not used")
            await direct.stop()
            await routed.stop()
        }
    }

    @Test("The event-loop path takes POST /v1/verify with JSON (any query), nothing else, and nothing when CORS is on")
    func takes() async throws {
        let w = try await CounterWorld.start()
        defer { Task { await w.stop() } }
        let routes = try #require(w.service.directRoutes())
        func head(_ method: HTTPRequest.Method, _ path: String, _ type: String?) -> HTTPRequest {
            HTTPRequest(method: method, scheme: nil, authority: nil, path: path, headerFields: type.map { [.contentType: $0] } ?? [:])
        }
        let cases: [(HTTPRequest, Bool)] = [
            (head(.post, "/v1/verify", "application/json"), true),
            (head(.post, "/v1/verify?lang=zh&category=C1", "Application/JSON; charset=utf-8"), true),
            (head(.post, "/v1/verify", "image/png"), false),
            (head(.post, "/v1/verify", nil), false),
            (head(.post, "/v1/verifyx", "application/json"), false),
            (head(.post, "/v1/verify/x", "application/json"), false),
            (head(.get, "/v1/verify", "application/json"), false),
            (head(.get, "/v1/health", nil), false),
        ]
        for (request, taken) in cases {
            #expect((routes.route(request) != nil) == taken, "\(request.method) \(request.path ?? "") \(request.headerFields[.contentType] ?? "-")")
        }
        let cors = try await CounterWorld.start { $0.allowedOrigin = "https://desk.example" }
        defer { Task { await cors.stop() } }
        #expect(cors.service.directRoutes() == nil)
    }

    @Test("Pipelined requests on one connection are answered in order, whichever path answers each")
    func pipelined() async throws {
        let w = try await CounterWorld.start()
        defer { Task { await w.stop() } }
        let valid = try CounterWorld.code(), revoked = try CounterWorld.code(index: CounterWorld.revokedIndex)
        let png = try CounterWorld.png(revoked)
        func post(_ body: [UInt8], type: String, close: Bool = false) -> [UInt8] {
            Array("POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\n\(close ? "Connection: close\r\n" : "")\r\n".utf8) + body
        }
        let json = { (text: String) in Array(#"{"text":"\#(text)"}"#.utf8) }
        // Direct, routed (a photo: slow), direct-able but behind it, routed, then direct again.
        let requests = post(json(valid), type: "application/json") + post(png, type: "image/png") + post(json(revoked), type: "application/json")
            + Array("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n".utf8) + post(json("DL1:x"), type: "application/json", close: true)
        let answers = try await RawHTTP.exchange(requests, port: w.running.address.port)
        #expect(answers.map(\.status) == [200, 200, 200, 200, 200])
        let verdicts = answers.map { (try? JSONSerialization.jsonObject(with: Data($0.body))) as? [String: Any] }
            .map { (($0?["results"] as? [[String: Any]])?.first?["verdict"] as? String) ?? (($0?["status"] as? String).map { "health:" + $0 } ?? "?") }
        #expect(verdicts == ["VALID", "REVOKED", "REVOKED", "health:ok", "MALFORMED"])
    }

    /// Headers as compared: all but the date (the two servers answer at different seconds).
    static func fields(_ headers: HTTPHeaders) -> [String] {
        headers.filter { $0.name.lowercased() != "date" }.map { "\($0.name.lowercased()): \($0.value)" }.sorted()
    }
}

/// A raw HTTP/1.1 exchange: bytes sent on one connection as they are (pipelined), the answers
/// read until the server closes it (the last request asks it to).
enum RawHTTP {
    struct Answer {
        let status: Int
        let headers: [(String, String)]
        let body: [UInt8]
    }

    static func exchange(_ bytes: [UInt8], port: Int) async throws -> [Answer] {
        let group = MultiThreadedEventLoopGroup.singleton
        let done = group.next().makePromise(of: [UInt8].self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(done: done)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(30)) { channel.close(promise: nil) }
        defer { timeout.cancel() }
        return try parse(try await done.futureResult.get())
    }

    /// Splits a stream of answers (each with a Content-Length).
    static func parse(_ stream: [UInt8]) throws -> [Answer] {
        var answers: [Answer] = []
        var rest = stream[...]
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while !rest.isEmpty {
            guard let end = rest.firstRange(of: separator) else { throw RawHTTPError.truncated }
            let lines = String(decoding: rest[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            let status = Int(lines[0].split(separator: " ")[1]) ?? 0
            let headers = lines.dropFirst().map { line in
                let parts = line.split(separator: ":", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
            }
            let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
            let bodyStart = end.upperBound
            guard rest.distance(from: bodyStart, to: rest.endIndex) >= length else { throw RawHTTPError.truncated }
            let bodyEnd = rest.index(bodyStart, offsetBy: length)
            answers.append(Answer(status: status, headers: headers, body: Array(rest[bodyStart..<bodyEnd])))
            rest = rest[bodyEnd...]
        }
        return answers
    }

    enum RawHTTPError: Error { case truncated }

    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private var received: [UInt8] = []
        private let done: EventLoopPromise<[UInt8]>
        init(done: EventLoopPromise<[UInt8]>) { self.done = done }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += unwrapInboundIn(data).readableBytesView
        }
        func channelInactive(context: ChannelHandlerContext) {
            done.succeed(received)
        }
        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
