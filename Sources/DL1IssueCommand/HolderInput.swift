import DL1Crypto
import DL1Format
import DL1Issuer
import Foundation

/// The holder data of `issue`, from flags or from a `--holder` JSON file:
///
/// ```json
/// {"document_number": "310101199001011234", "family_name": "张", "given_name": "三",
///  "birth_date": "1990-01-01", "issue_date": "2020-05-01", "expiry_date": "2032-05-01",
///  "driving_privileges": [{"category": "C1", "issue_date": "2020-05-01", "expiry_date": null}],
///  "points": {"remaining": 12, "maximum": 12, "cycle_end": "2027-04-30"},
///  "portrait": "portrait.jpg"}
/// ```
/// `portrait` is a path relative to the JSON file; `portrait_sha256` (hex) may be given instead.
struct HolderInput: Codable {
    var documentNumber: String
    var familyName: String
    var givenName: String?
    var birthDate: CalendarDate
    var issueDate: CalendarDate?
    var expiryDate: CalendarDate
    var drivingPrivileges: [PrivilegeInput]
    var points: PointsInput?
    var portrait: String?
    var portraitSHA256: String?
    /// A device public key file (PEM) to bind the credential to, relative to the input's folder.
    var holderKey: String?

    enum CodingKeys: String, CodingKey {
        case documentNumber = "document_number", familyName = "family_name", givenName = "given_name"
        case birthDate = "birth_date", issueDate = "issue_date", expiryDate = "expiry_date"
        case drivingPrivileges = "driving_privileges", points, portrait, portraitSHA256 = "portrait_sha256"
        case holderKey = "holder_key"
    }

    /// The device key named by `holder_key`, if any.
    func deviceKey(baseFolder: URL) throws(IssuerError) -> HolderKey? {
        guard let holderKey else { return nil }
        return try HolderKeyOption.read(holderKey.hasPrefix("/") ? holderKey : baseFolder.appendingPathComponent(holderKey).path)
    }

    func licence(settings: IssuerSettings, today: CalendarDate, baseFolder: URL, authority: String? = nil) throws(IssuerError) -> Licence {
        let authorities = settings.authorities
        let chosen: IssuerSettings.Authority
        if let authority {
            guard let match = authorities.first(where: { $0.code == authority }) else {
                throw IssuerError("--authority \(authority) is not one of this issuer's (\(authorities.map(\.code).joined(separator: ", ")))")
            }
            chosen = match
        } else {
            guard authorities.count == 1 else {
                throw IssuerError("this issuer has several authorities (\(authorities.map(\.code).joined(separator: ", "))): say which with --authority")
            }
            chosen = authorities[0]
        }
        guard let points else { throw IssuerError("points are required") }
        guard points.remaining >= 0, points.maximum >= 0 else {
            throw IssuerError("points.remaining and points.maximum must be 0 or more (got \(points.remaining)/\(points.maximum))")
        }
        let hash: [UInt8]
        if portrait != nil, portraitSHA256 != nil { throw IssuerError("give either portrait or portrait_sha256, not both") }
        if let portrait {
            let url = portrait.hasPrefix("/") ? URL(fileURLWithPath: portrait) : baseFolder.appendingPathComponent(portrait)
            guard let data = FileManager.default.contents(atPath: url.path) else { throw IssuerError("cannot read the portrait \(url.path)") }
            hash = SHA256.hash([UInt8](data))
        } else if let hex = portraitSHA256 {
            guard let bytes = Hex.decode(hex), bytes.count == 32 else { throw IssuerError("portrait_sha256 must be 64 hex digits") }
            hash = bytes
        } else {
            throw IssuerError("a portrait is required: --portrait FILE (its SHA-256 goes in the licence)")
        }
        return Licence(documentNumber: documentNumber, familyName: familyName, givenName: givenName, birthDate: birthDate,
                       issueDate: issueDate ?? today, expiryDate: expiryDate, issuingCountry: settings.country,
                       issuingAuthority: chosen.name, privileges: drivingPrivileges.map(\.privilege), portraitHash: hash,
                       points: Points(remaining: UInt64(points.remaining), maximum: UInt64(points.maximum),
                                      // FORMAT §2: without a points system, {0, 0, expiry date}.
                                      cycleEnd: points.cycleEnd ?? (points.maximum == 0 ? expiryDate
                                          : Self.defaultCycleEnd(issueDate: issueDate ?? today, today: today))))
    }

