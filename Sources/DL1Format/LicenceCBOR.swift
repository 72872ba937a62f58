extension Licence {
    /// The licence map of FORMAT §2, with integer keys.
    public var cbor: CBOR {
        // In key order, so encoding copies nothing.
        var entries: [CBORMapEntry] = [.init(1, .text(documentNumber)), .init(2, .text(familyName))]
        if let givenName { entries.append(.init(3, .text(givenName))) }
        entries += [
            .init(4, birthDate.cbor),
            .init(5, issueDate.cbor),
            .init(6, expiryDate.cbor),
            .init(7, .text(issuingCountry)),
            .init(8, .text(issuingAuthority)),
            .init(9, .array(privileges.map(\.cbor))),
            .init(10, .bytes(portraitHash)),
            .init(11, points.cbor),
        ]
        return .map(entries)
    }

    /// The licence map's deterministic encoding (as the registry keeps it): the bytes of
    /// `CBOREncoder.encode(cbor)`, written without the tree.
    public var encoded: [UInt8] {
        var writer = CBORWriter(capacity: 256)
        write(into: &writer)
        return writer.bytes
    }

    func write(into writer: inout CBORWriter) {
        writer.mapHeader(givenName == nil ? 10 : 11)
        writer.int(1); writer.text(documentNumber)
        writer.int(2); writer.text(familyName)
        if let givenName { writer.int(3); writer.text(givenName) }
        writer.int(4); writer.date(birthDate)
        writer.int(5); writer.date(issueDate)
        writer.int(6); writer.date(expiryDate)
        writer.int(7); writer.text(issuingCountry)
        writer.int(8); writer.text(issuingAuthority)
        writer.int(9); writer.arrayHeader(privileges.count)
        for privilege in privileges { privilege.write(into: &writer) }
        writer.int(10); writer.byteString(portraitHash)
        writer.int(11); points.write(into: &writer)
    }

    /// Reads the licence map, naming the first missing or mistyped key. Unknown keys are ignored.
    public init(cbor: CBOR) throws(ClaimsError) {
        guard case .map = cbor else { throw ClaimsError("the licence (claim -65537) is not a map") }
        func field<T>(_ key: Int64, _ name: String, required: Bool = true,
                      _ read: (CBOR) -> T?) throws(ClaimsError) -> T? {
            guard let value = cbor[intKey: key] else {
                if required { throw ClaimsError("licence key \(key) (\(name)) is missing") }
                return nil
            }
            guard let typed = read(value) else { throw ClaimsError("licence key \(key) (\(name)) has the wrong type") }
            return typed
        }
        documentNumber = try field(1, "document number", \.textString)!
        familyName = try field(2, "family name", \.textString)!
        givenName = try field(3, "given name", required: false, \.textString)
        birthDate = try field(4, "birth date", CalendarDate.init(cbor:))!
        issueDate = try field(5, "issue date", CalendarDate.init(cbor:))!
        expiryDate = try field(6, "expiry date", CalendarDate.init(cbor:))!
        issuingCountry = try field(7, "issuing country", \.textString)!
        issuingAuthority = try field(8, "issuing authority", \.textString)!
        let privilegeItems = try field(9, "driving privileges", \.arrayItems)!
        guard !privilegeItems.isEmpty else { throw ClaimsError("licence key 9 (driving privileges) is empty") }
        var privileges: [DrivingPrivilege] = []
        for (i, item) in privilegeItems.enumerated() {
            guard let p = DrivingPrivilege(cbor: item) else {
                throw ClaimsError("driving privilege \(i + 1) is not a map {1: category, 2: issue date, ? 3: expiry, ? 4: restrictions}")
            }
            privileges.append(p)
        }
        self.privileges = privileges
        portraitHash = try field(10, "portrait hash", { $0.byteString.flatMap { $0.count == 32 ? $0 : nil } })!
        points = try field(11, "points", Points.init(cbor:))!
    }
}

extension DrivingPrivilege {
    /// `{1: category, 2: issue, ? 3: expiry, ? 4: restrictions}`.
    public var cbor: CBOR {
        var entries: [CBORMapEntry] = [.init(1, .text(category)), .init(2, issueDate.cbor)]
        if let expiryDate { entries.append(.init(3, expiryDate.cbor)) }
        if let restrictions { entries.append(.init(4, .text(restrictions))) }
        return .map(entries)
    }

    func write(into writer: inout CBORWriter) {
        writer.mapHeader(2 + (expiryDate == nil ? 0 : 1) + (restrictions == nil ? 0 : 1))
        writer.int(1); writer.text(category)
        writer.int(2); writer.date(issueDate)
        if let expiryDate { writer.int(3); writer.date(expiryDate) }
        if let restrictions { writer.int(4); writer.text(restrictions) }
    }

    /// Reads a privilege map; nil when a required entry is missing or mistyped.
    public init?(cbor: CBOR) {
        guard case .map = cbor, let category = cbor[intKey: 1]?.textString,
              let issue = cbor[intKey: 2].flatMap(CalendarDate.init(cbor:)) else { return nil }
        var expiry: CalendarDate?
        if let raw = cbor[intKey: 3] {
            guard let date = CalendarDate(cbor: raw) else { return nil }
            expiry = date
        }
        var restrictions: String?
        if let raw = cbor[intKey: 4] {
            guard let text = raw.textString else { return nil }
            restrictions = text
        }
        self.init(category: category, issueDate: issue, expiryDate: expiry, restrictions: restrictions)
    }
}

extension Points {
    /// `{1: remaining, 2: maximum, 3: cycle end}`.
    public var cbor: CBOR {
        .map([.init(1, .unsigned(remaining)), .init(2, .unsigned(maximum)), .init(3, cycleEnd.cbor)])
    }

    func write(into writer: inout CBORWriter) {
        writer.mapHeader(3)
        writer.int(1); writer.unsigned(remaining)
        writer.int(2); writer.unsigned(maximum)
        writer.int(3); writer.date(cycleEnd)
    }

    /// Reads a points map; nil when an entry is missing or mistyped.
    public init?(cbor: CBOR) {
        guard let remaining = cbor[intKey: 1]?.uint64, let maximum = cbor[intKey: 2]?.uint64,
              let end = cbor[intKey: 3].flatMap(CalendarDate.init(cbor:)) else { return nil }
        self.init(remaining: remaining, maximum: maximum, cycleEnd: end)
    }
}
