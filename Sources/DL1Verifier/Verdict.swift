/// The answer for one code (FORMAT §5). The raw value is the word machine-readable output uses.
public enum Verdict: String, Sendable, CaseIterable, Codable {
    /// Every check passed. With ``Verifier/Options/allowUnknownStatus`` this also covers a code
    /// whose status could not be checked: its explanation is then ``Explanation/validUnknownStatus``.
    case valid = "VALID"
    /// The text could not be decoded; ``VerificationResult/layer`` says at which layer.
    case malformed = "MALFORMED"
    /// No certificate in the trust store has the code's kid: the trust data needs updating.
    case unknownSigner = "UNKNOWN_SIGNER"
    /// No certificate with the code's kid verifies its signature: the data was altered or forged.
    case badSignature = "BAD_SIGNATURE"
    /// The signing certificate fails a condition; ``VerificationResult/condition`` names the first.
    case untrustedSigner = "UNTRUSTED_SIGNER"
    /// The code's iat is later than the verification time plus the leeway.
    case notYetValid = "NOT_YET_VALID"
    /// The verification time is at or after the code's exp plus the leeway.
    case expiredCode = "EXPIRED_CODE"
    /// The licence's expiry date (its last valid day) is before today (UTC).
    case licenceExpired = "LICENCE_EXPIRED"
    /// The status list says INVALID: the issuing authority revoked the licence.
    case revoked = "REVOKED"
    /// The status list says SUSPENDED: the holder may not drive.
    case suspended = "SUSPENDED"
    /// The status list says SUPERSEDED: the holder has a newer code and must show it.
    case superseded = "SUPERSEDED"
    /// No usable, current status list holds the code's entry, and unknown status is not allowed.
    case statusUnknown = "STATUS_UNKNOWN"
    /// The holder does not hold the requested ``Verifier/Request/category`` today.
    case categoryNotHeld = "CATEGORY_NOT_HELD"
    /// The requested ``Verifier/Request/portraitHash`` differs from the code's portrait hash.
    case portraitMismatch = "PORTRAIT_MISMATCH"
    /// A DL2 presentation whose holder signature does not verify with the credential's device
    /// key: made by another device (FORMAT §7.3).
    case holderMismatch = "HOLDER_MISMATCH"
    /// A DL2 presentation made further from now than the verifier's window: a screenshot or a replay.
    case stalePresentation = "STALE_PRESENTATION"
    /// A bound credential shown as a plain DL1 code (a copy, not its holder's device), or a plain
    /// DL1 code where holder binding is required.
    case unboundPresentation = "UNBOUND_PRESENTATION"

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
        case .holderMismatch, .stalePresentation, .unboundPresentation: return .holder
        }
    }
}

/// The check that failed, as named in machine-readable output (FORMAT §5).
public enum Check: String, Sendable, CaseIterable, Codable {
    /// Decoding the text (MALFORMED).
    case decode
    /// Finding a certificate with the code's kid (UNKNOWN_SIGNER).
    case signer
    /// The signature (BAD_SIGNATURE).
    case signature
    /// The signing certificate's conditions (UNTRUSTED_SIGNER).
    case trust
    /// The code's iat and exp, and the licence's expiry date (NOT_YET_VALID, EXPIRED_CODE,
    /// LICENCE_EXPIRED).
    case time
    /// The status list (REVOKED, SUSPENDED, SUPERSEDED, STATUS_UNKNOWN).
    case status
    /// The requested vehicle category (CATEGORY_NOT_HELD).
    case category
    /// The presented portrait (PORTRAIT_MISMATCH).
    case portrait
    /// Holder binding: the device's signature and the presentation's time (HOLDER_MISMATCH,
    /// STALE_PRESENTATION, UNBOUND_PRESENTATION).
    case holder
}

/// The decoding layer at which a MALFORMED code failed (FORMAT §5.1–5.2).
public enum DecodeLayer: String, Sendable, CaseIterable, Codable {
    /// The text does not start with `DL1:` (or the QR code did not hold text).
    case prefix
    /// The rest of the text is not valid Base45.
    case base45
    /// Not one complete zlib stream (nothing after it), or one that inflates to more than 64 KiB.
    case zlib
    /// Not a COSE_Sign1 of the right shape (a 64-byte signature, an attached payload).
    case cose
    /// The payload is not a valid DL1 claims set (checked before the header rules).
    case claims
    /// The header breaks the rules (alg ES256 and an 8-byte kid, nothing else; no unprotected header).
    case header
    /// A DL2 text whose presentation array is not `[bstr, uint, bstr(64)]` in deterministic CBOR.
    case presentation
}

/// The certificate condition an UNTRUSTED_SIGNER code failed (FORMAT §5.5), in checking order.
public enum TrustCondition: String, Sendable, CaseIterable, Codable {
    /// The certificate was not issued by a trusted root.
    case chain
    /// The certificate is a CA, or does not allow digital signatures: not a document signer.
    case ds
    /// The certificate, or its root, was outside its validity period at the code's iat.
    case validity
    /// A CRL of its root withdraws the certificate (a permanent reason).
    case withdrawn
    /// The certificate's or the root's country is not exactly the licence's issuing country.
    case country
    /// The certificate's organizational unit is not exactly the code's issuer (`iss`).
    case authority
}
