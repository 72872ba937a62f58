import DL1Crypto
import DL1Format
import DL1HTTPServer
import DL1ServiceAPI
import DL1Verifier
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import NIOPosix
import ServiceLifecycle

/// How `dl-verify serve` behaves.
public struct CounterOptions: Sendable {
    /// Which fields of a result leave the service.
    public var profile: CounterProfile = .rental
    /// Verification requests per second per client (0: no limit), and the burst allowed: a
    /// camera sends a few frames a second until one holds a code.
    public var clientRate: Double = 10
    public var clientBurst: Double = 30
    /// When set, `POST /v1/verify` needs one of these tokens (`Authorization: Bearer`).
    public var apiTokens: APITokens?
    /// The one other origin whose pages may call the API (CORS); nil: none.
    public var allowedOrigin: String?
    /// Seconds between checks of the trust folder, bundles, cache and status files for changes.
    public var reloadInterval: Int64 = 60
    /// Threads reading images (a photo takes up to a second of one core), and how many more
    /// images may wait for one before the service answers 503.
    public var imageWorkers: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    public var maxWaitingImages: Int = 8
    /// Photos one client may have in progress at once (read, waiting or being verified), when
    /// the rate limit is on: a client that trickles its uploads must not hold every reading
    /// slot. With the rate limit off (behind a proxy every client has the proxy's address) the
    /// proxy bounds clients.
    public var imagesPerClient: Int = 2
    /// The largest image accepted (the CLI's bound).
    public var maxImageBytes: Int = Verifier.maxImageBytes
    /// How long a photo's body may take to arrive (it holds a reading slot meanwhile).
    public var bodyDeadline: Duration = .seconds(30)

    public init() {}
}

/// The counter: the verifier as an HTTP service with a web page, offline from the issuers,
/// answering with only the fields its profile allows. Nothing personal is logged or written:
/// codes and images live in memory for the length of their request.
public final class CounterService: Sendable {
    let sources: VerificationSources
    let verifierOptions: Verifier.Options
    let options: CounterOptions
    let logger: Logger
    let data: LoadedData
    let limiter: RateLimiter
    let imageSlots: Slots
    /// Each client's photos in progress (only counted when the rate limit is on).
    let clientImages: ClientSlots?
    /// Threads for image reading, off the event loops.
    let pool: NIOThreadPool

    /// The largest JSON body: a code's text (a version-40 QR code holds under 4.3 KB) and
    /// optionally a portrait to compare (``maxPortraitBytes``), base64.
    public static let maxJSONBytes = 1024 * 1024
    /// The largest JSON body verified on the event loop (a code's text and options).
    static let maxDirectJSONBytes = 64 * 1024
    public static let maxPortraitBytes = 700 * 1024

    /// A service over the data `sources` name, loaded now: a failure here stops the start.
    public init(sources: VerificationSources, options: CounterOptions = CounterOptions(), verifierOptions: Verifier.Options = Verifier.Options(),
                logger: Logger) throws(VerificationSources.LoadError) {
        self.sources = sources
        self.options = options
        self.verifierOptions = verifierOptions
        self.logger = logger
        let fingerprint = sources.fingerprint()
        let loaded = try sources.load(options: verifierOptions)
        data = LoadedData(LoadedData.Snapshot(loaded: loaded, fingerprint: fingerprint, loadedAt: verifierOptions.clock()))
        limiter = RateLimiter(rate: options.clientRate, burst: options.clientBurst)
        imageSlots = Slots(limit: options.imageWorkers + options.maxWaitingImages)
        clientImages = options.clientRate > 0 ? ClientSlots(limit: options.imagesPerClient) : nil
        pool = NIOThreadPool(numberOfThreads: options.imageWorkers)
        pool.start()
        ServiceMetrics.bootstrap()
    }

    /// The warnings of the data in use (skipped items), for the operator at start.
    public var warnings: [String] { data.snapshot.loaded.warnings }

    /// The services that run beside the HTTP server: the reloader, and the end of the thread pool.
    public var services: [any Service] { [Reloader(service: self), ThreadPoolService(pool: pool)] }

