import CDLVerify
import DL1Format
import DL1Verifier
import Foundation

/// A `dlv_result`: one verification result with every field already rendered as a C string,
/// so reading fields never allocates and pointers stay valid while the results list lives.
final class CResult {
    let verdict: dlv_verdict
    private let fields: [Int: CStringStore.Entry]
    private let categories: [[Int: CStringStore.Entry]]
    let points: (remaining: UInt64, maximum: UInt64)?
    private let lock = NSLock()
    private var jsonText: CStringStore.Entry?
    private let result: VerificationResult

    init(_ result: VerificationResult, language: Language) {
        self.result = result
        verdict = dlv_verdict(rawValue: UInt32(Verdict.allCases.firstIndex(of: result.verdict)!))
        var values: [dlv_field: String?] = [
            DLV_FIELD_VERDICT: result.verdict.rawValue,
            DLV_FIELD_REASON: result.reason(in: language),
            DLV_FIELD_REASON_EN: result.reason,
            DLV_FIELD_CHECK: result.check?.rawValue,
            DLV_FIELD_LAYER: result.layer?.rawValue,
            DLV_FIELD_CONDITION: result.condition?.rawValue,
            DLV_FIELD_SIGNER_KID: result.signer?.kid,
            DLV_FIELD_SIGNER_SUBJECT: result.signer?.subject,
            DLV_FIELD_STATUS_URI: result.status?.uri,
            DLV_FIELD_STATUS_VALUE: result.status?.value?.description,
            DLV_FIELD_STATUS_LIST_ISSUED_AT: result.status?.listIssuedAt.map(Instant.iso),
            DLV_FIELD_VERIFIED_AT: Instant.iso(result.verifiedAt),
        ]
        var categoryFields: [[Int: CStringStore.Entry]] = []
        if let claims = result.claims {
            let l = claims.licence
            values[DLV_FIELD_DOCUMENT_NUMBER] = l.documentNumber
            values[DLV_FIELD_FAMILY_NAME] = l.familyName
            values[DLV_FIELD_GIVEN_NAME] = l.givenName
            values[DLV_FIELD_BIRTH_DATE] = l.birthDate.description
            values[DLV_FIELD_ISSUE_DATE] = l.issueDate.description
            values[DLV_FIELD_EXPIRY_DATE] = l.expiryDate.description
            values[DLV_FIELD_ISSUING_COUNTRY] = l.issuingCountry
            values[DLV_FIELD_ISSUING_AUTHORITY] = l.issuingAuthority
            values[DLV_FIELD_PORTRAIT_SHA256] = Hex.encode(l.portraitHash)
            values[DLV_FIELD_POINTS_CYCLE_END] = l.points.cycleEnd.description
            values[DLV_FIELD_ISSUER] = claims.issuer
            values[DLV_FIELD_CODE_ISSUED_AT] = Instant.iso(claims.issuedAt)
            values[DLV_FIELD_CODE_EXPIRES_AT] = Instant.iso(claims.expiresAt)
            values[DLV_FIELD_CREDENTIAL_ID] = Hex.encode(claims.credentialID)
            points = (l.points.remaining, l.points.maximum)
            categoryFields = l.privileges.map { p in
                Self.entries([DLV_CATEGORY_CODE.rawValue: p.category, DLV_CATEGORY_ISSUE_DATE.rawValue: p.issueDate.description,
                              DLV_CATEGORY_EXPIRY_DATE.rawValue: p.expiryDate?.description, DLV_CATEGORY_RESTRICTIONS.rawValue: p.restrictions])
            }
        } else {
            points = nil
        }
        fields = Self.entries(Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) }))
        categories = categoryFields
    }

    private static func entries(_ values: [UInt32: String?]) -> [Int: CStringStore.Entry] {
        var out: [Int: CStringStore.Entry] = [:]
        for (key, value) in values { if let value { out[Int(key)] = CStringStore.Entry(value) } }
        return out
    }

    func field(_ field: dlv_field) -> UnsafePointer<CChar>? {
        fields[Int(field.rawValue)].map { UnsafePointer($0.pointer) }
    }

    var categoryCount: Int { categories.count }

    func category(_ index: Int, _ field: dlv_category_field) -> UnsafePointer<CChar>? {
        guard index >= 0, index < categories.count else { return nil }
        return categories[index][Int(field.rawValue)].map { UnsafePointer($0.pointer) }
    }

    /// The JSON text, made on first use (most callers never ask for it).
    var json: UnsafePointer<CChar> {
        lock.lock()
        defer { lock.unlock() }
        if let jsonText { return UnsafePointer(jsonText.pointer) }
        let made = CStringStore.Entry(result.json.serialized)
        jsonText = made
        return UnsafePointer(made.pointer)
    }
}

/// A `dlv_results`: the results of one call, owning each `dlv_result`.
final class CResults {
    let results: [CResult]

    init(_ results: [CResult]) { self.results = results }
}
