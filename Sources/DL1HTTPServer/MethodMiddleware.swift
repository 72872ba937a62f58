import DL1ServiceAPI
import HTTPTypes
import Hummingbird

/// Answers 405 with `Allow` for a known path asked with a method it does not take (the router
/// alone would say 404, as if the path did not exist). HEAD is allowed wherever GET is.
public struct MethodMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: [String: [HTTPRequest.Method]]

    public init(_ allowed: [String: [HTTPRequest.Method]]) { self.allowed = allowed }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let methods = allowed[request.uri.path] else { return try await next(request, context) }
        let all = methods.contains(.get) ? methods + [.head] : methods
        // OPTIONS goes through for CORS preflights (answered by the CORS middleware, else 405 below).
        if all.contains(request.method) || (request.method == .options && request.headers[.origin] != nil) {
            return try await next(request, context)
        }
        return Problem(.methodNotAllowed, status: 405, detail: "\(request.uri.path) takes \(all.map(\.rawValue).joined(separator: ", ")) only")
            .response(headers: [.allow: all.map(\.rawValue).joined(separator: ", ")])
    }
}