    /// The day before the next anniversary of the issue date (the default end of a scoring cycle).
    static func defaultCycleEnd(issueDate: CalendarDate, today: CalendarDate) -> CalendarDate {
        let (_, month, day) = issueDate.components
        var year = today.components.year
        func anniversary(_ y: Int) -> CalendarDate { CalendarDate(year: y, month: month, day: day) ?? CalendarDate(year: y, month: 3, day: 1)! }
        if anniversary(year) <= today { year += 1 }
        return anniversary(year).adding(days: -1)
    }

    static func date(_ text: String, _ flag: String) throws(IssuerError) -> CalendarDate {
        guard let date = CalendarDate(iso8601: text) else { throw IssuerError("\(flag) '\(text)' is not a real date of the form YYYY-MM-DD") }
        return date
    }

    /// `CODE:ISSUE[:EXPIRY]`.
    static func parseCategory(_ spec: String) throws(IssuerError) -> PrivilegeInput {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty else {
            throw IssuerError("--category '\(spec)' must be CODE:ISSUE-DATE[:EXPIRY-DATE], e.g. C1:2020-05-01")
        }
        let issue = try date(parts[1], "--category \(parts[0]) issue date")
        if parts.count == 3, parts[2].isEmpty { throw IssuerError("--category '\(spec)' ends with ':' but has no expiry date") }
        let expiry = parts.count == 3 ? try date(parts[2], "--category \(parts[0]) expiry date") : nil
        return PrivilegeInput(category: parts[0], issueDate: issue, expiryDate: expiry)
    }

    /// `REMAINING/MAXIMUM`; a nil cycle end is filled in later with the default.
    static func parsePoints(_ text: String, cycleEnd: CalendarDate?) throws(IssuerError) -> PointsInput {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let remaining = Int64(parts[0]), let maximum = Int64(parts[1]), remaining >= 0, maximum >= 0 else {
            throw IssuerError("--points '\(text)' must be REMAINING/MAXIMUM, e.g. 12/12")
        }
        return PointsInput(remaining: remaining, maximum: maximum, cycleEnd: cycleEnd)
    }

    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "the field \"\(path(context.codingPath + [key]))\" is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return context.codingPath.isEmpty ? "it must be a JSON object with the holder's fields"
                : "the field \"\(path(context.codingPath))\" has the wrong type or value"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "it is not valid JSON, or a number is out of range (\(context.debugDescription))"
                : "\"\(path(context.codingPath))\": \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}

/// One `driving_privileges` item of the holder file.
struct PrivilegeInput: Codable {
    var category: String
    var issueDate: CalendarDate
    var expiryDate: CalendarDate?
    var restrictions: String?

    enum CodingKeys: String, CodingKey {
        case category, issueDate = "issue_date", expiryDate = "expiry_date", restrictions
    }

    var privilege: DrivingPrivilege {
        DrivingPrivilege(category: category, issueDate: issueDate, expiryDate: expiryDate, restrictions: restrictions)
    }
}

/// The `points` object of the holder file; a missing cycle end gets the default.
struct PointsInput: Codable {
    // Signed, so that a negative number gets a clear message rather than a decoding error.
    var remaining: Int64
    var maximum: Int64
    var cycleEnd: CalendarDate?

    enum CodingKeys: String, CodingKey {
        case remaining, maximum, cycleEnd = "cycle_end"
    }
}
