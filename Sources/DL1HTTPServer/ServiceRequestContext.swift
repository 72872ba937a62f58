import Hummingbird
import NIOCore

/// The request context of the project's services: Hummingbird's core storage, the client's
/// address (for rate limits only, never logged) and a small body limit.
public struct ServiceRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The largest request body read (the JSON messages are well under 2 KiB).
    public static let maxBodyBytes = 16 * 1024
    public var maxUploadSize: Int { Self.maxBodyBytes }

    /// What identifies the client for rate limits: its IPv4 address, or the /64 network of its
    /// IPv6 address (one subscriber's usual share: a client holding a /64 must not get a fresh
    /// allowance from each of its addresses).
    public var clientKey: String { Self.clientKey(remoteAddress) }

    static func clientKey(_ address: SocketAddress?) -> String {
        guard let ip = address?.ipAddress else { return "unknown" }
        guard case .v6 = address, !ip.contains("."), let groups = ipv6Groups(ip) else { return ip }
        return groups.prefix(4).map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
    }

    /// The eight 16-bit groups of an IPv6 address as text (a zone such as `%eth0` ignored), or
    /// nil when it is not one.
    static func ipv6Groups(_ text: String) -> [UInt16]? {
        let address = text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? text
        let halves = address.components(separatedBy: "::")
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            let values = part.split(separator: ":", omittingEmptySubsequences: false).map { $0.count <= 4 ? UInt16($0, radix: 16) : nil }
            return values.contains(nil) ? nil : values.compactMap { $0 }
        }
        switch halves.count {
        case 1:
            guard let all = groups(halves[0]), all.count == 8 else { return nil }
            return all
        case 2:
            guard let head = groups(halves[0]), let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
            return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        default:
            return nil
        }
    }
}
