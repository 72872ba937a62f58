import AsyncHTTPClient
import DL1Crypto
import DL1Format
import DL1HTTPServer
import DL1QREncode
import DL1Raster
import DL1TestSupport
import DL1Verifier
@testable import DL1VerifyServer
import Foundation
import Synchronization
import Logging
import NIOCore
import NIOHTTP1
import Testing

extension Tag {
    @Tag static var slow: Self
}

/// A counter on a loopback port over a throw-away PKI on the test clock: a trust folder and a
/// status file on disk (entry 8 revoked, 9 suspended, 10 superseded), and an HTTP client.
final class CounterWorld: @unchecked Sendable {
    let folder: URL
    let service: CounterService
    let running: RunningService
    let client: HTTPClient
    var baseURL: String { running.baseURL() }

    static let revokedIndex: UInt64 = 8
    static let suspendedIndex: UInt64 = 9
    static let supersededIndex: UInt64 = 10
    static let logger: Logger = {
        var logger = Logger(label: "test.counter")
        logger.logLevel = .critical
        return logger
    }()

    var trustFolder: URL { folder.appendingPathComponent("trust") }
    var statusFile: URL { folder.appendingPathComponent("status.cwt") }

    /// Requests the event-loop path took.
    var directAnswers: Int { probe.count.load(ordering: .relaxed) }
    private let probe: DirectProbe

    private init(folder: URL, service: CounterService, running: RunningService, probe: DirectProbe) {
        self.probe = probe
        self.folder = folder
        self.service = service
        self.running = running
        client = HTTPClient(eventLoopGroupProvider: .singleton)
    }

    /// A started counter; `configure` adjusts the options (rate limits are off unless it sets them).
    /// `direct`: codes' text answered on the event loop, as `dl-verify serve` does; false: every
    /// request through the router.
    static func start(profile: CounterProfile = .police, logger: Logger = CounterWorld.logger, direct: Bool = true,
                      configure: (inout CounterOptions) -> Void = { _ in }) async throws -> CounterWorld {
        let folder = Fixture.temporaryFolder()
        try writeTrust(to: folder.appendingPathComponent("trust"))
        try Data(try statusToken()).write(to: folder.appendingPathComponent("status.cwt"))
        var options = CounterOptions()
        options.profile = profile
        options.clientRate = 0
        options.reloadInterval = 3600  // tests reload with reloadIfChanged(), never by the timer
        configure(&options)
        let sources = VerificationSources(trust: folder.appendingPathComponent("trust").path,
                                          statusFiles: [folder.appendingPathComponent("status.cwt").path])
        let service = try CounterService(sources: sources, options: options, verifierOptions: .init(clock: { Fixture.now }), logger: logger)
        let probe = DirectProbe()
        let running = try await RunningService.start(router: service.router(), direct: direct ? service.directRoutes().map(probe.counting) : nil,
                                                     services: service.services, logger: logger, executor: ThreadExecutor.shared)
        return CounterWorld(folder: folder, service: service, running: running, probe: probe)
    }

    static func writeTrust(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(try Fixture.pki.root.certificate.pem()).write(to: folder.appendingPathComponent("root.pem"))
        try Data(try Fixture.pki.signer.certificate.pem()).write(to: folder.appendingPathComponent("signer.pem"))
    }

    static func statusToken(entries: [Int: CredentialStatus] = [Int(revokedIndex): .invalid, Int(suspendedIndex): .suspended,
                                                                Int(supersededIndex): .superseded],
                            iat: Int64 = Fixture.now - 600) throws -> [UInt8] {
        try Fixture.factory.statusToken(signer: Fixture.pki.signer, entries: entries, iat: iat)
    }

    func stop() async {
        try? await client.shutdown()
        await running.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    struct Answer {
        let status: UInt
        let headers: HTTPHeaders
        let body: [UInt8]
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The first result of a 200 answer.
        var result: [String: Any] { (json["results"] as? [[String: Any]])?.first ?? [:] }
        var verdict: String? { result["verdict"] as? String }
        var licence: [String: Any] { result["licence"] as? [String: Any] ?? [:] }
        /// The problem code of an error answer.
        var problem: String? { headers.first(name: "Content-Type") == "application/problem+json" ? json["code"] as? String : nil }
    }

    func request(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 1 << 26)
        return Answer(status: response.status.code, headers: response.headers, body: Array(bytes.readableBytesView))
    }

    /// POSTs a JSON body to /v1/verify (`query` after a `?`).
    func verify(json: [String: Any], query: String = "", headers: [(String, String)] = []) async throws -> Answer {
        try await request(.POST, "/v1/verify" + (query.isEmpty ? "" : "?" + query), headers: [("Content-Type", "application/json")] + headers,
                          body: Array(try JSONSerialization.data(withJSONObject: json)))
    }

    func verify(text: String, query: String = "", headers: [(String, String)] = []) async throws -> Answer {
        try await verify(json: ["text": text], query: query, headers: headers)
    }

    func verify(image: [UInt8], type: String, query: String = "") async throws -> Answer {
        try await request(.POST, "/v1/verify" + (query.isEmpty ? "" : "?" + query), headers: [("Content-Type", type)], body: image)
    }

    // Codes.

    static func code(index: UInt64 = 7, iat: Int64? = nil, exp: Int64? = nil, holder: P256PrivateKey? = nil) throws -> String {
        var claims = Fixture.factory.claims(iat: iat, exp: exp, index: index)
        if let holder { claims.holderKey = HolderKey(holder.publicKey)! }
        return try Fixture.factory.text(claims, signer: Fixture.pki.signer)
    }

    /// A DL2 presentation by `device` of a credential bound to it, made at `time`.
    static func presentation(device: P256PrivateKey, time: Int64 = Fixture.now) throws -> String {
        var claims = Fixture.factory.claims()
        claims.holderKey = HolderKey(device.publicKey)!
        let credential = try Fixture.factory.cose(claims, signer: Fixture.pki.signer)
        return try Fixture.factory.presentation(credential: credential, time: UInt64(time), device: device)
    }

    /// A code drawn as a PNG (or a JPEG), with a quiet zone.
    static func png(_ text: String) throws -> [UInt8] {
        try QRRenderer(matrix: QRCodeMatrix(encoding: text)).png(scale: 4)
    }

    static func jpeg(_ text: String) throws -> [UInt8] {
        try JPEGCodec.encode(QRRenderer(matrix: QRCodeMatrix(encoding: text)).image(scale: 4), quality: 90)
    }
}

/// Counts the requests a service's event-loop path takes.
final class DirectProbe: Sendable {
    let count = Atomic<Int>(0)
    func counting(_ routes: DirectRoutes) -> DirectRoutes {
        DirectRoutes { head in
            let handler = routes.route(head)
            if handler != nil { self.count.add(1, ordering: .relaxed) }
            return handler
        }
    }
}
