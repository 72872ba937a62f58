import DL1ServiceAPI
import HTTPTypes
import Hummingbird

/// Answers 405 with `Allow` for a known path asked with a method it does not take (the router
/// alone would say 404, as if the path did not exist). Where GET is taken, HEAD is listed too:
/// register it with ``Router/getAndHead(_:use:)``.
public struct MethodMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: [String: [HTTPRequest.Method]]
    let crossOrigin: Bool

    /// `crossOrigin`: a CORS middleware answers preflights (OPTIONS with an Origin), so let them through.
    public init(_ allowed: [String: [HTTPRequest.Method]], crossOrigin: Bool = false) {
        self.allowed = allowed
        self.crossOrigin = crossOrigin
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let methods = allowed[request.uri.path] else { return try await next(request, context) }
        let all = methods.contains(.get) ? methods + [.head] : methods
        if all.contains(request.method) || (crossOrigin && request.method == .options && request.headers[.origin] != nil) {
            return try await next(request, context)
        }
        return Problem(.methodNotAllowed, status: 405, detail: "\(request.uri.path) takes \(all.map(\.rawValue).joined(separator: ", ")) only")
            .response(headers: [.allow: all.map(\.rawValue).joined(separator: ", ")])
    }
}

extension Router {
    /// A GET route, and HEAD on the same path: the GET's status and headers without the body.
    public func getAndHead(_ path: String, use handler: @escaping @Sendable (Request, Context) async throws -> Response) {
        get(.init(stringLiteral: path), use: handler)
        head(.init(stringLiteral: path)) { request, context in
            let response = try await handler(request, context)
            return Response(status: response.status, headers: response.headers)
        }
    }
}