    /// What a check for changed data found.
    public enum ReloadOutcome: Sendable, Equatable {
        case unchanged
        case reloaded(warnings: Int)
        /// The data changed but cannot be loaded: the last good data stays in use.
        case failed(String)
    }

    /// Loads the data again when a file changed; the data in use is replaced only by a
    /// complete load.
    @discardableResult
    public func reloadIfChanged() -> ReloadOutcome {
        let fingerprint = sources.fingerprint()
        let before = data.snapshot
        guard fingerprint != before.fingerprint else { return .unchanged }
        do {
            let loaded = try sources.load(options: verifierOptions)
            data.replace(LoadedData.Snapshot(loaded: loaded, fingerprint: fingerprint, loadedAt: verifierOptions.clock()))
            data.reloadFailure(nil)
            logger.notice("verification data reloaded", metadata: ["status_lists": "\(loaded.verifier.statusLists.count)", "warnings": "\(loaded.warnings.count)"])
            return .reloaded(warnings: loaded.warnings.count)
        } catch {
            // Remember the failed state so the same broken files are not loaded every round.
            data.replace(LoadedData.Snapshot(loaded: before.loaded, fingerprint: fingerprint, loadedAt: before.loadedAt))
            // The description names files and what is wrong with them: nothing personal.
            logger.error("verification data changed but cannot be loaded; the last good data stays in use",
                         metadata: ["code": "\(error.code.rawValue)", "why": "\(TextSafety.sanitized(error.description))"])
            data.reloadFailure(error.description)
            return .failed(error.description)
        }
    }

