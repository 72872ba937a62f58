import DL1HTTPServer
import DL1ServiceAPI
@testable import DL1VerifyServer
import Foundation
import Testing

@Suite("JSON request bodies")
struct JSONInputTests {
    @Test("Every JSON value RFC 8259 allows, with escapes and surrogate pairs, reads as Foundation reads it")
    func accepted() throws {
        let texts = [
            #"{}"#, #"[]"#, #" { "a" : [ 1 , -0.5e+3 , true , false , null , "x" ] } "#, #"0"#, #"-0"#, #"1E9"#, #""""#,
            #"{"s":"\"\\\/\b\f\n\r\t\u0041\u00e9\u4e2d\ud83d\ude00"}"#, #"["张三", "é"]"#, #"[[[[]]]]"#, #"{"a":{"b":{"c":[{}]}}}"#,
        ]
        for text in texts {
            let ours = try JSONInput.parse(Array(text.utf8))
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(Self.same(ours, theirs), "\(text)")
        }
        #expect(try JSONInput.parse(Array(#"{"s":"\ud83d\ude00 \u4e2d"}"#.utf8)) == .object([("s", .string("😀 中"))]))
        #expect(try JSONInput.parse(Array(#"{"a":1,"a":2}"#.utf8)) == .object([("a", .number("1")), ("a", .number("2"))]))
        // A UTF-8 byte order mark is ignored (RFC 8259 §8.1), as JSONDecoder ignored it.
        #expect(try JSONInput.parse([0xEF, 0xBB, 0xBF] + Array(#"{"a":true}"#.utf8)) == .object([("a", .bool(true))]))
    }

    @Test("Every malformed text is refused with the offset and what was expected")
    func refused() {
        let cases: [(String, String)] = [
            ("", "a value at byte 0"), ("{", "a member name at byte 1"), (#"{"a"}"#, "':' at byte 4"), (#"{"a":1,}"#, "a member name at byte 7"),
            ("[1,]", "a value at byte 3"), ("[1 2]", "',' or ']' at byte 3"), ("01", "the end of the text at byte 1"), ("1.", "a digit at byte 2"),
            ("-", "a digit at byte 1"), ("1e", "a digit at byte 2"), ("tru", "'true' at byte 0"), ("nul", "'null' at byte 0"),
            ("\"abc", "'\"' at byte 4"), ("\"a\u{01}\"", "no control character in a string at byte 2"), (#""\x""#, "an escape at byte 3"),
            (#""\u12""#, "4 hex digits at byte 3"), (#""\ud83d""#, "a low surrogate at byte 7"), (#""\ud83d\u0041""#, "a low surrogate at byte 13"),
            (#""\udc00""#, "a Unicode scalar at byte 7"), ("{} {}", "the end of the text at byte 3"), ("'a'", "a value at byte 0"),
            ("NaN", "a value at byte 0"), ("+1", "a value at byte 0"),
            (String(repeating: "[", count: 33) + String(repeating: "]", count: 33), "at most 32 levels of nesting at byte 32"),
        ]
        for (text, expected) in cases {
            #expect(throws: JSONInput.SyntaxError.self, "\(text)") { try JSONInput.parse(Array(text.utf8)) }
            do { _ = try JSONInput.parse(Array(text.utf8)) } catch { #expect(error.description == expected, "\(text): \(error.description)") }
        }
        // Bytes that are not UTF-8 inside a string, with and without escapes.
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0x5C, 0x6E, 0xC3, 0x22]] {
            do { _ = try JSONInput.parse(bytes); Issue.record("accepted \(bytes)") } catch { #expect(error.expected == "UTF-8 text") }
        }
        #expect(throws: Never.self) { try JSONInput.parse(Array((String(repeating: "[", count: 32) + String(repeating: "]", count: 32)).utf8)) }
    }

    @Test("POST /v1/verify bodies: members, types, nulls, duplicates, unknown members; each refusal names what was wrong")
    func verifyRequests() throws {
        let full = try VerifyRequest(body: Array(#"{"text":"DL1:x","category":"C1","portrait_sha256":null,"require_holder_binding":true}"#.utf8))
        #expect(full == VerifyRequest(text: "DL1:x", category: "C1", requireHolderBinding: true))
        let cases: [(String, String)] = [
            (#"{"category":"C1"}"#, "the member 'text' is missing"),
            (#"{"text":null}"#, "the member 'text' has the wrong type"),
            (#"{"text":5}"#, "the member 'text' has the wrong type"),
            (#"{"text":"DL1:x","category":["C1"]}"#, "the member 'category' has the wrong type"),
            (#"{"text":"DL1:x","require_holder_binding":"yes"}"#, "the member 'require_holder_binding' has the wrong type"),
            (#"{"text":"DL1:x","text":"DL1:y"}"#, "the member 'text' is given twice"),
            (#"{"text":"DL1:x","categroy":"B2"}"#, "the body has an unknown member 'categroy' (known: category, portrait, portrait_sha256, require_holder_binding, text)"),
            (#"["DL1:x"]"#, "the body must be a JSON object"),
            (#"{"text":"DL1:x""#, "the body is not JSON (expected ',' or '}' at byte 15)"),
        ]
        for (body, detail) in cases {
            do {
                _ = try VerifyRequest(body: Array(body.utf8))
                Issue.record("accepted \(body)")
            } catch {
                #expect(error.code == ProblemCode.malformedRequest.rawValue && error.status == 400 && error.detail == detail, "\(body): \(error.detail)")
            }
        }
    }

    /// Whether our reading equals Foundation's (numbers compared as numbers).
    static func same(_ ours: JSONInput, _ theirs: Any) -> Bool {
        switch ours {
        case .string(let s): return (theirs as? String) == s
        case .number(let n): return (theirs as? NSNumber)?.doubleValue == Double(n)
        case .bool(let b): return (theirs as? Bool) == b
        case .null: return theirs is NSNull
        case .array(let items):
            guard let other = theirs as? [Any], other.count == items.count else { return false }
            return zip(items, other).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let other = theirs as? [String: Any], other.count == members.count else { return false }
            return members.allSatisfy { name, value in other[name].map { same(value, $0) } ?? false }
        }
    }
}
