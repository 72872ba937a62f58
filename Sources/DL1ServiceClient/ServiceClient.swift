import AsyncHTTPClient
import DL1Crypto
import DL1Format
import DL1ServiceAPI
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// A client of the issuing service (`dl-issue serve`) over HTTP/1.1 or HTTPS: challenges,
/// enrolment, refresh, and conditional GETs of published data. Every answer is bounded in size
/// and time; redirects are not followed. Call ``shutdown()`` when done.
public final class ServiceClient: Sendable {
    /// The service's base URL, without a trailing slash.
    public let baseURL: String
    let client: HTTPClient
    /// The largest JSON answer read.
    public static let maxJSONBytes = 64 * 1024

    /// A client of the service at `baseURL`; `caFile` (PEM) replaces the system's trust roots
    /// for HTTPS (a private CA, or a self-signed test certificate).
    public init(baseURL: String, caFile: String? = nil, connectTimeout: TimeAmount = .seconds(10), timeout: TimeAmount = .seconds(30)) throws(ServiceClientError) {
        guard let url = URL(string: baseURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil, url.query == nil else {
            throw ServiceClientError(.invalidURL, "'\(baseURL)' is not an http or https URL")
        }
        self.baseURL = String(baseURL.reversed().drop { $0 == "/" }.reversed())
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            do {
                let roots = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !roots.isEmpty else { throw ServiceClientError(.tlsSetup, "\(caFile) holds no certificate") }
                tls.trustRoots = .certificates(roots)
            } catch let error as ServiceClientError { throw error } catch {
                throw ServiceClientError(.tlsSetup, "cannot read the CA file \(caFile) (PEM certificates): \(error)")
            }
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow,
                                                     timeout: .init(connect: connectTimeout, read: timeout))
        configuration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async { try? await client.shutdown() }

    /// A fresh challenge for `purpose`.
    public func challenge(_ purpose: ChallengePurpose) async throws(ServiceClientError) -> ChallengeResponse {
        try await post(ServicePath.challenges, ChallengeRequest(purpose: purpose), expecting: [201])
    }

    /// Enrols the device whose key `device` holds, with the enrolment code the holder was given.
    public func enrol(code: String, device: any RawSigner) async throws(ServiceClientError) -> CredentialResponse {
        switch try await enrol(code: code, device: device, portrait: nil) {
        case .credential(let credential): return credential
        case .application(let application):
            throw ServiceClientError(.unexpectedResponse, "the service made an application (\(application.applicationId)) of an enrolment without a portrait")
        }
    }

    /// What an enrolment came to.
    public enum Enrolment: Sendable {
        case credential(CredentialResponse)
        /// With a portrait: an application waiting for an officer.
        case application(ApplicationResponse)
    }

    /// Enrols, optionally with a new portrait (which makes an application an officer decides).
    public func enrol(code: String, device: any RawSigner, portrait: [UInt8]?) async throws(ServiceClientError) -> Enrolment {
        let point = device.publicKey.compressedPoint
        let (challenge, signature) = try await signedChallenge(.enrol, device: device) {
            ProofOfPossession.enrolment(challenge: $0, code: code, deviceKey: point, portraitSHA256: portrait.map(SHA256.hash))
        }
        let body = EnrolmentRequest(code: code, deviceKey: Base64URL.encode(point), challenge: challenge,
                                    signature: Base64URL.encode(signature), portrait: portrait.map(Base64URL.encode))
        let (status, answer) = try await postRaw(ServicePath.enrolments, body, expecting: [201, 202])
        do {
            return status == 201 ? .credential(try JSONDecoder().decode(CredentialResponse.self, from: Data(answer)))
                                 : .application(try JSONDecoder().decode(ApplicationResponse.self, from: Data(answer)))
        } catch {
            throw ServiceClientError(.unexpectedResponse, "the answer to \(ServicePath.enrolments) is not the expected JSON: \(error)")
        }
    }

    /// Where application `id` stands (with the credential once approved), for its device.
    public func application(_ id: String, device: any RawSigner) async throws(ServiceClientError) -> ApplicationResponse {
        let (challenge, signature) = try await signedChallenge(.application, device: device) {
            ProofOfPossession.application(challenge: $0, applicationID: id)
        }
        return try await post(ServicePath.applications + "/" + id, ApplicationRequest(challenge: challenge, signature: Base64URL.encode(signature)),
                              expecting: [200])
    }

    /// The current bound credential `credentialID`, for the device whose key `device` holds.
    public func refresh(credentialID: [UInt8], device: any RawSigner) async throws(ServiceClientError) -> CredentialResponse {
        let (challenge, signature) = try await signedChallenge(.refresh, device: device) {
            ProofOfPossession.refresh(challenge: $0, credentialID: credentialID)
        }
        return try await post(ServicePath.refresh,
                              RefreshRequest(credentialId: Hex.encode(credentialID), challenge: challenge,
                                             signature: Base64URL.encode(signature)), expecting: [200])
    }

    /// A fresh challenge for `purpose` and the device's signature over `message(challenge)`.
    func signedChallenge(_ purpose: ChallengePurpose, device: any RawSigner,
                         message: ([UInt8]) -> [UInt8]) async throws(ServiceClientError) -> (challenge: String, signature: [UInt8]) {
        let challenge = try await self.challenge(purpose)
        guard let bytes = Base64URL.decode(challenge.challenge, limit: 256) else {
            throw ServiceClientError(.unexpectedResponse, "the service's challenge is not base64url")
        }
        do { return (challenge.challenge, try device.sign(message(bytes))) } catch {
            throw ServiceClientError(.deviceKey, "the device key could not sign: \(error)")
        }
    }

    /// The result of a conditional GET.
    public enum Fetched: Sendable {
        case notModified(etag: String?)
        case fetched(bytes: [UInt8], etag: String?)
    }

    /// GETs `path` (or an absolute URL), sending `If-None-Match` when `etag` is given; at most
    /// `limit` bytes are read.
    public func get(_ path: String, etag: String?, limit: Int) async throws(ServiceClientError) -> Fetched {
        var request = HTTPClientRequest(url: path.contains("://") ? path : baseURL + path)
        if let etag { request.headers.add(name: "If-None-Match", value: etag) }
        let (status, headers, body) = try await execute(request, limit: limit)
        switch status {
        case 304: return .notModified(etag: headers.first(name: "ETag") ?? etag)
        case 200: return .fetched(bytes: body, etag: headers.first(name: "ETag"))
        default: throw Self.failure(status: status, headers: headers, body: body, path: path)
        }
    }

    func post<Body: Encodable, Answer: Decodable>(_ path: String, _ value: Body, expecting: Set<UInt>) async throws(ServiceClientError) -> Answer {
        let (_, body) = try await postRaw(path, value, expecting: expecting)
        do { return try JSONDecoder().decode(Answer.self, from: Data(body)) } catch {
            throw ServiceClientError(.unexpectedResponse, "the answer to \(path) is not the expected JSON: \(error)")
        }
    }

    func postRaw<Body: Encodable>(_ path: String, _ value: Body, expecting: Set<UInt>) async throws(ServiceClientError) -> (UInt, [UInt8]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: ServiceMediaType.json)
        request.headers.add(name: "Accept", value: ServiceMediaType.json)
        let encoded: Data
        do { encoded = try JSONEncoder().encode(value) } catch { throw ServiceClientError(.unexpectedResponse, "cannot encode the request: \(error)") }
        request.body = .bytes(ByteBuffer(bytes: encoded))
        let (status, headers, body) = try await execute(request, limit: Self.maxJSONBytes)
        guard expecting.contains(status) else { throw Self.failure(status: status, headers: headers, body: body, path: path) }
        return (status, body)
    }