    /// The routes: the page, the API, health and metrics.
    public func router() -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        // CORS outermost: it sees the problem documents the inner middleware makes of errors
        // (inside, it would wrap thrown errors in a type the problem middleware does not know).
        if let origin = options.allowedOrigin {
            router.add(middleware: CORSMiddleware(allowOrigin: .custom(origin), allowHeaders: [.accept, .authorization, .contentType],
                                                  allowMethods: [.get, .post, .options], exposedHeaders: ["Retry-After", "WWW-Authenticate"]))
        }
        router.add(middleware: ProblemMiddleware())
        let pages = Dictionary(uniqueKeysWithValues: CounterPage.paths.map { ($0, [HTTPRequest.Method.get]) })
        router.add(middleware: MethodMiddleware(pages.merging([CounterPath.verify: [.post], ServicePath.health: [.get], ServicePath.trust: [.get],
                                                               ServicePath.metrics: [.get]]) { a, _ in a },
                                                crossOrigin: options.allowedOrigin != nil))
        for asset in CounterPage.assets(startedAt: data.snapshot.loadedAt) {
            router.getAndHead(asset.path) { request, _ in CounterPage.response(asset, to: request, now: self.verifierOptions.clock()) }
        }
        router.getAndHead(ServicePath.health) { _, _ in
            let snapshot = self.data.snapshot
            let lists = CounterTrust.newestPerURI(snapshot.loaded.verifier.statusLists)
            let now = self.verifierOptions.clock()
            // Degraded: every code would answer STATUS_UNKNOWN (no list, or a stale one), or
            // the data changed and could not be loaded.
            let stale = lists.count { now >= $0.expiresAt.saturatingAdding(self.verifierOptions.leeway) }
            let failure = self.data.lastReloadFailure
            return jsonAnswer(.object([
                ("status", .string(lists.isEmpty || stale > 0 || failure != nil ? "degraded" : "ok")),
                ("profile", .string(self.options.profile.rawValue)),
                ("status_lists", .int(Int64(lists.count))),
                ("stale_status_lists", .int(Int64(stale))),
                ("oldest_status_age_seconds", lists.map(\.issuedAt).min().map { .int(now.saturatingSubtracting($0)) } ?? .null),
                ("last_reload_error", failure.map { .string($0) } ?? .null),
            ])).response
        }
        router.getAndHead(ServicePath.trust) { _, _ in
            jsonAnswer(CounterTrust.listing(self.data.snapshot, profile: self.options.profile, leeway: self.verifierOptions.leeway,
                                                   now: self.verifierOptions.clock())).response
        }
        router.getAndHead(ServicePath.metrics) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4", .cacheControl: "no-store"],
                     body: .init(byteBuffer: ByteBuffer(bytes: ServiceMetrics.exposition())))
        }
        // Counted into pre-made counters (by status, by verdict): a verification is cheap enough
        // that looking metrics up by name on every request would cost a sizeable share of it.
        router.post(.init(stringLiteral: CounterPath.verify)) { request, context in
            try await self.verify(request, context: context)
        }
        return router
    }

    /// The requests answered on the event loop (see ``DirectRoutes``): a code's text as JSON
    /// (the bulk of the API's calls, and microseconds of work). Photos, bodies over 64 KiB (a
    /// portrait to hash), and every call when CORS is on, go through the router.
    public func directRoutes() -> DirectRoutes? {
        guard options.allowedOrigin == nil else { return nil }
        // A body with a portrait (up to 1 MiB of base64 to decode and hash) goes to the router:
        // the event loop keeps to the few kilobytes of a code's text.
        let handler = DirectRoutes.Handler(maxBodyBytes: Self.maxDirectJSONBytes) { self.verifyText($0) }
        return DirectRoutes { head in
            guard head.method == .post, let path = head.path, path.utf8.starts(with: CounterPath.verify.utf8),
                  path.utf8.count == CounterPath.verify.utf8.count || path.utf8.dropFirst(CounterPath.verify.utf8.count).first == UInt8(ascii: "?"),
                  VerifyQuery.mediaType(head.headerFields[.contentType]) == "application/json" else { return nil }
            return handler
        }
    }

    /// `POST /v1/verify` with a code's text as JSON, its body read, on the event loop: the rate
    /// limit, the token and query (``admit(_:)``), the code's answer, counted (``finish(_:)``).
    /// The router's route takes the same steps, reading the body after the checks.
    func verifyText(_ request: DirectRequest) -> DirectAnswer {
        finish(limiter.refusal(for: request.clientKey) ?? answering { () throws(Problem) in
            try answerText(admit(request.head), body: request.body)
        })
    }

    /// `POST /v1/verify`: a code's text as JSON, or a photo's bytes.
    func verify(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        if let refusal = limiter.refusal(for: context.clientKey) { return finish(refusal).response }
        let answer: DirectAnswer
        do {
            let call = try admit(request.head)
            let media = VerifyQuery.mediaType(request.headers[.contentType])
            if media == "application/json" {
                var body = request
                guard let buffer = try? await body.collectBody(upTo: Self.maxJSONBytes) else {
                    throw Problem(.bodyTooLarge, status: 413, detail: "the request body is larger than \(Self.maxJSONBytes) bytes")
                }
                answer = try answerText(call, body: buffer)
            } else {
                answer = try await verifyImage(request, media: media, call: call, client: context.clientKey)
            }
        } catch let problem as Problem {
            answer = answering { () throws(Problem) in throw problem }
        } catch {
            CounterMetrics.count(status: 500)
            throw error
        }
        return finish(answer).response
    }

    /// What the checks every call takes first let through: the language of the reasons and the
    /// query's options.
    struct Call {
        let language: Language
        let asked: Verifier.Request
    }

    /// The API token (401), then the query (400).
    func admit(_ head: HTTPRequest) throws(Problem) -> Call {
        if let tokens = options.apiTokens, !tokens.accepts(authorization: head.headerFields[.authorization]) {
            throw Problem(.unauthorized, status: 401, detail: head.headerFields[.authorization] == nil
                          ? "this service needs an API token: send 'Authorization: Bearer <token>'" : "the API token is not one this service accepts")
        }
        let query = URI(head.path ?? "/").queryParameters
        return Call(language: try VerifyQuery.language(query["lang"].map(String.init), acceptLanguage: head.headerFields[.acceptLanguage]),
                    asked: try VerifyQuery.request(query))
    }

    /// An answer, or the problem document of a refusal (with its challenge on 401).
    func answering(_ make: () throws(Problem) -> DirectAnswer) -> DirectAnswer {
        do { return try make() } catch {
            return error.answer(headers: error.status == 401 ? [.wwwAuthenticate: "Bearer realm=\"dl-verify\""] : [:])
        }
    }

    /// An answer counted by status, with the headers every answer carries.
    func finish(_ answer: DirectAnswer) -> DirectAnswer {
        var answer = answer
        CounterMetrics.count(status: answer.status.code)
        ServiceHeaders.addCommon(to: &answer.headers)
        return answer
    }

    /// The JSON body's code verified.
    func answerText(_ call: Call, body: ByteBuffer) throws(Problem) -> DirectAnswer {
        let request = try VerifyRequest(body: body.readableBytesView)
        var asked = call.asked
        try request.apply(to: &asked)
        let result = data.snapshot.loaded.verifier.verify(text: request.text, request: asked, at: verifierOptions.clock())
        Self.count(result, input: "text")
        return answer([(result, result.json(source: "text"))], language: call.language)
    }

    /// A photo's codes verified (its body read here, once a reading slot is free).
    func verifyImage(_ request: Request, media: String?, call: Call, client: String) async throws -> DirectAnswer {
        guard media == "image/png" || media == "image/jpeg" else {
            throw Problem(.unsupportedMediaType, status: 415,
                          detail: "send application/json ({\"text\": ...}), image/png or image/jpeg, not \(media ?? "an untyped body")")
        }
        let verifier = data.snapshot.loaded.verifier
        let tooLarge = Problem(.bodyTooLarge, status: 413, detail: "the image is larger than \(Self.size(options.maxImageBytes))")
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > options.maxImageBytes { throw tooLarge }
        // A client's own bound first, then a slot before the body is read: photos in memory
        // are bounded by the slots, and no one client holds them all.
        if let clientImages {
            guard clientImages.take(client) else {
                return Problem(.rateLimited, status: 429, detail: "this client already has \(clientImages.limit) photos being verified: send the next one after an answer")
                    .answer(headers: [.retryAfter: "1"])
            }
        }
        defer { clientImages?.give(client) }
        guard imageSlots.take() else {
            return Problem(.busy, status: 503, detail: "too many images are being verified: try again in a moment").answer(headers: [.retryAfter: "1"])
        }
        defer { imageSlots.give() }
        let bytes = [UInt8](try await request.collectBody(upTo: options.maxImageBytes, within: options.bodyDeadline, tooLarge: tooLarge)
            .readableBytesView)
        let now = verifierOptions.clock()
        let asking = call.asked
        let scan: ImageVerification
        do {
            scan = try await pool.runIfActive { () throws(ImageError) -> ImageVerification in
                try verifier.verify(imageBytes: bytes, request: asking, at: now)
            }
        } catch let error as ImageError {
            throw Problem(.imageUnreadable, status: 422, detail: "the body is not a readable PNG or JPEG image: \(error)")
        }
        guard !scan.foundNoCode else {
            CounterMetrics.noCode.increment()
            throw Problem(.noCode, status: 422, detail: "no QR code was found in the image (\(scan.width)×\(scan.height) pixels)")
        }
        return answer(scan.results.enumerated().map { i, result in
            Self.count(result, input: "image")
            return (result, result.json(source: scan.results.count > 1 ? "image#\(i + 1)" : "image", read: scan))
        }, language: call.language)
    }

    /// The answer: each result as the profile allows, and the reasons in the asked language.
    func answer(_ outcomes: [(VerificationResult, JSONValue)], language: Language) -> DirectAnswer {
        let answer = JSONValue.object([
            ("results", .array(outcomes.map { options.profile.filter($0.1) })),
            ("language", .string(language.rawValue)),
            ("reasons", .array(outcomes.map { .string($0.0.reason(in: language)) })),
        ])
        return jsonAnswer(answer)
    }

    static func size(_ bytes: Int) -> String {
        bytes % (1024 * 1024) == 0 ? "\(bytes / (1024 * 1024)) MiB" : "\(bytes / 1024) KiB"
    }

    static func count(_ result: VerificationResult, input: String) {
        CounterMetrics.verifications[input]?[result.verdict]?.increment()
    }
}

