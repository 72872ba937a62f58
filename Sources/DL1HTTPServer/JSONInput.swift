/// A JSON text as read from a request body (RFC 8259), for the services' small request objects:
/// read in one pass over the bytes, with members in the order written (duplicates kept, so the
/// reader of a message can refuse them). Foundation's `JSONDecoder` costs more than a whole
/// verification's answer for a one-member body.
public indirect enum JSONInput: Sendable, Equatable {
    case string(String)
    /// A number, as written (validated, not converted).
    case number(String)
    case bool(Bool)
    case null
    case array([JSONInput])
    case object([(String, JSONInput)])

    /// Why a body is not JSON: the byte offset and what was expected there.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let offset: Int
        public let expected: String
        public var description: String { "\(expected) at byte \(offset)" }
    }

    /// Arrays and objects nested deeper than this are refused (a stack bound).
    public static let maxDepth = 32

    /// Parses a whole JSON text: one value, whitespace around it, nothing else.
    public static func parse(_ bytes: some Collection<UInt8>) throws(SyntaxError) -> JSONInput {
        var reader = Reader(bytes: Array(bytes))
        // A UTF-8 byte order mark may be ignored (RFC 8259 §8.1), as JSONDecoder does.
        if reader.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.at = 3 }
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.at == reader.bytes.count else { throw reader.error("the end of the text") }
        return value
    }

    public static func == (a: JSONInput, b: JSONInput) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)), (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0

        func error(_ expected: String) -> SyntaxError { SyntaxError(offset: at, expected: expected) }

        mutating func skipSpace() {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x09 || bytes[at] == 0x0A || bytes[at] == 0x0D { at += 1 }
        }

        mutating func value(depth: Int) throws(SyntaxError) -> JSONInput {
            guard at < bytes.count else { throw error("a value") }
            switch bytes[at] {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw error("a value")
            }
        }

        mutating func literal(_ word: StaticString) throws(SyntaxError) {
            let count = word.utf8CodeUnitCount
            guard bytes.count - at >= count,
                  word.withUTF8Buffer({ $0.elementsEqual(bytes[at..<at + count]) }) else { throw error("'\(word)'") }
            at += count
        }

        mutating func object(depth: Int) throws(SyntaxError) -> JSONInput {
            guard depth <= JSONInput.maxDepth else { throw error("at most \(JSONInput.maxDepth) levels of nesting") }
            at += 1
            var members: [(String, JSONInput)] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
            while true {
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw error("a member name") }
                let name = try string()
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw error("':'") }
                at += 1
                skipSpace()
                members.append((name, try value(depth: depth)))
                skipSpace()
                guard at < bytes.count else { throw error("',' or '}'") }
                if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
                guard bytes[at] == UInt8(ascii: ",") else { throw error("',' or '}'") }
                at += 1
            }
        }

        mutating func array(depth: Int) throws(SyntaxError) -> JSONInput {
            guard depth <= JSONInput.maxDepth else { throw error("at most \(JSONInput.maxDepth) levels of nesting") }
            at += 1
            var items: [JSONInput] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value(depth: depth))
                skipSpace()
                guard at < bytes.count else { throw error("',' or ']'") }
                if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                guard bytes[at] == UInt8(ascii: ",") else { throw error("',' or ']'") }
                at += 1
            }
        }

        /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
        mutating func number() throws(SyntaxError) -> String {
            let start = at
            func digits(_ reader: inout Reader) -> Int {
                let from = reader.at
                while reader.at < reader.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.at]) { reader.at += 1 }
                return reader.at - from
            }
            if bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard at < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) else { throw error("a digit") }
            if bytes[at] == UInt8(ascii: "0") { at += 1 } else { _ = digits(&self) }
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
                at += 1
                guard digits(&self) > 0 else { throw error("a digit") }
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
                at += 1
                if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
                guard digits(&self) > 0 else { throw error("a digit") }
            }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }

        /// A string: escapes resolved, UTF-8 checked, no raw control characters.
        mutating func string() throws(SyntaxError) -> String {
            at += 1
            let start = at
            // The common case: no escape, so the bytes are the string.
            while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\"), bytes[at] >= 0x20 { at += 1 }
            if at < bytes.count, bytes[at] == UInt8(ascii: "\"") {
                guard let text = String(validating: bytes[start..<at], as: UTF8.self) else { throw SyntaxError(offset: start, expected: "UTF-8 text") }
                at += 1
                return text
            }
            var out = Array(bytes[start..<at])
            while true {
                guard at < bytes.count else { throw error("'\"'") }
                let byte = bytes[at]
                if byte == UInt8(ascii: "\"") { break }
                guard byte >= 0x20 else { throw error("no control character in a string") }
                if byte != UInt8(ascii: "\\") { out.append(byte); at += 1; continue }
                at += 1
                guard at < bytes.count else { throw error("an escape") }
                let escape = bytes[at]
                at += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard bytes.count - at >= 2, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else { throw error("a low surrogate") }
                        at += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("a low surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error("a Unicode scalar") }
                    out.append(contentsOf: String(Character(unicode)).utf8)
                default: throw error("an escape")
                }
            }
            at += 1
            guard let text = String(validating: out, as: UTF8.self) else { throw SyntaxError(offset: start, expected: "UTF-8 text") }
            return text
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            guard bytes.count - at >= 4 else { throw error("4 hex digits") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[at]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw error("4 hex digits")
                }
                value = value << 4 | UInt32(digit)
                at += 1
            }
            return value
        }
    }
}
