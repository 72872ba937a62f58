import DL1Format
import Foundation
import Testing

/// RFC 8949 Appendix A: every definite-length example decodes to the right value and
/// re-encodes byte-exact where marked roundtrip; every indefinite-length one is rejected.
@Suite("CBOR: RFC 8949 Appendix A")
struct CBORAppendixATests {
    struct Vector: Decodable, CustomTestStringConvertible {
        let hex: String
        let roundtrip: Bool
        let diagnostic: String?
        var testDescription: String { hex }
    }

    static let vectors: [Vector] = {
        (try? JSONDecoder().decode([Vector].self, from: VectorFiles.data("cbor/appendix_a.json"))) ?? []
    }()

    /// A `decoded` JSON value of the vector file (numbers as Double: some exceed Int64).
    indirect enum Expected: Sendable {
        case string(String), number(Double), bool(Bool), null, array([Expected]), object([String: Expected])

        init(_ json: Any) {
            switch json {
            case let s as String: self = .string(s)
            case let list as [Any]: self = .array(list.map(Expected.init))
            case let dict as [String: Any]: self = .object(dict.mapValues(Expected.init))
            case is NSNull: self = .null
            case let d as Decimal: self = .number(NSDecimalNumber(decimal: d).doubleValue)
            case let b as Bool where type(of: json) == Bool.self: self = .bool(b)
            case let n as NSNumber: self = .number(n.doubleValue)
            default: self = .null
            }
        }
    }

    /// The `decoded` values by hex, read with JSONSerialization.
    static let decodedValues: [String: Expected] = {
        guard let list = try? VectorFiles.json("cbor/appendix_a.json") as? [[String: Any]] else { return [:] }
        var out: [String: Expected] = [:]
        for entry in list { if let hex = entry["hex"] as? String, let d = entry["decoded"] { out[hex] = Expected(d) } }
        return out
    }()

    /// Appendix A's examples that use indefinite lengths (heads 0x5f, 0x7f, 0x9f, 0xbf), which
    /// the strict DL1 profile rejects.
    static let indefiniteExamples: Set<String> = [
        "5f42010243030405ff", "7f657374726561646d696e67ff", "9fff", "9f018202039f0405ffff",
        "9f01820203820405ff", "83018202039f0405ff", "83019f0203ff820405",
        "9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff", "bf61610161629f0203ffff",
        "826161bf61626163ff", "bf6346756ef563416d7421ff",
    ]

    static func isIndefinite(_ hex: String) -> Bool { indefiniteExamples.contains(hex) }

    /// `f818` (simple value 24 in two bytes) comes from RFC 7049's appendix; RFC 8949 §3.3 makes
    /// it not well-formed (two-byte simple values must be at least 32), so it must be rejected.
    static let notWellFormedUnder8949: Set<String> = ["f818"]

    @Test("the vector file is complete")
    func vectorCount() {
        #expect(Self.vectors.count == 82)
        #expect(Self.vectors.filter { Self.isIndefinite($0.hex) }.count == Self.indefiniteExamples.count)
    }

    @Test("each definite-length example decodes, shows as expected and re-encodes", arguments: vectors.filter { !isIndefinite($0.hex) && !notWellFormedUnder8949.contains($0.hex) })
    func definite(_ vector: Vector) throws {
        let bytes = try #require(Hex.decode(vector.hex))
        let item = try CBORDecoder().decode(bytes)
        if let diagnostic = vector.diagnostic {
            #expect(item.description == diagnostic)
        } else {
            let expected = try #require(Self.decodedValues[vector.hex])
            #expect(Self.matches(item, expected), "decoded \(item), expected \(expected)")
        }
        if vector.roundtrip {
            #expect(Hex.encode(CBOREncoder.encode(item)) == vector.hex)
        }
    }

    @Test("simple(24) in two bytes is rejected as RFC 8949 requires")
    func twoByteSimple() {
        #expect(throws: CBORError(.invalidSimpleValue, at: 0)) { try CBORDecoder().decode([0xf8, 0x18]) }
    }

    @Test("each indefinite-length example is rejected", arguments: vectors.filter { isIndefinite($0.hex) })
    func indefinite(_ vector: Vector) throws {
        let bytes = try #require(Hex.decode(vector.hex))
        #expect(throws: CBORError.self) { try CBORDecoder().decode(bytes) }
        do { _ = try CBORDecoder().decode(bytes) } catch { #expect(error.code == .indefiniteLength) }
    }

    /// Compares a decoded item with the JSON value of the vector file.
    static func matches(_ item: CBOR, _ expected: Expected) -> Bool {
        switch (item, expected) {
        case (.text(let t), .string(let s)): return t == s
        case (.array(let items), .array(let list)):
            return items.count == list.count && zip(items, list).allSatisfy { matches($0, $1) }
        case (.map(let entries), .object(let dict)):
            return entries.count == dict.count && entries.allSatisfy { entry in
                guard case .text(let key) = entry.key, let value = dict[key] else { return false }
                return matches(entry.value, value)
            }
        case (.bool(let b), .bool(let e)): return b == e
        case (.bool(let b), .number(let n)): return (b ? 1.0 : 0.0) == n
        case (.null, .null): return true
        case (_, .number(let n)):
            // JSON prints some doubles rounded (e.g. 3.4028234663852886e+38): compare closely.
            guard let v = numericValue(item) else { return false }
            return v == n || abs(v - n) <= abs(n) * 1e-15
        default: return false
        }
    }

    /// Integers, floats and bignums (tags 2 and 3) as Double, for comparison with JSON numbers.
    static func numericValue(_ item: CBOR) -> Double? {
        switch item {
        case .unsigned(let u): return Double(u)
        case .negative(let n): return -1 - Double(n)
        case .float(let d): return d
        case .tagged(2, .bytes(let b)): return b.reduce(0.0) { $0 * 256 + Double($1) }
        case .tagged(3, .bytes(let b)): return -1 - b.reduce(0.0) { $0 * 256 + Double($1) }
        default: return nil
        }
    }
}