    func execute(_ request: HTTPClientRequest, limit: Int) async throws(ServiceClientError) -> (UInt, HTTPHeaders, [UInt8]) {
        do {
            let response = try await client.execute(request, timeout: .seconds(60))
            let body: ByteBuffer
            do { body = try await response.body.collect(upTo: limit) } catch is NIOTooManyBytesError {
                throw ServiceClientError(.tooLarge, "the answer from \(request.url) is larger than \(limit) bytes")
            }
            return (response.status.code, response.headers, Array(body.readableBytesView))
        } catch let error as ServiceClientError {
            throw error
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw ServiceClientError(.timeout, "\(request.url) did not answer in time")
        } catch {
            throw ServiceClientError(.unreachable, "cannot reach \(request.url): \(error)")
        }
    }

    static func failure(status: UInt, headers: HTTPHeaders, body: [UInt8], path: String) -> ServiceClientError {
        if headers.first(name: "Content-Type")?.hasPrefix(ServiceMediaType.problem) == true,
           let problem = try? JSONDecoder().decode(Problem.self, from: Data(body)) {
            // The detail is the server's text: shown on a terminal, so no control characters.
            return ServiceClientError(.problem, TextSafety.sanitized(problem.detail), problem: problem)
        }
        return ServiceClientError(.unexpectedResponse, "\(path) answered HTTP \(status)")
    }
}
