/// The CWT claims set of a DL1 code (FORMAT §1.6).
public struct DL1Claims: Hashable, Sendable {
    /// Claim 1: the issuing authority code, e.g. `CN-31`.
    public var issuer: String
    /// Claim 6: when the code was signed (seconds since the epoch); the points are as of then.
    public var issuedAt: Int64
    /// Claim 4: when the code stops being acceptable (seconds since the epoch).
    public var expiresAt: Int64
    /// Claim 7: the credential id, 8 to 16 bytes.
    public var credentialID: [UInt8]
    /// Claim 65535: the credential's status-list entry.
    public var status: StatusReference
    /// Claim -65537: the licence.
    public var licence: Licence
    /// Claim 8 (cnf): the holder's device key, in a bound credential (FORMAT §7.1) only.
    public var holderKey: HolderKey?

    /// Claim keys.
    public enum Key {
        public static let iss: Int64 = 1, exp: Int64 = 4, iat: Int64 = 6, cti: Int64 = 7
        public static let status: Int64 = 65535, licence: Int64 = -65537
    }

    /// A claims set from its parts.
    public init(issuer: String, issuedAt: Int64, expiresAt: Int64, credentialID: [UInt8],
                status: StatusReference, licence: Licence, holderKey: HolderKey? = nil) {
        self.issuer = issuer
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.credentialID = credentialID
        self.status = status
        self.licence = licence
        self.holderKey = holderKey
    }

    /// The claims as a CBOR map (with cnf when bound).
    public var cbor: CBOR {
        // In the encoder's order (unsigned keys before negative ones), so encoding copies nothing.
        var entries: [CBORMapEntry] = [
            .init(.int(Key.iss), .text(issuer)),
            .init(.int(Key.exp), .int(expiresAt)),
            .init(.int(Key.iat), .int(issuedAt)),
            .init(.int(Key.cti), .bytes(credentialID)),
        ]
        if let holderKey { entries.append(.init(.int(HolderKey.Key.cnf), holderKey.cnf)) }
        entries.append(.init(.int(Key.status), status.cbor))
        entries.append(.init(.int(Key.licence), licence.cbor))
        return .map(entries)
    }

    /// The deterministic encoding of the claims, i.e. the COSE payload: the bytes of
    /// `CBOREncoder.encode(cbor)`, written without the tree.
    public var encoded: [UInt8] {
        var writer = CBORWriter(capacity: 400)
        writer.mapHeader(holderKey == nil ? 6 : 7)
        writer.int(Key.iss); writer.text(issuer)
        writer.int(Key.exp); writer.int(expiresAt)
        writer.int(Key.iat); writer.int(issuedAt)
        writer.int(Key.cti); writer.byteString(credentialID)
        if let holderKey { writer.int(HolderKey.Key.cnf); holderKey.writeCnf(into: &writer) }
        writer.int(Key.status); status.write(into: &writer)
        writer.int(Key.licence); licence.write(into: &writer)
        return writer.bytes
    }

    /// Decodes a payload, checking every required claim and its type. `bound`: the claims of a
    /// bound credential, whose cnf is required (and read); otherwise cnf is ignored like any
    /// other unknown claim.
    public init(payload: [UInt8], bound: Bool = false, decoder: CBORDecoder = CBORDecoder()) throws(ClaimsError) {
        let item: CBOR
        do { item = try decoder.decode(payload) } catch { throw ClaimsError("the payload is not well-formed CBOR: \(error)") }
        try self.init(cbor: item, bound: bound)
    }

    /// Reads a claims map. Unknown claim keys are ignored (cnf too, unless `bound`).
    public init(cbor: CBOR, bound: Bool = false) throws(ClaimsError) {
        guard case .map = cbor else { throw ClaimsError("the claims set is not a map") }
        func claim(_ key: Int64, _ name: String) throws(ClaimsError) -> CBOR {
            guard let value = cbor[intKey: key] else { throw ClaimsError("claim \(key) (\(name)) is missing") }
            return value
        }
        guard let iss = try claim(Key.iss, "iss").textString else { throw ClaimsError("claim 1 (iss) is not a text string") }
        guard let iat = try claim(Key.iat, "iat").uint64, iat <= UInt64(Int64.max) else {
            throw ClaimsError("claim 6 (iat) is not an unsigned integer")
        }
        guard let exp = try claim(Key.exp, "exp").uint64, exp <= UInt64(Int64.max) else {
            throw ClaimsError("claim 4 (exp) is not an unsigned integer")
        }
        guard let cti = try claim(Key.cti, "cti").byteString, (8...16).contains(cti.count) else {
            throw ClaimsError("claim 7 (cti) is not a byte string of 8 to 16 bytes")
        }
        let status = try StatusReference(cbor: try claim(Key.status, "status"))
        let licence = try Licence(cbor: try claim(Key.licence, "licence"))
        let holderKey = bound ? try HolderKey(cnf: try claim(HolderKey.Key.cnf, "cnf")) : nil
        self.init(issuer: iss, issuedAt: Int64(iat), expiresAt: Int64(exp), credentialID: cti,
                  status: status, licence: licence, holderKey: holderKey)
    }
}

/// Where a credential's status lives: `{"status_list": {"idx": uint, "uri": tstr}}`.
public struct StatusReference: Hashable, Sendable {
    /// The entry's index in the list.
    public var index: UInt64
    /// The list's URI (the `sub` of its Status List Token).
    public var uri: String

    /// A reference from its index and list URI.
    public init(index: UInt64, uri: String) {
        self.index = index
        self.uri = uri
    }

    /// The status claim's CBOR.
    public var cbor: CBOR {
        .map([.init("status_list", .map([.init("idx", .unsigned(index)), .init("uri", .text(uri))]))])
    }

    func write(into writer: inout CBORWriter) {
        writer.mapHeader(1)
        writer.text("status_list")
        writer.mapHeader(2)
        writer.text("idx"); writer.unsigned(index)
        writer.text("uri"); writer.text(uri)
    }

    /// Reads the status claim.
    public init(cbor: CBOR) throws(ClaimsError) {
        guard let list = cbor[textKey: "status_list"], case .map = list else {
            throw ClaimsError("claim 65535 (status) has no \"status_list\" map")
        }
        guard let idx = list[textKey: "idx"]?.uint64 else { throw ClaimsError("the status list \"idx\" is not an unsigned integer") }
        guard let uri = list[textKey: "uri"]?.textString else { throw ClaimsError("the status list \"uri\" is not a text string") }
        self.init(index: idx, uri: uri)
    }
}
