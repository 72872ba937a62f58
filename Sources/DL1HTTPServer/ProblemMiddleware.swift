import DL1ServiceAPI
import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension Problem {
    /// The problem as an HTTP response (`application/problem+json`, never cached).
    public func response(headers extra: HTTPFields = [:]) -> Response { answer(headers: extra).response }

    /// The same, as a ``DirectAnswer``.
    public func answer(headers extra: HTTPFields = [:]) -> DirectAnswer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(self)) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: ServiceMediaType.problem, .cacheControl: "no-store"]
        headers.append(contentsOf: extra)
        return DirectAnswer(status: .init(code: status), headers: headers, body: ByteBuffer(bytes: body))
    }
}

/// The headers every answer of the project's services carries: no MIME sniffing, no referrer.
public enum ServiceHeaders {
    public static func addCommon(to headers: inout HTTPFields) {
        headers[contentTypeOptionsField] = "nosniff"
        headers[referrerPolicyField] = "no-referrer"
    }
}

/// Turns every failure into an RFC 9457 problem document: the service's own ``Problem``s,
/// Hummingbird's errors (no route, wrong method, body too large) and anything unexpected
/// (500, logged by type only: an error's text may carry personal data). Adds the headers every
/// response carries (nosniff, no referrer).
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let problem as Problem {
            response = problem.response()
        } catch let error as HTTPError {
            response = Self.problem(for: error).response(headers: error.headers)
        } catch {
            context.logger.error("request failed", metadata: ["error.type": "\(type(of: error))"])
            response = Problem(.internalError, status: 500, detail: "the request could not be completed").response()
        }
        ServiceHeaders.addCommon(to: &response.headers)
        return response
    }

    static func problem(for error: HTTPError) -> Problem {
        let code = error.status.code
        let detail = error.body ?? error.status.reasonPhrase
        switch code {
        case 404: return Problem(.notFound, status: 404, detail: "nothing is published at this path")
        case 405: return Problem(.methodNotAllowed, status: 405, detail: "this path does not take that method")
        case 413: return Problem(.bodyTooLarge, status: 413, detail: "the request body is larger than \(ServiceRequestContext.maxBodyBytes) bytes")
        case 415: return Problem(.unsupportedMediaType, status: 415, detail: detail)
        case 429: return Problem(.rateLimited, status: 429, detail: detail)
        case 400..<500: return Problem(.malformedRequest, status: code, detail: detail)
        default: return Problem(.internalError, status: code, detail: detail)
        }
    }
}

private let contentTypeOptionsField = HTTPField.Name("X-Content-Type-Options")!
private let referrerPolicyField = HTTPField.Name("Referrer-Policy")!
