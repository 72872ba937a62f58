/// Base45 (RFC 9285): the encoding that keeps a QR code in its compact alphanumeric mode.
public enum Base45 {
    /// The 45 characters, in value order.
    public static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)

    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    /// Why a text is not valid Base45.
    public enum DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
        /// A character outside the alphabet (lower case and line ends included), at this offset.
        case invalidCharacter(offset: Int)
        /// A length of 3n+1 characters, which no byte string encodes to.
        case invalidLength(Int)
        /// A group whose value exceeds 65535 (three characters) or 255 (two), at this offset.
        case groupOutOfRange(offset: Int)

        public var description: String {
            switch self {
            case .invalidCharacter(let o): return "Base45: character \(o + 1) is not in the Base45 alphabet"
            case .invalidLength(let n): return "Base45: a length of \(n) characters (3n+1) is impossible"
            case .groupOutOfRange(let o): return "Base45: the group at character \(o + 1) is out of range"
            }
        }
    }

    /// The Base45 text of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String { encode(Array(bytes)) }

    /// The Base45 text of `bytes` (the concrete path: indexing an array, no generic iterator).
    public static func encode(_ bytes: [UInt8]) -> String {
        let alphabet = Self.alphabet
        var out = [UInt8](repeating: 0, count: bytes.count / 2 * 3 + bytes.count % 2 * 2)
        var i = 0, o = 0
        while i + 1 < bytes.count {
            var n = Int(bytes[i]) << 8 | Int(bytes[i + 1])
            out[o] = alphabet[n % 45]; n /= 45
            out[o + 1] = alphabet[n % 45]; n /= 45
            out[o + 2] = alphabet[n]
            i += 2
            o += 3
        }
        if i < bytes.count {
            let n = Int(bytes[i])
            out[o] = alphabet[n % 45]
            out[o + 1] = alphabet[n / 45]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes a Base45 text encodes, checking every character and every group.
    public static func decode(_ text: some StringProtocol) throws(DecodingError) -> [UInt8] {
        try decode(utf8: String(text)[...].utf8)
    }

    /// The bytes a Base45 text encodes (the concrete path for a code's text after its prefix).
    public static func decode(_ text: Substring) throws(DecodingError) -> [UInt8] {
        try decode(utf8: text.utf8)
    }

    /// The bytes a Base45 text encodes.
    public static func decode(_ text: String) throws(DecodingError) -> [UInt8] {
        try decode(utf8: text[...].utf8)
    }

    private static func decode(utf8: Substring.UTF8View) throws(DecodingError) -> [UInt8] {
        // One pass over the text, with no copy of it. The reasons keep their order: an invalid
        // character anywhere comes first (it is thrown as soon as it is met), then a bad length,
        // then the first group out of range (remembered until the whole text was read).
        let table = values
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 3 * 2 + 1)
        var value = 0, scale = 1, digits = 0, offset = 0, groupStart = 0
        var firstBadGroup: Int?
        for c in utf8 {
            let digit = table[Int(c)]
            guard digit >= 0 else { throw .invalidCharacter(offset: offset) }
            value += Int(digit) * scale
            scale *= 45
            digits += 1
            offset += 1
            if digits == 3 {
                if value > 0xffff {
                    if firstBadGroup == nil { firstBadGroup = groupStart }
                } else {
                    out.append(UInt8(value >> 8))
                    out.append(UInt8(value & 0xff))
                }
                value = 0; scale = 1; digits = 0; groupStart = offset
            }
        }
        guard digits != 1 else { throw .invalidLength(offset) }
        if let firstBadGroup { throw .groupOutOfRange(offset: firstBadGroup) }
        if digits == 2 {
            guard value <= 0xff else { throw .groupOutOfRange(offset: groupStart) }
            out.append(UInt8(value))
        }
        return out
    }
}
