import DL1ServiceAPI
import Foundation
import Hummingbird

extension Request {
    /// The body as `T` from JSON: 415 unless the content type is JSON, 413 past the context's
    /// limit, 400 naming what is missing or of the wrong type.
    public func decodeJSON<T: Decodable>(_ type: T.Type, context: some RequestContext, limit: Int? = nil) async throws -> T {
        let limit = limit ?? context.maxUploadSize
        let contentType = headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard contentType == "application/json" else {
            throw Problem(.unsupportedMediaType, status: 415, detail: "the body must be application/json, not \(contentType ?? "untyped")")
        }
        var request = self
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit) } catch {
            throw Problem(.bodyTooLarge, status: 413, detail: "the request body is larger than \(limit) bytes")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw Problem(.malformedRequest, status: 400, detail: Self.explain(error))
        } catch {
            throw Problem(.malformedRequest, status: 400, detail: "the body is not JSON")
        }
    }

    static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _): return "the member '\(key.stringValue)' is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return context.codingPath.isEmpty ? "the body must be a JSON object" : "the member '\(path(context))' has the wrong type"
        case .dataCorrupted(let context):
            if context.debugDescription.hasPrefix("unknown member") { return "the body has an \(context.debugDescription)" }
            return context.codingPath.isEmpty ? "the body is not JSON" : "the member '\(path(context))' has an invalid value"
        @unknown default: return "the body is not the expected JSON"
        }
    }
}

/// A JSON response.
public func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let body = (try? encoder.encode(value)) ?? Data("{}".utf8)
    return Response(status: status, headers: [.contentType: ServiceMediaType.json, .cacheControl: "no-store"],
                    body: .init(byteBuffer: ByteBuffer(bytes: body)))
}

extension Request {
    /// The body, at most `limit` bytes, read within `deadline`: a client that sends its body
    /// slowly (to hold a slot) gets 408, one that sends too much 413 (`tooLarge`).
    public func collectBody(upTo limit: Int, within deadline: Duration, tooLarge: Problem) async throws -> ByteBuffer {
        let request = self
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                var body = request
                do { return try await body.collectBody(upTo: limit) } catch is CancellationError { throw CancellationError() } catch { throw tooLarge }
            }
            group.addTask {
                try await Task.sleep(for: deadline)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else {
                throw Problem(.requestTimeout, status: 408, detail: "the request body did not arrive within \(deadline.components.seconds) s")
            }
            return buffer
        }
    }
}
