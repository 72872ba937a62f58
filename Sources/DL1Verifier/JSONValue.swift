import DL1Format

/// A minimal JSON value with ordered object keys, so machine-readable output is stable.
public indirect enum JSONValue: Sendable, Hashable {
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
    public var serialized: String {
        switch self {
        case .string(let s): return Self.quote(s)
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items): return "[" + items.map(\.serialized).joined(separator: ",") + "]"
        case .object(let members): return "{" + members.map { Self.quote($0.0) + ":" + $0.1.serialized }.joined(separator: ",") + "}"
        }
    }

    private static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                // Control characters (DEL and C1 included) and bidirectional controls are
                // escaped, so no reader's terminal interprets them.
                if TextSafety.isUnsafe(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
