import DL1Crypto
import DL1Format

/// Why a code got its verdict, as data: rendered as one plain sentence in any ``Language``.
///
/// A verifier records the explanation rather than a string, so a handheld can speak the
/// officer's language while JSON and logs keep the English ``VerificationResult/reason``.
public enum Explanation: Sendable, Hashable {
    /// Every check passed.
    case valid
    /// Every check passed but the status could not be checked, which the caller allowed.
    case validUnknownStatus
    /// The text could not be decoded at `layer`; `detail` is the decoder's technical message.
    case malformed(layer: DecodeLayer, detail: String)
    /// A QR code in an image held binary data, not text.
    case notText
    /// No trusted certificate has the code's kid (lower-case hex).
    case unknownSigner(kid: String)
    /// No certificate with the kid verifies the signature.
    case badSignature
    /// The signer does not chain to a trusted root; `issuer` is the certificate's issuer name.
    case untrustedChain(issuer: String)
    /// The signing certificate is a CA or lacks digital signature.
    case notDocumentSigner
    /// The `role` certificate was outside its validity at `signedAt`.
    case certificateNotValid(role: CertificateRole, signedAt: Int64, notBefore: Int64, notAfter: Int64)
    /// The root withdrew the signer on `date` for `reason`.
    case signerWithdrawn(date: Int64, reason: RevocationReason)
    /// The signer's or root's country differs from the licence's.
    case countryMismatch(signer: [String], root: [String], licence: String)
    /// The signer belongs to another authority than the code's `iss`.
    case authorityMismatch(signer: [String], issuer: String)
    /// The code's iat is in the future beyond the leeway.
    case notYetValid(issuedAt: Int64)
    /// The code's exp has passed beyond the leeway.
    case expiredCode(expiresAt: Int64)
    /// The licence's own expiry date has passed.
    case licenceExpired(CalendarDate)
    /// The status list says INVALID.
    case revoked
    /// The status list says SUSPENDED.
    case suspended
    /// The status list says SUPERSEDED.
    case superseded
    /// No current, trusted status list holds the code's entry.
    case statusUnknown(uri: String)
    /// The holder does not hold `category` today.
    case categoryNotHeld(String)
    /// The presented portrait's hash differs from the code's.
    case portraitMismatch
    /// The presentation's holder signature does not verify with the credential's device key.
    case holderMismatch
    /// The presentation was made at `time`, `age` seconds from now (negative: in the future), outside `window`.
    case stalePresentation(time: Int64, age: Int64, window: Int64)
    /// A bound credential shown as plain DL1 text (`bound`), or a plain code where binding is required.
    case unboundPresentation(bound: Bool)

    /// Which certificate a validity failure is about.
    public enum CertificateRole: String, Sendable, Hashable {
        /// The document signer.
        case signer
        /// The trusted root.
        case root
    }

    /// The sentence in `language`.
    public func text(in language: Language) -> String {
        switch language {
        case .english: return EnglishText.sentence(self)
        case .chinese: return ChineseText.sentence(self)
        }
    }
}
