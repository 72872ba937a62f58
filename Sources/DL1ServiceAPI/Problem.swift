/// An RFC 9457 problem document, as every error of the service is answered. `type` is
/// `urn:dl1:problem:` followed by ``code``, which is stable: clients decide on it, people read
/// `detail`.
public struct Problem: Codable, Sendable, Hashable, Error, CustomStringConvertible {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// The stable code (the last part of `type`).
    public var code: String

    public static let typePrefix = "urn:dl1:problem:"

    public init(_ code: ProblemCode, status: Int, detail: String) {
        self.type = Self.typePrefix + code.rawValue
        self.title = code.title
        self.status = status
        self.detail = detail
        self.code = code.rawValue
    }

    public var description: String { "\(detail) (\(code), HTTP \(status))" }
}

/// The problem types the services answer with (`dl-issue serve` and `dl-verify serve`).
public enum ProblemCode: String, Sendable, CaseIterable, Codable {
    case malformedRequest = "malformed-request"
    case bodyTooLarge = "body-too-large"
    case unsupportedMediaType = "unsupported-media-type"
    case notFound = "not-found"
    case methodNotAllowed = "method-not-allowed"
    case rateLimited = "rate-limited"
    case challengeInvalid = "challenge-invalid"
    case challengeExpired = "challenge-expired"
    case challengeUsed = "challenge-used"
    case proofInvalid = "proof-invalid"
    case deviceKeyInvalid = "device-key-invalid"
    case enrolmentCodeWrong = "enrolment-code-wrong"
    case enrolmentCodeLocked = "enrolment-code-locked"
    case enrolmentCodeExpired = "enrolment-code-expired"
    case noEnrolmentCode = "no-enrolment-code"
    case licenceNotValid = "licence-not-valid"
    case unknownCredential = "unknown-credential"
    case credentialNotBound = "credential-not-bound"
    case credentialSuperseded = "credential-superseded"
    case credentialRevoked = "credential-revoked"
    case credentialSuspended = "credential-suspended"
    case licenceExpired = "licence-expired"
    case portraitInvalid = "portrait-invalid"
    case unknownApplication = "unknown-application"
    case unavailable = "unavailable"
    case internalError = "internal-error"
    // dl-verify serve
    case noCode = "no-code"
    case imageUnreadable = "image-unreadable"
    case unauthorized = "unauthorized"
    case busy = "busy"
    case requestTimeout = "request-timeout"

    public var title: String {
        switch self {
        case .malformedRequest: "The request is malformed"
        case .bodyTooLarge: "The request body is too large"
        case .unsupportedMediaType: "Unsupported media type"
        case .notFound: "Not found"
        case .methodNotAllowed: "Method not allowed"
        case .rateLimited: "Too many requests"
        case .challengeInvalid: "The challenge is not one of this service's"
        case .challengeExpired: "The challenge has expired"
        case .challengeUsed: "The challenge was already used"
        case .proofInvalid: "The proof of possession does not verify"
        case .deviceKeyInvalid: "The device key is not a P-256 public key"
        case .enrolmentCodeWrong: "The enrolment code is wrong"
        case .enrolmentCodeLocked: "The enrolment code is locked"
        case .enrolmentCodeExpired: "The enrolment code has expired"
        case .noEnrolmentCode: "No enrolment code is open for this licence"
        case .licenceNotValid: "The licence cannot be enrolled"
        case .unknownCredential: "Unknown credential"
        case .credentialNotBound: "The credential is not bound to a device"
        case .credentialSuperseded: "The credential was superseded"
        case .credentialRevoked: "The credential was revoked"
        case .credentialSuspended: "The licence is suspended"
        case .licenceExpired: "The licence has expired"
        case .portraitInvalid: "The portrait is empty or too large"
        case .unknownApplication: "Unknown application"
        case .unavailable: "The service is not ready"
        case .internalError: "Internal error"
        case .noCode: "The image holds no QR code"
        case .imageUnreadable: "The image cannot be read"
        case .unauthorized: "An API token is required"
        case .busy: "Too many images are being verified"
        case .requestTimeout: "The request body came too slowly"
        }
    }
}
