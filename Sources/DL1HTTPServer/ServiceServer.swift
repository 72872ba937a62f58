import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Why a service could not start: its address or its TLS files.
public struct ServiceSetupError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case listenAddressInvalid = "listen-address-invalid"
        case tlsFilesUnusable = "tls-files-unusable"
    }
    public let code: Code
    public let description: String
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

/// Where a service listens: `HOST:PORT` or `[IPv6]:PORT` (port 0: any free port).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(ServiceSetupError) {
        let host: Substring, port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") {
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else if let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else {
            throw ServiceSetupError(.listenAddressInvalid, "'\(text)' is not HOST:PORT (e.g. 127.0.0.1:8080, or [::1]:8080)")
        }
        guard !host.isEmpty, let number = Int(port), (0...65535).contains(number) else {
            throw ServiceSetupError(.listenAddressInvalid, "'\(text)' is not HOST:PORT with a port from 0 to 65535")
        }
        self.init(host: String(host), port: number)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The TLS certificate chain and private key of a service, as PEM files.
public struct TLSFiles: Sendable, Hashable {
    public let certificateChain: String
    public let privateKey: String
    public init(certificateChain: String, privateKey: String) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }

    func configuration() throws(ServiceSetupError) -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificateChain) } catch {
            throw ServiceSetupError(.tlsFilesUnusable, "cannot read the TLS certificate chain \(certificateChain) (PEM): \(error)")
        }
        guard !chain.isEmpty else { throw ServiceSetupError(.tlsFilesUnusable, "\(certificateChain) holds no certificate") }
        // A private key others can read is refused, as the issuer's signing keys are.
        if let mode = (try? FileManager.default.attributesOfItem(atPath: privateKey))?[.posixPermissions] as? NSNumber, mode.intValue & 0o077 != 0 {
            throw ServiceSetupError(.tlsFilesUnusable, "the TLS private key \(privateKey) is readable by others (mode \(String(mode.intValue & 0o777, radix: 8))): chmod 600 it")
        }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: privateKey, format: .pem) } catch {
            throw ServiceSetupError(.tlsFilesUnusable, "cannot read the TLS private key \(privateKey) (PEM, unencrypted): \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}

/// Limits every service applies at the connection level.
public enum ServiceLimits {
    /// All request headers together (a request line and a few headers need far less).
    public static let maxHeaderBytes = 16 * 1024
    public static let maxHeaderCount = 64
    /// A connection idle this long is closed (slow clients cannot hold connections open).
    public static let idleTimeout: TimeAmount = .seconds(30)
}

/// Builds a service's application: HTTP/1.1, or HTTP/1.1 over TLS when `tls` is given, with
/// bounded headers and an idle timeout, running `services` beside the server and calling
/// `onRunning` with the bound address once it listens. `direct` names the requests answered on
/// the event loop, before the router (see ``DirectRoutes``).
public func makeServiceApplication(router: Router<ServiceRequestContext>, direct: DirectRoutes? = nil, address: ListenAddress, tls: TLSFiles?,
                                   services: [any Service], logger: Logger,
                                   onRunning: @escaping @Sendable (ListenAddress) async -> Void = { _ in }) throws(ServiceSetupError)
    -> some ApplicationProtocol {
    let http1 = HTTP1Channel.Configuration(
        idleTimeout: ServiceLimits.idleTimeout,
        httpDecoderConfiguration: .init(maxHeaderFieldSize: ServiceLimits.maxHeaderBytes, maxHeaderListSize: ServiceLimits.maxHeaderBytes,
                                        maxHeaderFieldCount: ServiceLimits.maxHeaderCount))
    let plain: HTTPServerBuilder = direct.map { routes in
        HTTPServerBuilder { responder in DirectHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: http1), routes: routes) }
    } ?? .http1(configuration: http1)
    let server: HTTPServerBuilder
    if let tls {
        let configuration = try tls.configuration()
        do { server = try .tls(plain, tlsConfiguration: configuration) } catch {
            throw ServiceSetupError(.tlsFilesUnusable, "the TLS certificate and key cannot be used together: \(error)")
        }
    } else {
        server = plain
    }
    return Application(router: router, server: server,
                       configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
                       services: services,
                       onServerRunning: { channel in
                           await onRunning(ListenAddress(host: address.host, port: channel.localAddress?.port ?? address.port))
                       },
                       eventLoopGroupProvider: .shared(ServiceEventLoops.group),
                       logger: logger)
}
