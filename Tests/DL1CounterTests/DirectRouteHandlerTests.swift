@testable import DL1HTTPServer
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

/// The event-loop path's decisions, on an embedded channel: which requests it answers, which it
/// passes to the router, and what it writes.
@Suite("Direct routes")
struct DirectRouteHandlerTests {
    /// `POST /echo` (bodies up to 16 bytes) and `GET /fixed` are taken; the rest is routed.
    static let routes = DirectRoutes { head in
        switch (head.method, head.path) {
        case (.post, "/echo"?):
            return DirectRoutes.Handler(maxBodyBytes: 16) { request in
                DirectAnswer(status: .ok, headers: [.contentType: "text/plain"], body: request.body)
            }
        case (.get, "/fixed"?), (.head, "/fixed"?):
            return DirectRoutes.Handler { _ in DirectAnswer(status: .ok, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "fixed")) }
        case (.get, "/big"?):
            return DirectRoutes.Handler { _ in DirectAnswer(status: .ok, headers: [:], body: ByteBuffer(repeating: 0x61, count: 40 * 1024)) }
        case (.get, "/unchanged"?):
            return DirectRoutes.Handler { _ in DirectAnswer(status: .notModified, headers: [.eTag: "\"1\""]) }
        default:
            return nil
        }
    }

    static func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(DirectRouteHandler(routes: routes))
        return channel
    }

    static func send(_ channel: EmbeddedChannel, _ method: HTTPRequest.Method, _ path: String, headers: HTTPFields = [:], body: String? = nil) throws {
        var fields = headers
        if let body, fields[.contentLength] == nil, fields[.transferEncoding] == nil { fields[.contentLength] = String(body.utf8.count) }
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: method, scheme: nil, authority: nil, path: path, headerFields: fields)))
        if let body { try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: body))) }
        try channel.writeInbound(HTTPRequestPart.end(nil))
    }

    /// The parts the handler wrote, as (status, headers, body) per answer.
    static func answers(_ channel: EmbeddedChannel) throws -> [(HTTPResponse, String)] {
        channel.embeddedEventLoop.run()  // the flush comes after the round's reads
        var out: [(HTTPResponse, String)] = []
        var head: HTTPResponse?
        var body = ""
        while let part = try channel.readOutbound(as: HTTPResponsePart.self) {
            switch part {
            case .head(let h): head = h; body = ""
            case .body(let b): body += String(buffer: b)
            case .end: out.append((head!, body))
            }
        }
        return out
    }

    /// The request parts passed on to the router, as "METHOD path" per head.
    static func routed(_ channel: EmbeddedChannel) throws -> [String] {
        var out: [String] = []
        while let part = try channel.readInbound(as: HTTPRequestPart.self) {
            if case .head(let h) = part { out.append("\(h.method.rawValue) \(h.path ?? "")") }
        }
        return out
    }

    @Test("A taken request is answered in the pipeline with Content-Length and Date, and nothing reaches the router")
    func taken() throws {
        let channel = try Self.channel()
        try Self.send(channel, .post, "/echo", body: "hello")
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil, "flushed before the round ended")
        let answers = try Self.answers(channel)
        #expect(answers.count == 1)
        #expect(answers.first?.0.status == .ok && answers.first?.1 == "hello")
        #expect(answers.first?.0.headerFields[.contentLength] == "5")
        #expect(answers.first?.0.headerFields[.date]?.hasSuffix(" GMT") == true)
        #expect(try Self.routed(channel).isEmpty)
    }

    @Test("A body in several parts is gathered; HEAD gets the length and no body; 304 gets neither")
    func bodies() throws {
        let channel = try Self.channel()
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/echo", headerFields: [.contentLength: "6"])))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "abc")))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "def")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try Self.send(channel, .head, "/fixed")
        try Self.send(channel, .get, "/unchanged")
        let answers = try Self.answers(channel)
        #expect(answers.map(\.1) == ["abcdef", "", ""])
        #expect(answers[1].0.headerFields[.contentLength] == "5")
        #expect(answers[2].0.status == .notModified && answers[2].0.headerFields[.contentLength] == nil)
    }

    @Test("Routed: another path, Connection: close, a chunked or oversized body, an unwritable connection")
    func routedRequests() throws {
        let cases: [(String, (EmbeddedChannel) throws -> Void)] = [
            ("GET /other", { try Self.send($0, .get, "/other") }),
            ("GET /fixed", { try Self.send($0, .get, "/fixed", headers: [.connection: "close"]) }),
            ("POST /echo", { try Self.send($0, .post, "/echo", headers: [.transferEncoding: "chunked"], body: "abc") }),
            ("POST /echo", { try Self.send($0, .post, "/echo", body: String(repeating: "x", count: 17)) }),
            ("GET /fixed", { channel in
                channel.isWritable = false
                try Self.send(channel, .get, "/fixed")
            }),
        ]
        for (expected, send) in cases {
            let channel = try Self.channel()
            try send(channel)
            #expect(try Self.routed(channel) == [expected])
            #expect(try Self.answers(channel).isEmpty, "\(expected) was answered directly")
        }
    }

    @Test("While a routed request is unanswered, later ones are routed too (answers keep the requests' order); then the direct path resumes")
    func order() throws {
        let channel = try Self.channel()
        try Self.send(channel, .get, "/other")
        try Self.send(channel, .get, "/fixed")
        #expect(try Self.routed(channel) == ["GET /other", "GET /fixed"])
        // The router answers both.
        for _ in 0..<2 {
            try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
            try channel.writeOutbound(HTTPResponsePart.end(nil))
        }
        #expect(try Self.answers(channel).count == 2)
        try Self.send(channel, .get, "/fixed")
        #expect(try Self.routed(channel).isEmpty)
        #expect(try Self.answers(channel).map(\.1) == ["fixed"])
    }

    @Test("More body than the handler takes, despite a Content-Length within its bound (a broken decoder), is answered 413 and the connection closed")
    func overflow() throws {
        let channel = try Self.channel()
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/echo", headerFields: [.contentLength: "3"])))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: String(repeating: "x", count: 17))))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.embeddedEventLoop.run()
        #expect(try Self.answers(channel).map(\.0.status) == [.contentTooLarge])
        #expect(!channel.isActive)
        #expect(try Self.routed(channel).isEmpty)
    }

    @Test("Answers past 64 KiB are flushed at once, not at the end of the round (a client that does not read meets backpressure)")
    func unflushedBound() throws {
        let channel = try Self.channel()
        try Self.send(channel, .get, "/big")
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
        try Self.send(channel, .get, "/big")
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) != nil, "80 KiB of answers waited for the round")
    }

    @Test("Answers written but not yet flushed leave before the connection closes (graceful shutdown)")
    func flushBeforeClose() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(FlushBeforeClose())
        try channel.pipeline.syncOperations.addHandler(DirectRouteHandler(routes: Self.routes))
        try Self.send(channel, .get, "/fixed")
        channel.close(promise: nil)
        var parts: [HTTPResponsePart] = []
        while let part = try channel.readOutbound(as: HTTPResponsePart.self) { parts.append(part) }
        #expect(parts.count == 3, "\(parts)")
    }

    @Test("After a request that asks to close the connection, nothing more is answered directly")
    func afterClose() throws {
        let channel = try Self.channel()
        try Self.send(channel, .get, "/fixed", headers: [.connection: "close"])
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        _ = try Self.answers(channel)
        try Self.send(channel, .get, "/fixed")
        #expect(try Self.routed(channel) == ["GET /fixed", "GET /fixed"])
        #expect(try Self.answers(channel).isEmpty)
    }
}
