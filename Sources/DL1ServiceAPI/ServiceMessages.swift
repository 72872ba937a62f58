/// The JSON messages of the issuing service (`dl-issue serve`), as the OpenAPI document
/// `openapi/dl-issue-serve.json` describes them. Binary values travel as base64url without
/// padding (RFC 4648 §5); times are seconds since the Unix epoch.
public enum ServicePath {
    /// `POST`: a fresh single-use challenge.
    public static let challenges = "/v1/challenges"
    /// `POST`: enrol a device with an enrolment code.
    public static let enrolments = "/v1/enrolments"
    /// `POST`: the current bound credential, for a device that proves its key.
    public static let refresh = "/v1/refresh"
    /// `POST /v1/applications/ID`: an application's state (and credential once approved), for
    /// the device that made it.
    public static let applications = "/v1/applications"
    /// `GET`: the handheld bundle (FORMAT §6).
    public static let bundle = "/v1/bundle"
    /// `GET`: the trust material's listing; `/v1/trust/NAME` is one file.
    public static let trust = "/v1/trust"
    /// `GET`: liveness and the age of the published data.
    public static let health = "/v1/health"
    /// `GET`: Prometheus metrics.
    public static let metrics = "/metrics"
}

/// Media types the service speaks.
public enum ServiceMediaType {
    public static let json = "application/json"
    public static let problem = "application/problem+json"
    /// A Status List Token in CWT form (Token Status List draft §8.1).
    public static let statusList = "application/statuslist+cwt"
    /// A handheld bundle (FORMAT §6), CBOR.
    public static let bundle = "application/cbor"
    public static let pem = "application/pem-certificate-chain"
}

/// What a challenge is for: a proof made for one purpose is refused for the other.
public enum ChallengePurpose: String, Codable, Sendable, CaseIterable {
    case enrol
    case refresh
    case application
}

/// `POST /v1/challenges` request.
public struct ChallengeRequest: Codable, Sendable, Hashable {
    public var purpose: ChallengePurpose
    public init(purpose: ChallengePurpose) { self.purpose = purpose }
}

/// `POST /v1/challenges` response: sign it once, before `expiresAt`.
public struct ChallengeResponse: Codable, Sendable, Hashable {
    /// base64url of the challenge's bytes.
    public var challenge: String
    public var purpose: ChallengePurpose
    public var expiresAt: Int64
    public init(challenge: String, purpose: ChallengePurpose, expiresAt: Int64) {
        self.challenge = challenge
        self.purpose = purpose
        self.expiresAt = expiresAt
    }
}

/// `POST /v1/enrolments` request: the code the authority gave the holder, the device's public
/// key and its signature over ``ProofOfPossession/enrolment(challenge:code:deviceKey:)``.
public struct EnrolmentRequest: Codable, Sendable, Hashable {
    public var code: String
    /// base64url of the 33-byte SEC 1 compressed point.
    public var deviceKey: String
    /// base64url, from ``ChallengeResponse``.
    public var challenge: String
    /// base64url of the 64-byte ES256 signature (`r || s`).
    public var signature: String
    /// base64url of a new portrait (JPEG or PNG, at most 512 KiB): the enrolment then waits for
    /// an officer as an application. Its SHA-256 is part of what the device signs.
    public var portrait: String?
    public init(code: String, deviceKey: String, challenge: String, signature: String, portrait: String? = nil) {
        self.code = code
        self.deviceKey = deviceKey
        self.challenge = challenge
        self.signature = signature
        self.portrait = portrait
    }
}

/// `POST /v1/enrolments` answer (202) when the enrolment carried a portrait, and
/// `POST /v1/applications/ID` answer: where the application stands.
public struct ApplicationResponse: Codable, Sendable, Hashable {
    public var applicationId: String
    /// pending, approving (an officer's approval is being issued), approved or rejected.
    public var state: String
    public var reason: String?
    /// The bound credential, once approved.
    public var credential: CredentialResponse?
    public init(applicationId: String, state: String, reason: String? = nil, credential: CredentialResponse? = nil) {
        self.applicationId = applicationId
        self.state = state
        self.reason = reason
        self.credential = credential
    }
}

/// `POST /v1/applications/ID` request: the device's signature over
/// ``ProofOfPossession/application(challenge:applicationID:)``.
public struct ApplicationRequest: Codable, Sendable, Hashable {
    public var challenge: String
    public var signature: String
    public init(challenge: String, signature: String) {
        self.challenge = challenge
        self.signature = signature
    }
}

/// `POST /v1/refresh` request: the credential's id and the device's signature over
/// ``ProofOfPossession/refresh(challenge:credentialID:)``.
public struct RefreshRequest: Codable, Sendable, Hashable {
    /// The credential id (cti), lower-case hex.
    public var credentialId: String
    public var challenge: String
    public var signature: String
    public init(credentialId: String, challenge: String, signature: String) {
        self.credentialId = credentialId
        self.challenge = challenge
        self.signature = signature
    }
}

/// The answer to an enrolment or a refresh: the bound credential as DL1 text (FORMAT §7.1).
public struct CredentialResponse: Codable, Sendable, Hashable {
    public var credential: String
    /// The credential id (cti), lower-case hex.
    public var credentialId: String
    public var issuedAt: Int64
    public var expiresAt: Int64
    public var pointsRemaining: Int
    public var pointsMaximum: Int
    public init(credential: String, credentialId: String, issuedAt: Int64, expiresAt: Int64, pointsRemaining: Int, pointsMaximum: Int) {
        self.credential = credential
        self.credentialId = credentialId
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.pointsRemaining = pointsRemaining
        self.pointsMaximum = pointsMaximum
    }
}

/// `GET /v1/trust`: what a verifier may pin or add.
public struct TrustListing: Codable, Sendable, Hashable {
    public struct File: Codable, Sendable, Hashable {
        public var name: String
        /// Path on this service.
        public var path: String
        /// SHA-256 of the file, lower-case hex.
        public var sha256: String
        public init(name: String, path: String, sha256: String) {
            self.name = name
            self.path = path
            self.sha256 = sha256
        }
    }
    public var files: [File]
    /// The status lists' URIs.
    public var statusLists: [String]
    public init(files: [File], statusLists: [String]) {
        self.files = files
        self.statusLists = statusLists
    }
}

/// `GET /v1/health`.
public struct HealthResponse: Codable, Sendable, Hashable {
    public var status: String
    /// When the status lists served now were signed (the oldest of them).
    public var statusListsIssuedAt: Int64?
    public var statusLists: Int
    public init(status: String, statusListsIssuedAt: Int64?, statusLists: Int) {
        self.status = status
        self.statusListsIssuedAt = statusListsIssuedAt
        self.statusLists = statusLists
    }
}