/// A JSON answer, never cached.
func jsonAnswer(_ value: JSONValue) -> DirectAnswer {
    DirectAnswer(status: .ok, headers: [.contentType: ServiceMediaType.json, .cacheControl: "no-store"], body: ByteBuffer(bytes: value.bytes))
}

/// The counter's metrics, made once.
enum CounterMetrics {
    static let verifications: [String: [Verdict: Counter]] = Dictionary(uniqueKeysWithValues: ["text", "image"].map { input in
        (input, Dictionary(uniqueKeysWithValues: Verdict.allCases.map {
            ($0, Counter(label: "dl1_verifications_total", dimensions: [("verdict", $0.rawValue), ("input", input)]))
        }))
    })
    static let noCode = Counter(label: "dl1_verifications_total", dimensions: [("verdict", "NO_CODE"), ("input", "image")])
    static let statuses: [Int: Counter] = Dictionary(uniqueKeysWithValues: [200, 400, 401, 405, 413, 415, 422, 429, 500, 503].map {
        ($0, Counter(label: "dl1_verify_requests_total", dimensions: [("status", "\($0)")]))
    })
    static let otherStatus = Counter(label: "dl1_verify_requests_total", dimensions: [("status", "other")])

    /// Counts an API answer by status.
    static func count(status: Int) {
        (statuses[status] ?? otherStatus).increment()
    }
}

