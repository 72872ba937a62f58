import DL1Compression
import DL1Format
import Foundation
import Testing

@Suite("Status lists: the draft's examples")
struct StatusListTests {
    struct Example: Decodable {
        let bits: Int
        let statuses: [UInt8]
        let byte_array_hex: String
        let status_list_cbor_hex: String
    }

    struct File: Decodable { let examples: [Example] }

    static let examples: [Example] = (try? JSONDecoder().decode(File.self, from: VectorFiles.data("status-list/examples.json")).examples) ?? []

    @Test("the file holds the 1-bit and 2-bit examples")
    func count() { #expect(Self.examples.map(\.bits) == [1, 2]) }

    @Test("packing the statuses gives the draft's bytes, and reading them back gives the statuses", arguments: examples.map(\.bits))
    func packing(bits: Int) throws {
        let example = try #require(Self.examples.first { $0.bits == bits })
        var list = StatusList(bits: bits, capacity: example.statuses.count)
        for (i, s) in example.statuses.enumerated() { list.set(i, to: s) }
        #expect(Hex.encode(list.bytes) == example.byte_array_hex)
        for (i, s) in example.statuses.enumerated() { #expect(list[UInt64(i)] == s) }
        #expect(list[UInt64(list.count)] == nil)
    }

    @Test("the draft's encoded {bits, lst} map inflates to the same bytes", arguments: examples.map(\.bits))
    func encodedMap(bits: Int) throws {
        let example = try #require(Self.examples.first { $0.bits == bits })
        let map = try CBORDecoder().decode(Hex.decode(example.status_list_cbor_hex)!)
        #expect(map[textKey: "bits"] == .unsigned(UInt64(bits)))
        let lst = try #require(map[textKey: "lst"]?.byteString)
        let inflated = try Zlib.decompress(lst, limit: Zlib.statusListLimit)
        #expect(Hex.encode(inflated) == example.byte_array_hex)
    }

    @Test("setting an entry changes only that entry")
    func isolation() {
        var list = StatusList(bits: 2, capacity: 100)
        list.set(41, to: 3)
        list.set(42, to: 1)
        list.set(41, to: 2)
        #expect(list[41] == 2 && list[42] == 1 && list[40] == 0 && list[43] == 0)
    }
}
