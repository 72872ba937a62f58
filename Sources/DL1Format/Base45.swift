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
        let chars = Array(text.utf8)
        // Every character first (so an invalid one is reported before a bad length or group),
        // then the groups, reading each digit from the table again rather than from a copy.
        let table = values
        for (i, c) in chars.enumerated() where table[Int(c)] < 0 { throw .invalidCharacter(offset: i) }
        guard chars.count % 3 != 1 else { throw .invalidLength(chars.count) }
        func digit(_ i: Int) -> Int { Int(table[Int(chars[i])]) }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 3 * 2 + 1)
        var i = 0
        while i + 3 <= chars.count {
            let n = digit(i) + digit(i + 1) * 45 + digit(i + 2) * 45 * 45
            guard n <= 0xffff else { throw .groupOutOfRange(offset: i) }
            out.append(UInt8(n >> 8))
            out.append(UInt8(n & 0xff))
            i += 3
        }
        if chars.count - i == 2 {
            let n = digit(i) + digit(i + 1) * 45
            guard n <= 0xff else { throw .groupOutOfRange(offset: i) }
            out.append(UInt8(n))
        }
        return out
    }
}
