import DL1Compression
import DL1Crypto
import DL1Format
import DL1Verifier

/// Builds DL1 codes and status tokens for tests, with a knob for every layer so that each rule
/// can be broken on purpose. NEVER for production.
public struct CodeFactory: Sendable {
    /// The instant codes are signed at, unless said otherwise.
    public var now: Int64

    public init(now: Int64) { self.now = now }

    /// A typical licence: two categories, a three-character CJK name.
    public func licence(country: String = "CN", expiry: String = "2032-05-01",
                        privileges: [DrivingPrivilege]? = nil, portrait: [UInt8] = Array("portrait".utf8)) -> Licence {
        Licence(documentNumber: "310101199001011234", familyName: "张", givenName: "小明",
                birthDate: CalendarDate(iso8601: "1990-01-01")!, issueDate: CalendarDate(iso8601: "2020-05-01")!,
                expiryDate: CalendarDate(iso8601: expiry)!, issuingCountry: country, issuingAuthority: "上海市公安局交通警察总队",
                privileges: privileges ?? [
                    DrivingPrivilege(category: "C1", issueDate: CalendarDate(iso8601: "2020-05-01")!),
                    DrivingPrivilege(category: "A2", issueDate: CalendarDate(iso8601: "2022-03-01")!, expiryDate: CalendarDate(iso8601: "2028-03-01")!,
                                     restrictions: "glasses"),
                ],
                portraitHash: SHA256.hash(portrait),
                points: Points(remaining: 9, maximum: 12, cycleEnd: CalendarDate(iso8601: "2027-04-30")!))
    }

    /// Claims for `licence`, signed now and valid for a day, at `index` of `uri`.
    public func claims(licence: Licence? = nil, iss: String = "CN-31", iat: Int64? = nil, exp: Int64? = nil,
                       index: UInt64 = 7, uri: String = "https://dl.example/CN-31/status/1") -> DL1Claims {
        let iat = iat ?? now
        return DL1Claims(issuer: iss, issuedAt: iat, expiresAt: exp ?? iat + 86_400, credentialID: Array(0..<16),
                         status: StatusReference(index: index, uri: uri), licence: licence ?? self.licence())
    }

    /// Every knob of the encoding.
    public struct Knobs: Sendable {
        /// Protected header entries (default: alg ES256 and the kid).
        public var protectedHeader: [CBORMapEntry]?
        /// Raw protected bytes, replacing the encoded header.
        public var protectedBytes: [UInt8]?
        /// Unprotected header entries (DL1 wants none).
        public var unprotectedHeader: [CBORMapEntry] = []
        /// Payload bytes replacing the encoded claims.
        public var payload: [UInt8]?
        /// The tag (nil: untagged).
        public var tag: UInt64? = COSESign1.tag
        /// Changes the signature after signing.
        public var alterSignature: (@Sendable ([UInt8]) -> [UInt8])?
        /// Changes the COSE bytes before compression.
        public var alterCOSE: (@Sendable ([UInt8]) -> [UInt8])?
        /// Changes the zlib bytes before Base45.
        public var alterZlib: (@Sendable ([UInt8]) -> [UInt8])?
        /// The text prefix.
        public var prefix = "DL1:"

        public init() {}
    }

    /// A code's text for `claims` signed by `signer`, built with `knobs`.
    public func text(_ claims: DL1Claims, signer: TestPKI.KeyPair, knobs: Knobs = Knobs()) throws -> String {
        var compressed = Zlib.compressCode(try cose(claims, signer: signer, knobs: knobs))
        if let alter = knobs.alterZlib { compressed = alter(compressed) }
        return knobs.prefix + Base45.encode(compressed)
    }

    /// A code's COSE_Sign1 bytes for `claims` signed by `signer`, built with `knobs` (the
    /// protected header gets typ `dl1-bound` when the claims carry a holder key and no header is given).
    public func cose(_ claims: DL1Claims, signer: TestPKI.KeyPair, knobs: Knobs = Knobs()) throws -> [UInt8] {
        let payload = knobs.payload ?? claims.encoded
        let header = knobs.protectedHeader
            ?? DL1Header.protectedHeader(kid: signer.kid, typ: claims.holderKey == nil ? nil : DL1Header.boundCredentialType)
        let protectedBytes = knobs.protectedBytes ?? CBOREncoder.encode(.map(header))
        let toBeSigned = COSESign1.toBeSigned(protectedBytes: protectedBytes, payload: payload)
        var signature = try signer.key.sign(toBeSigned)
        if let alter = knobs.alterSignature { signature = alter(signature) }
        let body = CBOR.array([.bytes(protectedBytes), .map(knobs.unprotectedHeader), .bytes(payload), .bytes(signature)])
        var cose = CBOREncoder.encode(knobs.tag.map { CBOR.tagged($0, body) } ?? body)
        if let alter = knobs.alterCOSE { cose = alter(cose) }
        return cose
    }

    /// A DL2 presentation's text: `credential` (COSE bytes) presented at `time`, signed by
    /// `device` over `signedTime` (default: `time`, so a different value tampers with t).
    public func presentation(credential: [UInt8], time: UInt64, device: any RawSigner, signedTime: UInt64? = nil) throws -> String {
        let signature = try device.sign(Presentation.toBeSigned(credential: credential, time: signedTime ?? time))
        let presentation = Presentation(credential: credential, time: time, holderSignature: signature)
        return Presentation.prefix + Base45.encode(Zlib.compressCode(presentation.encoded))
    }

    /// A DL2 text whose presentation is the given CBOR item (to break its shape on purpose).
    public func presentation(item: CBOR) -> String {
        Presentation.prefix + Base45.encode(Zlib.compress(CBOREncoder.encode(item)))
    }

    /// A Status List Token for `uri` with the given non-VALID entries.
    public func statusToken(signer: TestPKI.KeyPair, uri: String = "https://dl.example/CN-31/status/1",
                            entries: [Int: CredentialStatus] = [:], capacity: Int = 1024,
                            iat: Int64? = nil, exp: Int64? = nil, ttl: UInt64 = 21_600,
                            typ: String = DL1Header.statusListType) throws -> [UInt8] {
        var list = StatusList(bits: 2, capacity: capacity)
        for (index, status) in entries { list.set(index, to: status.rawValue) }
        let iat = iat ?? now
        let claims = StatusListClaims(uri: uri, issuedAt: iat, expiresAt: exp ?? iat + 48 * 3600, timeToLive: ttl,
                                      compressedList: Zlib.compress(list.bytes))
        let payload = CBOREncoder.encode(claims.cbor)
        let header = DL1Header.protectedHeader(kid: signer.kid, typ: typ)
        let protectedBytes = CBOREncoder.encode(.map(header))
        let signature = try signer.key.sign(COSESign1.toBeSigned(protectedBytes: protectedBytes, payload: payload))
        return COSESign1(protectedHeader: header, payload: payload, signature: signature).encoded()
    }
}
