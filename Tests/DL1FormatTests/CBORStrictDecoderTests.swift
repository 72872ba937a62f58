@testable import DL1Format
import Testing

@Suite("CBOR: the strict decoder")
struct CBORStrictDecoderTests {
    func code(_ hex: String, decoder: CBORDecoder = CBORDecoder()) -> CBORError.Code? {
        do { _ = try decoder.decode(Hex.decode(hex)!); return nil } catch { return error.code }
    }

    @Test("duplicate map keys are rejected, also when encoded differently")
    func duplicateKeys() {
        #expect(code("a201020103") == .duplicateMapKey)
        #expect(code("a2616101616102") == .duplicateMapKey)
        #expect(code("a20102180103") == .duplicateMapKey) // 1 and 24-encoded 1
    }

    @Test("bytes after the item are rejected")
    func trailing() { #expect(code("0100") == .trailingBytes) }

    @Test("truncated input is rejected")
    func truncated() {
        #expect(code("19") == .truncated)
        #expect(code("83") == .lengthTooLarge)
        #expect(code("8301") == .lengthTooLarge)
        #expect(code("") == .truncated)
    }

    @Test("a length larger than the input is rejected before allocating")
    func hugeLength() {
        #expect(code("5bffffffffffffffff00") == .lengthTooLarge)
        #expect(code("9bffffffffffffffff") == .lengthTooLarge)
        #expect(code("bb7fffffffffffffff") == .lengthTooLarge)
    }

    @Test("nesting beyond the bound is rejected quickly, even 10,000 deep")
    func deepNesting() {
        let deep = [UInt8](repeating: 0x81, count: 10_000) + [0x00]
        #expect(throws: CBORError(.nestingTooDeep, at: 33)) { try CBORDecoder().decode(deep) }
        let tags = Array([UInt8](repeating: 0xc1, count: 10_000)) + [0x00]
        #expect(throws: CBORError.self) { try CBORDecoder().decode(tags) }
        #expect(code("818100", decoder: CBORDecoder(maxDepth: 1)) == .nestingTooDeep)
        #expect(code("818100", decoder: CBORDecoder(maxDepth: 2)) == nil)
    }

    @Test("a document is bounded in items, whatever their size (one-byte items would otherwise cost memory by count)")
    func itemBudget() {
        // An array of 10 items is 11 items.
        let ten = "8a" + String(repeating: "00", count: 10)
        #expect(code(ten, decoder: CBORDecoder(maxItems: 11)) == nil)
        #expect(code(ten, decoder: CBORDecoder(maxItems: 10)) == .tooManyItems)
        #expect(code("a1" + "0102", decoder: CBORDecoder(maxItems: 2)) == .tooManyItems)
        #expect(CBORDecoder().maxItems == 1_000_000)
        // A bundle of more one-byte items than a bundle may hold is not read at all.
        var bytes = CBOREncoder.encode(.map([.init("v", 1), .init("created", 0)]))
        bytes[0] = 0xa3
        bytes += CBOREncoder.encode(.text("certs")) + [0x9a, 0x00, 0x01, 0x86, 0xa0] + [UInt8](repeating: 0xf6, count: 100_000)
        #expect(throws: HandheldBundle.FormatError.self) { try HandheldBundle(bytes: bytes) }
    }

    @Test("a bundle takes at most 10,000 items per array and names at most 10 bad ones")
    func bundleItems() throws {
        let bad = [CBOR](repeating: .null, count: 25) + [CBOR](repeating: .bytes([1]), count: 10_005)
        let bytes = CBOREncoder.encode(.map([.init("v", 1), .init("created", 0), .init("certs", .array(bad))]))
        let bundle = try HandheldBundle(bytes: bytes)
        #expect(bundle.certificates.count == 10_000 - 25)
        #expect(bundle.warnings.count == 12)
        #expect(bundle.warnings[0] == "\"certs\" item 1 is not a byte string: skipped")
        #expect(bundle.warnings[10] == "\"certs\": 15 more items that are not byte strings: skipped")
        #expect(bundle.warnings[11] == "\"certs\" has 10030 items: those after the first 10000 are skipped")
    }

    @Test("invalid UTF-8 in a text string is rejected")
    func utf8() { #expect(code("62c328") == .invalidUTF8) }

    @Test("reserved additional information and two-byte simple values below 32 are rejected")
    func reserved() {
        #expect(code("1c") == .reservedAdditionalInfo)
        #expect(code("f813") == .invalidSimpleValue)
        #expect(code("ff") == .indefiniteLength)
    }

    @Test("deterministic encoding sorts map keys bytewise and uses the shortest heads")
    func deterministic() throws {
        let map = CBOR.map([.init("b", 1), .init(10, 2), .init(-1, 3), .init(100, 4)])
        #expect(Hex.encode(CBOREncoder.encode(map)) == "a40a0218640420036162" + "01")
        #expect(Hex.encode(CBOREncoder.encode(.int(-65537))) == "3a00010000")
        #expect(Hex.encode(CBOREncoder.encode(.unsigned(65535))) == "19ffff")
    }

    @Test("maps are sorted wherever they sit: nested, after other items, built in order or not")
    func sortedInPlace() throws {
        // An unsorted map inside a sorted one, after an array element.
        let inner = CBOR.map([.init("zz", 1), .init("a", .bytes([1, 2])), .init(-5, .null)])
        let item = CBOR.array(["x", .map([.init(1, inner), .init(2, .map([.init(7, 0), .init(3, 0)]))])])
        #expect(Hex.encode(CBOREncoder.encode(item)) == "826178a201a324f66161420102627a7a0102a203000700")
        // Against the plain rule (encode every entry on its own, sort by key bytes) on random maps.
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: UInt64) -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (seed >> 33) % bound
        }
        func random(_ depth: Int) -> CBOR {
            switch next(depth > 2 ? 4 : 6) {
            case 0: return .unsigned(next(70_000))
            case 1: return .negative(next(300))
            case 2: return .text(String(repeating: "é", count: Int(next(4))))
            case 3: return .bytes(Array(repeating: 7, count: Int(next(30))))
            case 4: return .array((0..<next(4)).map { _ in random(depth + 1) })
            default:
                var keys = Set<CBOR>()
                return .map((0..<next(6)).compactMap { _ in
                    let key = random(3)
                    return keys.insert(key).inserted ? CBORMapEntry(key, random(depth + 1)) : nil
                })
            }
        }
        func reference(_ item: CBOR) -> [UInt8] {
            guard case .map(let entries) = item else {
                if case .array(let items) = item {
                    var out: [UInt8] = []
                    CBOREncoder.head(4, UInt64(items.count), into: &out)
                    for element in items { out += reference(element) }
                    return out
                }
                return CBOREncoder.encode(item)
            }
            var out: [UInt8] = []
            CBOREncoder.head(5, UInt64(entries.count), into: &out)
            for entry in entries.map({ (reference($0.key), reference($0.value)) }).sorted(by: { $0.0.lexicographicallyPrecedes($1.0) }) {
                out += entry.0 + entry.1
            }
            return out
        }
        for _ in 0..<500 {
            let item = random(0)
            #expect(CBOREncoder.encode(item) == reference(item))
        }
    }

