import DL1Crypto
import DL1Format
import Hummingbird

/// A published resource (a status token, the bundle, a trust file) with what HTTP caches need:
/// a strong `ETag` from its bytes, `Last-Modified`, and a `max-age`.
public struct CachedResource: Sendable {
    public let bytes: [UInt8]
    public let contentType: String
    public let etag: String
    public let lastModified: Int64
    /// Seconds a cache may keep it (nil: `no-cache`, revalidate each time).
    public let maxAge: Int64?
    /// When what it holds stops being usable (a token's exp): `max-age` never reaches past it.
    public let expiresAt: Int64?
    /// The answers, made once: a resource is served many times more often than it changes.
    private let body: ByteBuffer
    private let fullHeaders: HTTPFields
    private let notModifiedHeaders: HTTPFields

    public init(bytes: [UInt8], contentType: String, lastModified: Int64, maxAge: Int64?, expiresAt: Int64? = nil) {
        self.expiresAt = expiresAt
        self.bytes = bytes
        self.contentType = contentType
        let etag = "\"" + Hex.encode(SHA256.hash(bytes).prefix(16)) + "\""
        self.etag = etag
        self.lastModified = lastModified
        self.maxAge = maxAge
        body = ByteBuffer(bytes: bytes)
        var common: HTTPFields = [.eTag: etag, .lastModified: HTTPDate.format(lastModified),
                                  .cacheControl: maxAge.map { "public, max-age=\(max(0, $0))" } ?? "no-cache"]
        ServiceHeaders.addCommon(to: &common)
        notModifiedHeaders = common
        var full = common
        full[.contentType] = contentType
        fullHeaders = full
    }

    /// 200 with the bytes, or 304 when the request's `If-None-Match` names this version. At
    /// `now`, `max-age` is the lesser of the resource's and the time left before its expiry.
    public func response(to request: Request, now: Int64) -> Response {
        answer(ifNoneMatch: request.headers[.ifNoneMatch], now: now).response
    }

    /// The same answer, from the request's `If-None-Match` alone.
    public func answer(ifNoneMatch: String?, now: Int64) -> DirectAnswer {
        var headers = ifNoneMatch.map { Self.matches($0, etag) } == true ? notModifiedHeaders : fullHeaders
        if let expiresAt, let maxAge, expiresAt - now < maxAge {
            headers[.cacheControl] = "public, max-age=\(max(0, expiresAt - now))"
        }
        if headers[.contentType] == nil { return DirectAnswer(status: .notModified, headers: headers) }
        return DirectAnswer(status: .ok, headers: headers, body: body)
    }

    /// `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `*`, or any listed tag
    /// equal to ours with or without `W/`.
    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { item in
            let tag = item.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }
}

/// HTTP dates (RFC 9110 §5.6.7, IMF-fixdate), from seconds since the epoch.
public enum HTTPDate {
    private static let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func format(_ seconds: Int64) -> String {
        let date = CalendarDate(utcDayOf: seconds)
        let (y, m, d) = date.components
        let secondOfDay = seconds - date.daysSinceEpoch * 86_400
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let weekday = days[Int(((date.daysSinceEpoch % 7) + 7) % 7)]
        return "\(weekday), \(two(Int64(d))) \(months[m - 1]) \(y) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) GMT"
    }
}
