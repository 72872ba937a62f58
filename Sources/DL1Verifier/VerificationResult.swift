import DL1Format

/// The outcome of verifying one code: a value to inspect, never a string to parse.
public struct VerificationResult: Sendable {
    /// The verdict (FORMAT §5).
    public let verdict: Verdict
    /// Why, as data; ``reason`` and ``reason(in:)`` render it as a sentence.
    public let explanation: Explanation
    /// The decoding layer, when the verdict is MALFORMED.
    public let layer: DecodeLayer?
    /// The failed certificate condition, when the verdict is UNTRUSTED_SIGNER.
    public let condition: TrustCondition?
    /// The claims, present once the signature has verified (never for a forged code).
    public let claims: DL1Claims?
    /// The signer, once known.
    public let signer: SignerInfo?
    /// What the status list said, when one was consulted.
    public let status: StatusInfo?
    /// The DL2 presentation's facts, for a presentation whose credential passed the trust checks.
    public let presentation: PresentationInfo?
    /// The verification time (seconds since the epoch).
    public let verifiedAt: Int64

    /// One plain sentence saying why, in English (the form JSON carries).
    public var reason: String { explanation.text(in: .english) }
    /// One plain sentence saying why, in `language`.
    public func reason(in language: Language) -> String { explanation.text(in: language) }
    /// The failed check, or nil for VALID.
    public var check: Check? { verdict.check }
    /// Whether the verdict is VALID.
    public var isValid: Bool { verdict == .valid }
    /// The licence, once the signature has verified.
    public var licence: Licence? { claims?.licence }

    /// A result from its parts.
    public init(verdict: Verdict, explanation: Explanation, layer: DecodeLayer? = nil, condition: TrustCondition? = nil,
                claims: DL1Claims? = nil, signer: SignerInfo? = nil, status: StatusInfo? = nil,
                presentation: PresentationInfo? = nil, verifiedAt: Int64) {
        self.verdict = verdict
        self.explanation = explanation
        self.layer = layer
        self.condition = condition
        self.claims = claims
        self.signer = signer
        self.status = status
        self.presentation = presentation
        self.verifiedAt = verifiedAt
    }
}

/// How a DL2 presentation was made (FORMAT §7.3): by the holder's device, when, and which key.
public struct PresentationInfo: Sendable, Hashable {
    /// When the device made it (`t`), seconds since the epoch.
    public let time: Int64
    /// Seconds from `t` to the verification time (negative when `t` is later).
    public let age: Int64
    /// The verifier's window, seconds.
    public let window: Int64
    /// The thumbprint of the device key the credential is bound to: SHA-256 of its compressed
    /// point, lower-case hex.
    public let thumbprint: String
    /// Whether that key signed the presentation (false for HOLDER_MISMATCH: another device made it).
    public let signedByBoundDevice: Bool
}

/// Who signed a code.
public struct SignerInfo: Sendable, Hashable {
    /// The kid, as lower-case hex.
    public let kid: String
    /// The document signer's subject, when its certificate was found.
    public let subject: String?
}

/// What the status list said about a code.
public struct StatusInfo: Sendable, Hashable {
    /// The list's URI.
    public let uri: String
    /// The code's index in it.
    public let index: UInt64
    /// The entry's value, or nil when no usable list held it (STATUS_UNKNOWN).
    public let value: CredentialStatus?
    /// The iat of the list used.
    public let listIssuedAt: Int64?
    /// The exp of the list used.
    public let listExpiresAt: Int64?
    /// Whether the caller allowed an unknown status and it was unknown.
    public let unknownAllowed: Bool
    /// When the list used stops being used: its exp plus the leeway (FORMAT §3), the same
    /// instant the decision uses.
    public let listStaleFrom: Int64?
    /// When the list used should have been replaced by a fresh one: its iat plus its ttl.
    public let listRefetchAt: Int64?
    /// Whether the verification time is at or past ``listRefetchAt``: the list is still used
    /// (until ``listStaleFrom``), but the device should have fetched a fresh one.
    public let listRefetchOverdue: Bool

    init(uri: String, index: UInt64, value: CredentialStatus?, listIssuedAt: Int64?, listExpiresAt: Int64?,
         unknownAllowed: Bool, listStaleFrom: Int64? = nil, listRefetchAt: Int64? = nil, listRefetchOverdue: Bool = false) {
        self.uri = uri
        self.index = index
        self.value = value
        self.listIssuedAt = listIssuedAt
        self.listExpiresAt = listExpiresAt
        self.unknownAllowed = unknownAllowed
        self.listStaleFrom = listStaleFrom
        self.listRefetchAt = listRefetchAt
        self.listRefetchOverdue = listRefetchOverdue
    }
}