/// The counter's own paths (health, trust and metrics are those of every service).
public enum CounterPath {
    public static let verify = "/v1/verify"
}

/// The data in use, replaced whole when the files change.
final class LoadedData: @unchecked Sendable {
    struct Snapshot: Sendable {
        let loaded: VerificationSources.Loaded
        let fingerprint: [String]
        let loadedAt: Int64
    }
    private let lock = NSLock()
    private var current: Snapshot
    init(_ snapshot: Snapshot) { current = snapshot }
    private var failure: String?
    var snapshot: Snapshot { lock.withLock { current } }
    func replace(_ snapshot: Snapshot) { lock.withLock { current = snapshot } }
    /// Why the last reload failed (nil once one succeeds).
    var lastReloadFailure: String? { lock.withLock { failure } }
    func reloadFailure(_ description: String?) { lock.withLock { failure = description } }
}

/// A counting bound on work in progress.
final class Slots: @unchecked Sendable {
    private let lock = NSLock()
    private var used = 0
    let limit: Int
    init(limit: Int) { self.limit = limit }
    func take() -> Bool {
        lock.withLock {
            guard used < limit else { return false }
            used += 1
            return true
        }
    }
    func give() { lock.withLock { used -= 1 } }
    var inUse: Int { lock.withLock { used } }
}

/// A counting bound on each client's work in progress (a client absent from the table has none).
final class ClientSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var used: [String: Int] = [:]
    let limit: Int
    init(limit: Int) { self.limit = limit }
    func take(_ client: String) -> Bool {
        lock.withLock {
            guard used[client, default: 0] < limit else { return false }
            used[client, default: 0] += 1
            return true
        }
    }
    func give(_ client: String) {
        lock.withLock {
            let left = used[client, default: 1] - 1
            used[client] = left > 0 ? left : nil
        }
    }
    func inUse(_ client: String) -> Int { lock.withLock { used[client, default: 0] } }
}

/// Checks the data's files every interval and loads them again when they changed (after a
/// `dl-verify sync`, or a new trust file).
struct Reloader: Service {
    let service: CounterService
    func run() async throws {
        while !Task.isShuttingDownGracefully {
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(service.options.reloadInterval)) } } catch { return }
            _ = try? await service.pool.runIfActive { service.reloadIfChanged() }
        }
    }
}
