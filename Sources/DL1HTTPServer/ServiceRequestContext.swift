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

    /// What identifies the client for rate limits: its IP address without the port.
    public var clientKey: String { Self.clientKey(remoteAddress) }

    static func clientKey(_ address: SocketAddress?) -> String { address?.ipAddress ?? "unknown" }
}
