import DL1ServiceAPI

/// A failure talking to a service: a stable ``Code`` and the facts.
public struct ServiceClientError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The URL given is not an http(s) URL.
        case invalidURL = "invalid-url"
        /// The CA file for TLS cannot be used.
        case tlsSetup = "tls-setup"
        /// No connection (refused, unreachable, TLS failure) or it broke.
        case unreachable
        /// The service did not answer in time.
        case timeout
        /// The service answered with a problem document (see ``problem``).
        case problem
        /// The service answered with something else than the protocol says.
        case unexpectedResponse = "unexpected-response"
        /// The answer is larger than the client accepts.
        case tooLarge = "too-large"
        /// The device key could not sign.
        case deviceKey = "device-key"
    }
    public let code: Code
    public let description: String
    /// The problem document, for ``Code/problem``.
    public let problem: Problem?

    public init(_ code: Code, _ description: String, problem: Problem? = nil) {
        self.code = code
        self.description = description
        self.problem = problem
    }
}
