/// The answer for one code (FORMAT §5). The raw value is the word machine-readable output uses.
public enum Verdict: String, Sendable, CaseIterable, Codable {
    case valid = "VALID"
    case malformed = "MALFORMED"
    case unknownSigner = "UNKNOWN_SIGNER"
    case badSignature = "BAD_SIGNATURE"
    case untrustedSigner = "UNTRUSTED_SIGNER"
    case notYetValid = "NOT_YET_VALID"
    case expiredCode = "EXPIRED_CODE"
    case licenceExpired = "LICENCE_EXPIRED"
    case revoked = "REVOKED"
    case suspended = "SUSPENDED"
    case superseded = "SUPERSEDED"
    case statusUnknown = "STATUS_UNKNOWN"
    case categoryNotHeld = "CATEGORY_NOT_HELD"
    case portraitMismatch = "PORTRAIT_MISMATCH"

    /// The check that produces this verdict when it fails (nil for VALID).
    public var check: Check? {
        switch self {
        case .valid: return nil
        case .malformed: return .decode
        case .unknownSigner: return .signer
        case .badSignature: return .signature
        case .untrustedSigner: return .trust
        case .notYetValid, .expiredCode, .licenceExpired: return .time
        case .revoked, .suspended, .superseded, .statusUnknown: return .status
        case .categoryNotHeld: return .category
        case .portraitMismatch: return .portrait
        }
    }
}

/// The check that failed, as named in machine-readable output (FORMAT §5).
public enum Check: String, Sendable, CaseIterable, Codable {
    case decode, signer, signature, trust, time, status, category, portrait
}

/// The decoding layer at which a MALFORMED code failed (FORMAT §5.1–5.2).
public enum DecodeLayer: String, Sendable, CaseIterable, Codable {
    case prefix, base45, zlib, cose, claims, header
}

/// The certificate condition an UNTRUSTED_SIGNER code failed (FORMAT §5.5), in checking order.
public enum TrustCondition: String, Sendable, CaseIterable, Codable {
    case chain, ds, validity, withdrawn, country, authority
}
