/// The driving licence carried in claim -65537 (FORMAT §2).
public struct Licence: Hashable, Sendable {
    /// Licence key 1: the document number.
    public var documentNumber: String
    /// Licence key 2: family name (UTF-8).
    public var familyName: String
    /// Licence key 3: given name (UTF-8); optional on the wire.
    public var givenName: String?
    /// Licence key 4.
    public var birthDate: CalendarDate
    /// Licence key 5.
    public var issueDate: CalendarDate
    /// Licence key 6: the last day the licence is valid.
    public var expiryDate: CalendarDate
    /// Licence key 7: ISO 3166-1 alpha-2 country code.
    public var issuingCountry: String
    /// Licence key 8: the issuing authority's name.
    public var issuingAuthority: String
    /// Licence key 9: the vehicle categories held (never empty).
    public var privileges: [DrivingPrivilege]
    /// Licence key 10: SHA-256 of the portrait file's bytes.
    public var portraitHash: [UInt8]
    /// Licence key 11: the penalty-point balance.
    public var points: Points

    /// A licence from all its fields.
    public init(documentNumber: String, familyName: String, givenName: String?, birthDate: CalendarDate,
                issueDate: CalendarDate, expiryDate: CalendarDate, issuingCountry: String,
                issuingAuthority: String, privileges: [DrivingPrivilege], portraitHash: [UInt8], points: Points) {
        self.documentNumber = documentNumber
        self.familyName = familyName
        self.givenName = givenName
        self.birthDate = birthDate
        self.issueDate = issueDate
        self.expiryDate = expiryDate
        self.issuingCountry = issuingCountry
        self.issuingAuthority = issuingAuthority
        self.privileges = privileges
        self.portraitHash = portraitHash
        self.points = points
    }
}

/// One vehicle category held, with its dates (licence key 9's array items).
public struct DrivingPrivilege: Hashable, Sendable {
    /// The category code, e.g. `C1` (exact, case-sensitive).
    public var category: String
    /// The date the category was granted.
    public var issueDate: CalendarDate
    /// The last day the category is valid, when it has one.
    public var expiryDate: CalendarDate?
    /// Restrictions (e.g. `glasses`), when any.
    public var restrictions: String?

    /// A privilege from its fields.
    public init(category: String, issueDate: CalendarDate, expiryDate: CalendarDate? = nil, restrictions: String? = nil) {
        self.category = category
        self.issueDate = issueDate
        self.expiryDate = expiryDate
        self.restrictions = restrictions
    }

    /// Whether the privilege is in force on `day`: issued on or before it, not past its expiry.
    public func isValid(on day: CalendarDate) -> Bool {
        issueDate <= day && (expiryDate.map { day <= $0 } ?? true)
    }
}

/// The penalty-point balance (licence key 11); "as of" the code's iat.
public struct Points: Hashable, Sendable {
    /// Points left.
    public var remaining: UInt64
    /// Points in a full balance (12 in the Chinese system).
    public var maximum: UInt64
    /// The last day of the current scoring cycle.
    public var cycleEnd: CalendarDate

    /// A balance from its fields.
    public init(remaining: UInt64, maximum: UInt64, cycleEnd: CalendarDate) {
        self.remaining = remaining
        self.maximum = maximum
        self.cycleEnd = cycleEnd
    }
}

extension CalendarDate: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CalendarDate(iso8601: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "'\(text)' is not a date of the form YYYY-MM-DD"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
