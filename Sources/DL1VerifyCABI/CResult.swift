import CDLVerify
import DL1Format
import DL1Verifier
import Foundation

/// A `dlv_result`: one verification result. Fields are rendered as C strings on first use and
/// kept until the results list is freed, so a pointer handed out stays valid and a caller that
/// only reads the verdict pays for nothing else.
final class CResult {
    let verdict: dlv_verdict
    private let result: VerificationResult
    private let language: Language
    private let lock = NSLock()
    private var fields: [UInt32: CStringStore.Entry?] = [:]
    private var categoryFields: [Int: CStringStore.Entry?] = [:]
    private var jsonText: CStringStore.Entry?

    init(_ result: VerificationResult, language: Language) {
        self.result = result
        self.language = language
        verdict = Self.cVerdict(result.verdict)
    }

    /// The header's number for each verdict, spelled out so that reordering the Swift enum
    /// can never change the C interface.
    static func cVerdict(_ verdict: Verdict) -> dlv_verdict {
        switch verdict {
        case .valid: return DLV_VALID
        case .malformed: return DLV_MALFORMED
        case .unknownSigner: return DLV_UNKNOWN_SIGNER
        case .badSignature: return DLV_BAD_SIGNATURE
        case .untrustedSigner: return DLV_UNTRUSTED_SIGNER
        case .notYetValid: return DLV_NOT_YET_VALID
        case .expiredCode: return DLV_EXPIRED_CODE
        case .licenceExpired: return DLV_LICENCE_EXPIRED
        case .revoked: return DLV_REVOKED
        case .suspended: return DLV_SUSPENDED
        case .superseded: return DLV_SUPERSEDED
        case .statusUnknown: return DLV_STATUS_UNKNOWN
        case .categoryNotHeld: return DLV_CATEGORY_NOT_HELD
        case .portraitMismatch: return DLV_PORTRAIT_MISMATCH
        case .holderMismatch: return DLV_HOLDER_MISMATCH
        case .stalePresentation: return DLV_STALE_PRESENTATION
        case .unboundPresentation: return DLV_UNBOUND_PRESENTATION
        }
    }

    var points: (remaining: UInt64, maximum: UInt64)? {
        result.licence.map { ($0.points.remaining, $0.points.maximum) }
    }

    var categoryCount: Int { result.licence?.privileges.count ?? 0 }

    func field(_ field: dlv_field) -> UnsafePointer<CChar>? {
        lock.lock()
        defer { lock.unlock() }
        if let cached = fields[field.rawValue] { return cached.map { UnsafePointer($0.pointer) } }
        let entry = text(of: field).map(CStringStore.Entry.init)
        fields[field.rawValue] = .some(entry)
        return entry.map { UnsafePointer($0.pointer) }
    }

    func category(_ index: Int, _ field: dlv_category_field) -> UnsafePointer<CChar>? {
        guard let privileges = result.licence?.privileges, index >= 0, index < privileges.count,
              field.rawValue <= DLV_CATEGORY_RESTRICTIONS.rawValue else { return nil }
        lock.lock()
        defer { lock.unlock() }
        let key = index * 4 + Int(field.rawValue)
        if let cached = categoryFields[key] { return cached.map { UnsafePointer($0.pointer) } }
        let p = privileges[index]
        let text: String?
        switch field {
        case DLV_CATEGORY_CODE: text = p.category
        case DLV_CATEGORY_ISSUE_DATE: text = p.issueDate.description
        case DLV_CATEGORY_EXPIRY_DATE: text = p.expiryDate?.description
        default: text = p.restrictions
        }
        let entry = text.map(CStringStore.Entry.init)
        categoryFields[key] = .some(entry)
        return entry.map { UnsafePointer($0.pointer) }
    }

    /// The JSON text, as `dl-verify --json` prints it (without "source").
    var json: UnsafePointer<CChar> {
        lock.lock()
        defer { lock.unlock() }
        if let jsonText { return UnsafePointer(jsonText.pointer) }
        let made = CStringStore.Entry(result.json.serialized)
        jsonText = made
        return UnsafePointer(made.pointer)
    }

    /// A field's text, or nil when the result has no such field.
    private func text(of field: dlv_field) -> String? {
        let claims = result.claims, l = result.licence
        switch field {
        case DLV_FIELD_VERDICT: return result.verdict.rawValue
        case DLV_FIELD_REASON: return result.reason(in: language)
        case DLV_FIELD_REASON_EN: return result.reason
        case DLV_FIELD_CHECK: return result.check?.rawValue
        case DLV_FIELD_LAYER: return result.layer?.rawValue
        case DLV_FIELD_CONDITION: return result.condition?.rawValue
        case DLV_FIELD_DOCUMENT_NUMBER: return l?.documentNumber
        case DLV_FIELD_FAMILY_NAME: return l?.familyName
        case DLV_FIELD_GIVEN_NAME: return l?.givenName
        case DLV_FIELD_BIRTH_DATE: return l?.birthDate.description
        case DLV_FIELD_ISSUE_DATE: return l?.issueDate.description
        case DLV_FIELD_EXPIRY_DATE: return l?.expiryDate.description
        case DLV_FIELD_ISSUING_COUNTRY: return l?.issuingCountry
        case DLV_FIELD_ISSUING_AUTHORITY: return l?.issuingAuthority
        case DLV_FIELD_PORTRAIT_SHA256: return l.map { Hex.encode($0.portraitHash) }
        case DLV_FIELD_POINTS_CYCLE_END: return l?.points.cycleEnd.description
        case DLV_FIELD_ISSUER: return claims?.issuer
        case DLV_FIELD_CODE_ISSUED_AT: return claims.map { Instant.iso($0.issuedAt) }
        case DLV_FIELD_CODE_EXPIRES_AT: return claims.map { Instant.iso($0.expiresAt) }
        case DLV_FIELD_CREDENTIAL_ID: return claims.map { Hex.encode($0.credentialID) }
        case DLV_FIELD_SIGNER_KID: return result.signer?.kid
        case DLV_FIELD_SIGNER_SUBJECT: return result.signer?.subject
        case DLV_FIELD_STATUS_URI: return result.status?.uri
        case DLV_FIELD_STATUS_VALUE: return result.status?.value?.description
        case DLV_FIELD_STATUS_LIST_ISSUED_AT: return result.status?.listIssuedAt.map(Instant.iso)
        case DLV_FIELD_VERIFIED_AT: return Instant.iso(result.verifiedAt)
        case DLV_FIELD_PRESENTED_AT: return result.presentation.map { Instant.iso($0.time) }
        case DLV_FIELD_PRESENTATION_AGE: return result.presentation.map { String($0.age) }
        case DLV_FIELD_HOLDER_KEY_THUMBPRINT: return result.presentation?.thumbprint
        default: return nil  // a field this version does not know
        }
    }
}
