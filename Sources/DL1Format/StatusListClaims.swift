/// The CWT payload of a Status List Token (FORMAT §3), with `lst` still compressed.
public struct StatusListClaims: Hashable, Sendable {
    /// Claim 2 (sub): the list's URI.
    public var uri: String
    /// Claim 6 (iat).
    public var issuedAt: Int64
    /// Claim 4 (exp).
    public var expiresAt: Int64
    /// Claim 65534 (ttl): seconds after which a fresh list should be fetched.
    public var timeToLive: UInt64
    /// `bits` of the status_list claim (must be 2 in DL1).
    public var bits: Int
    /// `lst` of the status_list claim: the zlib-compressed byte array.
    public var compressedList: [UInt8]

    /// Claim keys.
    public enum Key {
        public static let sub: Int64 = 2, exp: Int64 = 4, iat: Int64 = 6
        public static let ttl: Int64 = 65534, statusList: Int64 = 65533
    }

    /// Claims from their parts.
    public init(uri: String, issuedAt: Int64, expiresAt: Int64, timeToLive: UInt64, bits: Int = 2, compressedList: [UInt8]) {
        self.uri = uri
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.timeToLive = timeToLive
        self.bits = bits
        self.compressedList = compressedList
    }

    /// The claims as CBOR.
    public var cbor: CBOR {
        .map([
            .init(.int(Key.sub), .text(uri)),
            .init(.int(Key.iat), .int(issuedAt)),
            .init(.int(Key.exp), .int(expiresAt)),
            .init(.int(Key.ttl), .unsigned(timeToLive)),
            .init(.int(Key.statusList), .map([.init("bits", .int(Int64(bits))), .init("lst", .bytes(compressedList))])),
        ])
    }

    /// Reads and checks the payload; `bits` must be 2.
    public init(payload: [UInt8], decoder: CBORDecoder = CBORDecoder()) throws(ClaimsError) {
        let item: CBOR
        do { item = try decoder.decode(payload) } catch { throw ClaimsError("the status token payload is not well-formed CBOR: \(error)") }
        guard let sub = item[intKey: Key.sub]?.textString else { throw ClaimsError("status token: claim 2 (sub) is missing or not text") }
        guard let iat = item[intKey: Key.iat]?.uint64, iat <= UInt64(Int64.max) else { throw ClaimsError("status token: claim 6 (iat) is missing or not an unsigned integer") }
        guard let exp = item[intKey: Key.exp]?.uint64, exp <= UInt64(Int64.max) else { throw ClaimsError("status token: claim 4 (exp) is missing or not an unsigned integer") }
        guard let ttl = item[intKey: Key.ttl]?.uint64 else { throw ClaimsError("status token: claim 65534 (ttl) is missing or not an unsigned integer") }
        guard let list = item[intKey: Key.statusList], let bits = list[textKey: "bits"]?.uint64,
              let lst = list[textKey: "lst"]?.byteString else {
            throw ClaimsError("status token: claim 65533 (status_list) is not {\"bits\": uint, \"lst\": bstr}")
        }
        guard bits == 2 else { throw ClaimsError("status token: bits is \(bits), DL1 requires 2") }
        self.init(uri: sub, issuedAt: Int64(iat), expiresAt: Int64(exp), timeToLive: ttl, bits: 2, compressedList: lst)
    }
}
