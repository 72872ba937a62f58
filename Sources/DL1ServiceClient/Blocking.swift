import Dispatch
import Foundation

/// Runs async client work from a synchronous command, blocking the calling thread (never a
/// thread of the concurrency pool or an event loop) until it is done.
public func runBlocking<T: Sendable, E: Error>(_ body: @escaping @Sendable () async throws(E) -> T) throws(E) -> T {
    let box = ResultBox<T, E>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do throws(E) { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// Written by the task before it signals, read after the wait: the semaphore orders the two.
private final class ResultBox<T, E: Error>: @unchecked Sendable {
    var result: Result<T, E>?
}
