import DL1Format

/// A minimal JSON value with ordered object keys, so machine-readable output is stable.
/// (Not `indirect`: arrays and objects hold their values in an array's storage, so strings,
/// numbers and the rest live inline instead of in a heap box each.)
public enum JSONValue: Sendable, Hashable {
    /// A string.
    case string(String)
    /// An integer.
    case int(Int64)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null
    /// An array.
    case array([JSONValue])
    /// An object: its members in the order they are written.
    case object([(String, JSONValue)])

    /// Whether two values serialize to the same text (so member order matters).
    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized == b.serialized }
    /// Hashes the serialized text, consistently with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(serialized) }

    /// The value as compact JSON text on one line.
    public var serialized: String { String(decoding: bytes, as: UTF8.self) }

    /// The value as compact JSON, UTF-8.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(into: &out)
        return out
    }

    /// Appends the value as compact JSON, UTF-8, straight into `out` (no intermediate strings).
    public func write(into out: inout [UInt8]) {
        switch self {
        case .string(let s): Self.writeQuoted(s, into: &out)
        case .int(let i): Self.writeDecimal(i, into: &out)
        case .bool(let b): out.append(contentsOf: b ? Self.trueBytes : Self.falseBytes)
        case .null: out.append(contentsOf: Self.nullBytes)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeQuoted(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let trueBytes = Array("true".utf8), falseBytes = Array("false".utf8), nullBytes = Array("null".utf8)

    /// The decimal digits of `value`, without making a string first.
    private static func writeDecimal(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        } while divisor > 0
    }

    private static func writeQuoted(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings have nothing to escape (ASCII, or Chinese names): copied byte by byte in
        // one pass. A byte that may need an escape sends the whole string the careful way:
        // quote, backslash, ASCII controls and DEL, and the lead bytes of the only escaped
        // characters beyond ASCII (C1 controls C2 80–9F, U+061C D8 9C, U+200E… and U+2028… E2 80).
        let mark = out.count
        var plain = true
        for byte in s.utf8 {
            if byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0xC2 || byte == 0xD8 || byte == 0xE2 {
                plain = false
                break
            }
            out.append(byte)
        }
        if !plain {
            out.removeSubrange(mark...)
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
                case "\\": out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case "\n": out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case "\r": out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case "\t": out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                default:
                    // Control characters (DEL and C1 included) and bidirectional controls are
                    // escaped, so no reader's terminal interprets them.
                    if TextSafety.isUnsafe(scalar) {
                        let hex = String(scalar.value, radix: 16)
                        out += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                    } else {
                        UTF8.encode(scalar) { out.append($0) }
                    }
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
