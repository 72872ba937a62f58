import DL1Crypto
import DL1Format
import DL1HTTPServer
import DL1Holder
import DL1Issuer
import DL1ServiceAPI
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOPosix
import ServiceLifecycle

/// How `dl-issue serve` behaves.
public struct IssueServiceOptions: Sendable {
    /// Seconds between checks of the registry for changes to publish (the bound on how long a
    /// change takes to reach the published lists).
    public var publishInterval: Int64 = 60
    /// The lifetime of a bound credential given at enrolment or refresh.
    public var credentialLifetime: Int64 = 7 * 86_400
    /// How long a challenge may be used.
    public var challengeLifetime: Int64 = 120
    /// Requests per second per client on challenges, enrolment and refresh (0: no limit), and
    /// the burst allowed.
    public var clientRate: Double = 1
    public var clientBurst: Double = 10

    public init() {}
}

/// The issuing service: publication of status lists, the handheld bundle and trust material
/// (anyone may read, with HTTP caching), enrolment of a holder's device with a one-time code,
/// and refresh of a bound credential by a device that proves its key.
///
/// Every registry and signing call runs on NIO's blocking thread pool, never on the event loops.
public final class IssueService: Sendable {
    let issuer: Issuer
    let options: IssueServiceOptions
    let logger: Logger
    let clock: @Sendable () -> Int64
    let state = PublishedState()
    let challenges: ChallengeBook
    let limiter: RateLimiter
    let publisher: Publisher
    /// Threads for registry and signing work, which blocks (disk, database): enough that many
    /// refreshes wait on one group commit together.
    let pool: NIOThreadPool

    /// A service over an open issuer (read-write). The challenge key is read from, or made in,
    /// the issuer's `private/service.key`.
    public init(issuer: Issuer, options: IssueServiceOptions = IssueServiceOptions(), logger: Logger) throws(IssuerError) {
        self.issuer = issuer
        self.options = options
        self.logger = logger
        self.clock = issuer.clock
        let keyFile = issuer.directory.privateFolder.appendingPathComponent("service.key")
        do { challenges = ChallengeBook(key: try ChallengeBook.loadKey(keyFile), lifetime: options.challengeLifetime) } catch {
            throw IssuerError(.keyFileUnsafe, "cannot read or make the service key \(keyFile.path): \(error.localizedDescription)")
        }
        limiter = RateLimiter(rate: options.clientRate, burst: options.clientBurst)
        pool = NIOThreadPool(numberOfThreads: 32)
        pool.start()
        publisher = Publisher(issuer: issuer, state: state, pool: pool, interval: options.publishInterval, logger: logger, clock: issuer.clock)
        ServiceMetrics.bootstrap()
    }

    /// Publishes now (at start, and for tests that do not wait for the interval).
    @discardableResult
    public func publishNow() throws(IssuerError) -> Bool { try publisher.publishIfNeeded() }

    /// The services that run beside the HTTP server: the publisher, and the end of the thread
    /// pool at shutdown.
    public var services: [any Service] { [publisher, ThreadPoolService(pool: pool)] }

