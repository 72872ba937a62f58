import DL1Compression
import Testing

@Suite("zlib: capped inflation")
struct ZlibTests {
    @Test("exactly the cap inflates; one byte more is refused")
    func cap() throws {
        let exact = Zlib.compress([UInt8](repeating: 7, count: Zlib.codeLimit))
        #expect(try Zlib.decompress(exact, limit: Zlib.codeLimit).count == Zlib.codeLimit)
        let over = Zlib.compress([UInt8](repeating: 7, count: Zlib.codeLimit + 1))
        #expect(throws: Zlib.Failure.tooLarge(limit: Zlib.codeLimit)) { try Zlib.decompress(over, limit: Zlib.codeLimit) }
    }

    @Test("a zlib bomb stops at the cap")
    func bomb() throws {
        let bomb = Zlib.compress([UInt8](repeating: 0, count: 200 * 1024 * 1024))
        #expect(bomb.count < 300_000)
        #expect(throws: Zlib.Failure.tooLarge(limit: Zlib.statusListLimit)) { try Zlib.decompress(bomb, limit: Zlib.statusListLimit) }
    }

    @Test("trailing bytes, truncation and corruption are refused")
    func damage() throws {
        let good = Zlib.compress(Array("hello, licence".utf8))
        #expect(throws: Zlib.Failure.trailingBytes(1)) { try Zlib.decompress(good + [0], limit: 100) }
        #expect(throws: Zlib.Failure.truncated) { try Zlib.decompress(Array(good.dropLast(3)), limit: 100) }
        var flipped = good
        flipped[flipped.count - 1] ^= 0xff
        #expect(throws: Zlib.Failure.self) { try Zlib.decompress(flipped, limit: 100) }
        #expect(throws: Zlib.Failure.self) { try Zlib.decompress([0x00, 0x01, 0x02], limit: 100) }
    }
}
