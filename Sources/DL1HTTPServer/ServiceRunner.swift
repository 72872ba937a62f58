import Dispatch
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Runs a service: in a command until SIGTERM or SIGINT (it then stops taking connections,
/// lets requests in progress finish and stops its services), or in this process for tests and
/// benchmarks, until stopped.
public enum ServiceRunner {
    /// Builds the application and blocks until it has stopped; the error that stopped it, if any.
    public static func runUntilSignalled(router: Router<ServiceRequestContext>, direct: DirectRoutes? = nil, address: ListenAddress, tls: TLSFiles?,
                                         services: [any Service], logger: Logger,
                                         onRunning: @escaping @Sendable (ListenAddress) async -> Void) throws(ServiceSetupError) -> (any Error)? {
        let application = try makeServiceApplication(router: router, direct: direct, address: address, tls: tls, services: services,
                                                     logger: logger, onRunning: onRunning)
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        Task {
            do { try await application.runService() } catch { outcome.set(error) }
            done.signal()
        }
        done.wait()
        return outcome.error
    }

    /// Why a server stopped, in words: a socket error names the address and the system's
    /// reason ("Address already in use"), not NIO's call.
    public static func explain(_ error: any Error, address: String) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE: return "cannot serve on \(address): the address is already in use (another server listens there)"
            case EADDRNOTAVAIL: return "cannot serve on \(address): this machine has no such address"
            case EACCES: return "cannot serve on \(address): permission denied (ports below 1024 need privileges)"
            default: return "cannot serve on \(address): \(io)"
            }
        }
        return "the server stopped: \(error)"
    }

    final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: (any Error)?
        func set(_ error: any Error) { lock.withLock { stored = error } }
        var error: (any Error)? { lock.withLock { stored } }
    }
}

/// A service started in this process: where it listens, and how to stop it.
public final class RunningService: Sendable {
    public let address: ListenAddress
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(address: ListenAddress, group: ServiceGroup, task: Task<Void, any Error>) {
        self.address = address
        self.group = group
        self.task = task
    }

    /// Starts the service and returns once it listens. With an `executor`, the server's tasks
    /// (connections, requests, services) run there rather than on the shared concurrency pool,
    /// so that a test process whose pool is busy with blocking work still answers.
    public static func start(router: Router<ServiceRequestContext>, direct: DirectRoutes? = nil,
                             address: ListenAddress = ListenAddress(host: "127.0.0.1", port: 0),
                             tls: TLSFiles? = nil, services: [any Service] = [], logger: Logger,
                             executor: (any TaskExecutor)? = nil) async throws -> RunningService {
        let (stream, continuation) = AsyncStream.makeStream(of: ListenAddress.self)
        let application = try makeServiceApplication(router: router, direct: direct, address: address, tls: tls, services: services, logger: logger) {
            continuation.yield($0)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        let task = Task(executorPreference: executor) {
            defer { continuation.finish() }
            try await group.run()
        }
        for await bound in stream { return RunningService(address: bound, group: group, task: task) }
        try await task.value
        throw ServiceSetupError(.listenAddressInvalid, "the service stopped before it listened on \(address)")
    }

    /// Stops gracefully and waits until it has.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// `http://HOST:PORT` (or https).
    public func baseURL(tls: Bool = false) -> String { "\(tls ? "https" : "http")://\(address)" }
}

/// Shuts a blocking thread pool down once the service group shuts down gracefully.
public struct ThreadPoolService: Service {
    let pool: NIOThreadPool
    public init(pool: NIOThreadPool) { self.pool = pool }
    public func run() async throws {
        try? await gracefulShutdown()
        try await pool.shutdownGracefully()
    }
}
