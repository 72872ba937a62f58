import AsyncHTTPClient
import DL1Crypto
import DL1Format
import DL1HTTPServer
import DL1IssueServer
import DL1Issuer
import DL1IssuerTestSupport
import DL1ServiceAPI
@testable import DL1ServiceClient
import DL1TestSupport
import Foundation
import NIOHTTP1
import Logging
import NIOCore

/// An issuer on a test clock, its service running on a loopback port, and a client of it.
final class ServiceWorld: @unchecked Sendable {
    let world: IssuerWorld
    let service: IssueService
    let running: RunningService
    let client: ServiceClient
    var issuer: Issuer { world.issuer }
    var clock: TestClock { world.clock }
    var baseURL: String { running.baseURL() }

    static let logger: Logger = {
        var logger = Logger(label: "test.service")
        logger.logLevel = .critical
        return logger
    }()

    private init(world: IssuerWorld, service: IssueService, running: RunningService, client: ServiceClient) {
        self.world = world
        self.service = service
        self.running = running
        self.client = client
    }

    /// A started service; `configure` adjusts the options (rate limits are off unless it sets them).
    /// `direct`: published resources answered on the event loop, as `dl-issue serve` does;
    /// false: every request through the router.
    static func start(engine: TestEngine = .sqlite, tls: TLSFiles? = nil, caFile: String? = nil, direct: Bool = true,
                      configure: (inout IssueServiceOptions) -> Void = { _ in }) async throws -> ServiceWorld {
        let world = try IssuerWorld.make(engine: engine)
        var options = IssueServiceOptions()
        options.clientRate = 0
        options.publishInterval = 3600  // tests publish with publishNow(), never by the timer
        configure(&options)
        let service = try IssueService(issuer: world.issuer, options: options, logger: logger)
        try service.publishNow()
        let running = try await RunningService.start(router: service.router(), direct: direct ? service.directRoutes() : nil, tls: tls,
                                                     services: service.services, logger: logger, executor: ThreadExecutor.shared)
        let client = try ServiceClient(baseURL: running.baseURL(tls: tls != nil), caFile: caFile)
        return ServiceWorld(world: world, service: service, running: running, client: client)
    }

    func stop() async {
        await client.shutdown()
        await running.stop()
    }

    /// Issues the test licence (unbound) and opens an enrolment for it.
    func licenceWithCode(_ number: String = "310101199001011234") throws -> EnrolmentCode {
        _ = try issuer.issue(IssuerWorld.licence(number), lifetime: .seconds(86_400), output: nil)
        return try issuer.openEnrolment(number)
    }

    /// A raw request, for what the typed client never sends.
    func raw(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil)
        async throws -> (status: UInt, headers: HTTPHeaders, body: [UInt8]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 24)
        return (response.status.code, response.headers, Array(bytes.readableBytesView))
    }

    /// POSTs JSON and decodes a problem document from the answer.
    func problem(_ path: String, json: String) async throws -> Problem {
        let answer = try await raw(.POST, path, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
        guard answer.headers.first(name: "Content-Type") == ServiceMediaType.problem else { throw ServiceClientError(.unexpectedResponse, "HTTP \(answer.status) without a problem document") }
        return try JSONDecoder().decode(Problem.self, from: Data(answer.body))
    }
}

/// The problem type a client error carries (nil when it is not a problem).
func problemCode(_ error: any Error) -> String? {
    (error as? ServiceClientError)?.problem?.code
}
