/// A holder's device key as a bound credential carries it (FORMAT §7.1): claim 8 (cnf) =
/// `{1: COSE_Key}`, the COSE_Key exactly `{1: 2, -1: 1, -2: x, -3: y}` (EC2, P-256, `x` 32
/// bytes, `y` the sign bit of the compressed point). Whether the point is on the curve is for
/// the cryptography layer to say.
public struct HolderKey: Hashable, Sendable {
    /// The x-coordinate, 32 bytes big-endian.
    public let x: [UInt8]
    /// Whether the y-coordinate is odd (SEC 1 prefix `0x03`; `false` for `0x02`).
    public let yIsOdd: Bool

    /// Claim key of cnf, and the labels inside it.
    public enum Key {
        public static let cnf: Int64 = 8, coseKey: Int64 = 1
        public static let kty: Int64 = 1, crv: Int64 = -1, x: Int64 = -2, y: Int64 = -3
        public static let ec2: Int64 = 2, p256: Int64 = 1
    }

    /// A key from its x-coordinate and sign bit.
    public init(x: [UInt8], yIsOdd: Bool) {
        self.x = x
        self.yIsOdd = yIsOdd
    }

    /// A key from its 33-byte SEC 1 compressed point (`0x02`/`0x03`, then x); nil when not one.
    public init?(compressedPoint point: [UInt8]) {
        guard point.count == 33, point[0] == 2 || point[0] == 3 else { return nil }
        self.init(x: Array(point[1...]), yIsOdd: point[0] == 3)
    }

    /// The 33-byte SEC 1 compressed point.
    public var compressedPoint: [UInt8] { [yIsOdd ? 3 : 2] + x }

    /// The cnf claim's value: `{1: COSE_Key}`.
    public var cnf: CBOR {
        .map([.init(.int(Key.coseKey), .map([
            .init(.int(Key.kty), .int(Key.ec2)), .init(.int(Key.crv), .int(Key.p256)),
            .init(.int(Key.x), .bytes(x)), .init(.int(Key.y), .bool(yIsOdd)),
        ]))])
    }

    func writeCnf(into writer: inout CBORWriter) {
        writer.mapHeader(1)
        writer.int(Key.coseKey)
        writer.mapHeader(4)
        writer.int(Key.kty); writer.int(Key.ec2)
        writer.int(Key.crv); writer.int(Key.p256)
        writer.int(Key.x); writer.byteString(x)
        writer.int(Key.y); writer.bool(yIsOdd)
    }

    /// Reads a cnf claim's value, exactly as FORMAT §7.1 shapes it: any other label, type or
    /// length is refused.
    public init(cnf: CBOR) throws(ClaimsError) {
        guard case .map(let outer) = cnf, outer.count == 1, outer[0].key == .int(Key.coseKey),
              case .map(let key) = outer[0].value else {
            throw ClaimsError("claim 8 (cnf) is not {1: COSE_Key}")
        }
        guard key.count == 4, Set(key.map(\.key)) == [.int(Key.kty), .int(Key.crv), .int(Key.x), .int(Key.y)] else {
            throw ClaimsError("the cnf COSE_Key must hold exactly the labels 1, -1, -2 and -3")
        }
        let value = { (label: Int64) in key.first { $0.key == .int(label) }!.value }
        guard value(Key.kty) == .int(Key.ec2) else { throw ClaimsError("the cnf COSE_Key's kty is not EC2 (2)") }
        guard value(Key.crv) == .int(Key.p256) else { throw ClaimsError("the cnf COSE_Key's crv is not P-256 (1)") }
        guard let x = value(Key.x).byteString, x.count == 32 else { throw ClaimsError("the cnf COSE_Key's x is not a byte string of 32 bytes") }
        guard case .bool(let odd) = value(Key.y) else {
            throw ClaimsError("the cnf COSE_Key's y is not a bool (the compressed point's sign bit)")
        }
        self.init(x: x, yIsOdd: odd)
    }
}

/// A DL2 presentation (FORMAT §7.2): `[credential: bstr, t: uint, holder_signature: bstr(64)]`,
/// the bound credential's COSE_Sign1 bytes, when the device made it, and the device's signature.
public struct Presentation: Hashable, Sendable {
    /// The text every presentation starts with.
    public static let prefix = "DL2:"

    /// The bound credential's tagged COSE_Sign1, byte for byte.
    public let credential: [UInt8]
    /// When the device made the presentation, seconds since the epoch.
    public let time: UInt64
    /// ES256 by the device key, raw `r || s`, over ``toBeSigned(credential:time:)``.
    public let holderSignature: [UInt8]

    /// A presentation from its parts.
    public init(credential: [UInt8], time: UInt64, holderSignature: [UInt8]) {
        self.credential = credential
        self.time = time
        self.holderSignature = holderSignature
    }

    /// The bytes the device signs: the CBOR encoding of `["DL2", credential, t]`.
    public static func toBeSigned(credential: [UInt8], time: UInt64) -> [UInt8] {
        CBOREncoder.encode(.array([.text("DL2"), .bytes(credential), .unsigned(time)]))
    }

    /// The presentation's deterministic CBOR encoding.
    public var encoded: [UInt8] {
        CBOREncoder.encode(.array([.bytes(credential), .unsigned(time), .bytes(holderSignature)]))
    }

    /// Reads a presentation: a CBOR array of exactly a byte string, an unsigned integer and a
    /// 64-byte byte string, deterministically encoded, with nothing after it.
    public init(decoding bytes: [UInt8]) throws(ClaimsError) {
        let item: CBOR
        do { item = try CBORDecoder(maxDepth: 4).decode(bytes) } catch {
            throw ClaimsError("the presentation is not well-formed CBOR: \(error)")
        }
        guard case .array(let items) = item, items.count == 3 else {
            throw ClaimsError("the presentation is not an array of three items")
        }
        guard let credential = items[0].byteString else { throw ClaimsError("the presentation's credential is not a byte string") }
        guard let time = items[1].uint64 else { throw ClaimsError("the presentation's t is not an unsigned integer") }
        guard let signature = items[2].byteString, signature.count == 64 else {
            throw ClaimsError("the presentation's holder signature is not a byte string of 64 bytes")
        }
        guard CBOREncoder.encode(item) == bytes else {
            throw ClaimsError("the presentation is not in deterministic CBOR encoding")
        }
        self.init(credential: credential, time: time, holderSignature: signature)
    }
}