    /// The routes.
    public func router() -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: ProblemMiddleware())

        router.get(.init(stringLiteral: ServicePath.health)) { _, _ in
            let snapshot = self.state.snapshot
            return jsonResponse(HealthResponse(status: snapshot.lastEventID >= 0 ? "ok" : "starting",
                                               statusListsIssuedAt: snapshot.oldestIssuedAt, statusLists: snapshot.uris.count))
        }
        router.get(.init(stringLiteral: ServicePath.metrics)) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4", .cacheControl: "no-store"],
                     body: .init(byteBuffer: ByteBuffer(bytes: ServiceMetrics.exposition())))
        }
        router.get(.init(stringLiteral: ServicePath.bundle)) { request, _ in
            guard let bundle = self.state.snapshot.bundle else { throw Self.notReady }
            return Self.counted(bundle.answer(ifNoneMatch: request.headers[.ifNoneMatch], now: self.clock())).response
        }
        router.get(.init(stringLiteral: ServicePath.trust)) { _, _ in
            var response = jsonResponse(self.state.snapshot.listing)
            response.headers[.cacheControl] = "no-cache"
            return response
        }
        router.get(.init(stringLiteral: ServicePath.trust + "/:name")) { request, context in
            let name = try context.parameters.require("name")
            guard let file = self.state.snapshot.trust[name] else {
                throw Problem(.notFound, status: 404, detail: "no trust file \(name) (see \(ServicePath.trust))")
            }
            return file.response(to: request, now: self.clock())
        }

        // Hummingbird's per-route request metrics (counts and durations) on the API; published
        // resources, served far more often, count into two pre-made counters instead.
        let limited = router.group().add(middleware: MetricsMiddleware()).add(middleware: RateLimitMiddleware(limiter))
        limited.post(.init(stringLiteral: ServicePath.challenges)) { request, context in
            let asked = try await request.decodeJSON(ChallengeRequest.self, context: context)
            return jsonResponse(self.challenges.issue(asked.purpose, at: self.clock()), status: .created)
        }
        limited.post(.init(stringLiteral: ServicePath.enrolments)) { request, context in
            // Room for a portrait (512 KiB, base64url) and the rest.
            try await self.enrol(try await request.decodeJSON(EnrolmentRequest.self, context: context, limit: 720 * 1024))
        }
        limited.post(.init(stringLiteral: ServicePath.applications + "/:id")) { request, context in
            try await self.application(try context.parameters.require("id"), try await request.decodeJSON(ApplicationRequest.self, context: context))
        }
        limited.post(.init(stringLiteral: ServicePath.refresh)) { request, context in
            try await self.refresh(try await request.decodeJSON(RefreshRequest.self, context: context))
        }

        // Status lists at the path of their URI (wherever the operator's base URL puts them).
        router.get("**") { request, _ in
            guard let list = self.state.snapshot.statusLists[request.uri.path] else {
                throw Problem(.notFound, status: 404, detail: "nothing is published at this path")
            }
            return Self.counted(list.answer(ifNoneMatch: request.headers[.ifNoneMatch], now: self.clock())).response
        }
        return router
    }

    /// The published status lists and bundle answered on the event loop (see ``DirectRoutes``):
    /// the requests a service gets most, from every handheld and cache, each a lookup and a
    /// copy of bytes made at publication. The same answers as the router's routes for them.
    public func directRoutes() -> DirectRoutes {
        DirectRoutes { head in
            guard head.method == .get, let path = head.path, let resource = self.published(at: path) else { return nil }
            return DirectRoutes.Handler { request in
                Self.counted(resource.answer(ifNoneMatch: request.head.headerFields[.ifNoneMatch], now: self.clock()))
            }
        }
    }

    /// The bundle or status list the router answers a GET of `path` with; nil for anything
    /// else (the service's other paths, a query, an escape: the router decides those).
    func published(at path: String) -> CachedResource? {
        guard !path.utf8.contains(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "%") }) else { return nil }
        if path == ServicePath.bundle { return state.snapshot.bundle }
        guard !path.hasPrefix("/v1/") else { return nil }
        return state.snapshot.statusLists[path]
    }

    static let served = Counter(label: "dl1_published_responses_total", dimensions: [("status", "200")])
    static let notModified = Counter(label: "dl1_published_responses_total", dimensions: [("status", "304")])

    /// Counts a published resource's answer.
    static func counted(_ answer: DirectAnswer) -> DirectAnswer {
        (answer.status == .notModified ? notModified : served).increment()
        return answer
    }

    static let notReady = Problem(.unavailable, status: 503, detail: "nothing is published yet: the first publication has not completed")

    /// Enrolment: the challenge once, the device key and its proof, then the code and the licence.
    func enrol(_ request: EnrolmentRequest) async throws -> Response {
        guard request.code.utf8.count <= 64 else { throw Problem(.malformedRequest, status: 400, detail: "the code is longer than 64 bytes") }
        let challenge = try challenges.redeem(request.challenge, for: .enrol, at: clock())
        guard let point = Base64URL.decode(request.deviceKey, limit: 33), point.count == 33,
              let publicKey = try? P256PublicKey(compressedPoint: point), let holderKey = HolderKey(compressedPoint: point) else {
            throw Problem(.deviceKeyInvalid, status: 400, detail: "deviceKey must be base64url of a 33-byte compressed P-256 point on the curve")
        }
        let signature = try Self.signature(request.signature)
        var portrait: [UInt8]?
        if let text = request.portrait {
            guard let bytes = Base64URL.decode(text, limit: Issuer.maxPortraitBytes), !bytes.isEmpty else {
                throw Problem(.portraitInvalid, status: 400, detail: "portrait must be base64url of 1 byte to \(Issuer.maxPortraitBytes / 1024) KiB")
            }
            portrait = bytes
        }
        let message = ProofOfPossession.enrolment(challenge: challenge, code: request.code, deviceKey: point, portraitSHA256: portrait.map(SHA256.hash))
        guard publicKey.isValidSignature(signature, for: message) else {
            Counter(label: "dl1_enrolments_total", dimensions: [("outcome", "proof-invalid")]).increment()
            throw Problem(.proofInvalid, status: 403, detail: "the signature does not verify with the device key over this challenge and code")
        }
        let newPortrait = portrait
        let outcome = try await blocking(outcome: "dl1_enrolments_total") {
            try self.issuer.enrol(code: request.code, holderKey: holderKey, portrait: newPortrait, lifetime: .seconds(self.options.credentialLifetime))
        }
        switch outcome {
        case .issued(let issued):
            return jsonResponse(Self.credential(issued), status: .created)
        case .applied(let application):
            var response = jsonResponse(ApplicationResponse(applicationId: application.id, state: application.state.rawValue), status: .accepted)
            response.headers[.location] = ServicePath.applications + "/" + application.id
            return response
        }
    }

    /// An application's state, for the device that made it (its key signs the challenge).
    func application(_ id: String, _ request: ApplicationRequest) async throws -> Response {
        let challenge = try challenges.redeem(request.challenge, for: .application, at: clock())
        guard id.utf8.count == 32, Hex.decode(id) != nil else { throw Problem(.unknownApplication, status: 404, detail: "no application \(id.prefix(40))") }
        let signature = try Self.signature(request.signature)
        let application = try await blocking(outcome: nil) { try self.issuer.application(id) }
        guard let publicKey = try? P256PublicKey(compressedPoint: application.deviceKey.compressedPoint),
              publicKey.isValidSignature(signature, for: ProofOfPossession.application(challenge: challenge, applicationID: id)) else {
            throw Problem(.proofInvalid, status: 403, detail: "the signature does not verify with the application's device key over this challenge")
        }
        var credential: CredentialResponse?
        if let text = application.credentialText, let bound = try? BoundCredential(text: text).claims {
            credential = CredentialResponse(credential: text, credentialId: Hex.encode(bound.credentialID), issuedAt: bound.issuedAt,
                                            expiresAt: bound.expiresAt, pointsRemaining: Int(clamping: bound.licence.points.remaining),
                                            pointsMaximum: Int(clamping: bound.licence.points.maximum))
        }
        return jsonResponse(ApplicationResponse(applicationId: id, state: application.state.rawValue, reason: application.reason, credential: credential))
    }

    /// Refresh: the challenge once, the credential, the proof with its bound key, then the
    /// licence's live data in a fresh code of the same credential.
    func refresh(_ request: RefreshRequest) async throws -> Response {
        let challenge = try challenges.redeem(request.challenge, for: .refresh, at: clock())
        guard request.credentialId.utf8.count <= 32, let id = Hex.decode(request.credentialId), (8...16).contains(id.count) else {
            throw Problem(.malformedRequest, status: 400, detail: "credentialId must be the credential's id in hex (8 to 16 bytes)")
        }
        let signature = try Self.signature(request.signature)
        let record = try await blocking(outcome: nil) { try self.issuer.boundCredential(id) }
        guard let key = record.holderKey, let publicKey = try? P256PublicKey(compressedPoint: key.compressedPoint),
              publicKey.isValidSignature(signature, for: ProofOfPossession.refresh(challenge: challenge, credentialID: id)) else {
            Counter(label: "dl1_refreshes_total", dimensions: [("outcome", "proof-invalid")]).increment()
            throw Problem(.proofInvalid, status: 403, detail: "the signature does not verify with the credential's device key over this challenge")
        }
        let issued = try await blocking(outcome: "dl1_refreshes_total") {
            try self.issuer.refreshBound(record, lifetime: .seconds(self.options.credentialLifetime))
        }
        return jsonResponse(Self.credential(issued))
    }

    /// Runs registry work on the blocking pool, counting its outcome and turning an issuer
    /// failure into its problem (only the code is logged: the message names a licence).
    func blocking<T: Sendable>(outcome counter: String?, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            let value = try await pool.runIfActive { try body() }
            if let counter { Counter(label: counter, dimensions: [("outcome", "ok")]).increment() }
            return value
        } catch let error as IssuerError {
            if let counter { Counter(label: counter, dimensions: [("outcome", error.code.rawValue)]).increment() }
            let problem = Problem(error)
            if problem.status >= 500 { logger.error("registry operation failed", metadata: ["code": "\(error.code.rawValue)"]) }
            throw problem
        }
    }

    static func signature(_ text: String) throws(Problem) -> [UInt8] {
        guard let bytes = Base64URL.decode(text, limit: 64), bytes.count == 64 else {
            throw Problem(.proofInvalid, status: 400, detail: "signature must be base64url of a 64-byte ES256 signature (r || s)")
        }
        return bytes
    }

    static func credential(_ issued: IssuedCode) -> CredentialResponse {
        CredentialResponse(credential: issued.text, credentialId: Hex.encode(issued.credentialID), issuedAt: issued.claims.issuedAt,
                           expiresAt: issued.claims.expiresAt, pointsRemaining: Int(clamping: issued.claims.licence.points.remaining),
                           pointsMaximum: Int(clamping: issued.claims.licence.points.maximum))
    }
}