    @Test("dates are tag 100 day counts: 100(7305) is 1990-01-01")
    func dates() throws {
        let date = try #require(CalendarDate(cbor: .tagged(100, 7305)))
        #expect(date.description == "1990-01-01")
        #expect(CalendarDate(iso8601: "1969-12-31")?.daysSinceEpoch == -1)
        #expect(CalendarDate(iso8601: "2023-02-29") == nil)
        #expect(CalendarDate(iso8601: "2024-02-29")?.description == "2024-02-29")
        #expect(CalendarDate(iso8601: "2024-2-29") == nil)
        #expect(CalendarDate(utcDayOf: -1).description == "1969-12-31")
        #expect(CalendarDate(utcDayOf: 86_399).description == "1970-01-01")
    }

    @Test("a date's day count is bounded to ±3,000,000, the most negative CBOR integer included (it once trapped)")
    func dateBounds() {
        #expect(CalendarDate(cbor: .tagged(100, .negative(UInt64(Int64.max)))) == nil)  // -2^63
        #expect(CalendarDate(cbor: .tagged(100, .negative(UInt64.max))) == nil)          // -2^64
        #expect(CalendarDate(cbor: .tagged(100, .negative(3_000_000))) == nil)           // -3,000,001
        #expect(CalendarDate(cbor: .tagged(100, .negative(2_999_999)))?.daysSinceEpoch == -3_000_000)
        #expect(CalendarDate(cbor: .tagged(100, .unsigned(3_000_000)))?.daysSinceEpoch == 3_000_000)
        #expect(CalendarDate(cbor: .tagged(100, .unsigned(3_000_001))) == nil)
        #expect(CalendarDate(cbor: .tagged(100, .unsigned(UInt64.max))) == nil)
    }
}
