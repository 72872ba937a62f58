import DL1ServiceAPI
import Foundation
import Hummingbird
import NIOCore

/// A token bucket per client: `rate` requests per second on average, bursts of `burst`.
/// It tracks at most `maxClients` clients; when full, the ones idle longest are dropped (they
/// start again with a full bucket, which costs an attacker nothing it could not get from a
/// new address anyway). A rate of 0 turns the limit off.
public final class RateLimiter: @unchecked Sendable {
    public let rate: Double
    public let burst: Double
    public let maxClients: Int
    private let lock = NSLock()
    private var buckets: [String: (tokens: Double, at: UInt64)] = [:]

    public init(rate: Double, burst: Double, maxClients: Int = 100_000) {
        self.rate = rate
        self.burst = max(1, burst)
        self.maxClients = maxClients
    }

    /// Takes one token for `client` at `now` (nanoseconds, monotonic): nil when allowed, else
    /// the seconds to wait.
    public func take(_ client: String, now: UInt64) -> Int? {
        guard rate > 0 else { return nil }
        lock.lock()
        defer { lock.unlock() }
        var bucket = buckets[client] ?? (burst, now)
        bucket.tokens = min(burst, bucket.tokens + Double(now &- bucket.at) / 1e9 * rate)
        bucket.at = now
        guard bucket.tokens >= 1 else {
            buckets[client] = bucket
            return max(1, Int(min(86_400, ((1 - bucket.tokens) / rate).rounded(.up))))
        }
        bucket.tokens -= 1
        if buckets[client] == nil, buckets.count >= maxClients {
            let idle = buckets.sorted { $0.value.at < $1.value.at }.prefix(maxClients / 10 + 1)
            for (key, _) in idle { buckets[key] = nil }
        }
        buckets[client] = bucket
        return nil
    }
}

/// Answers 429 with `Retry-After` when the client's bucket is empty.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let limiter: RateLimiter

    public init(_ limiter: RateLimiter) { self.limiter = limiter }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = limiter.refusal(for: context.clientKey) { return refusal.response }
        return try await next(request, context)
    }
}

extension RateLimiter {
    /// Takes one token for `client` now: nil when allowed, else the 429 answer with `Retry-After`.
    public func refusal(for client: String) -> DirectAnswer? {
        guard let wait = take(client, now: DispatchTime.now().uptimeNanoseconds) else { return nil }
        return Problem(.rateLimited, status: 429, detail: "too many requests from this client: try again in \(wait) s")
            .answer(headers: [.retryAfter: "\(wait)"])
    }
}
