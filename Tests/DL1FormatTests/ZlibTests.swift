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

    @Test("a code's compression (fixed codes, LZ77) inflates back through zlib, whatever the bytes")
    func codeCompression() throws {
        var seed: UInt64 = 42
        func random(_ count: Int) -> [UInt8] {
            (0..<count).map { _ in
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: seed >> 56)
            }
        }
        let period = random(30_000), window = random(32_768), beyond = random(32_769)
        let inputs: [[UInt8]] = [
            [], [0], [255, 1], [1, 2, 3], Array(0...255), Array(repeating: 0x41, count: 4), random(371), random(40_000),
            // Runs (distance 1, the longest length 258, every length's extra bits), text with repeats,
            // a period of 30,000, one of exactly the window (distance 32,768: the largest a
            // stream may hold) and one a byte beyond it (which must not be matched), each within a code's 64 KiB.
            [UInt8](repeating: 0, count: Zlib.codeLimit), (3...300).flatMap { [UInt8](repeating: UInt8($0 % 251), count: $0) },
            Array(String(repeating: "category C1 2020-05-01; category C2 2021-06-30; ", count: 40).utf8),
            period + period + Array(period.prefix(5000)), window + window, beyond + Array(beyond.prefix(32_767)),
        ]
        for input in inputs {
            let compressed = Zlib.compressCode(input)
            #expect(try Zlib.decompress(compressed, limit: 200_000) == input, "\(input.count) bytes")
        }
        // A repeat at exactly the window's distance is used; one a byte farther cannot be.
        #expect(Zlib.compressCode(window + window).count < 32_768 * 9 / 8 + 100)
        #expect(Zlib.compressCode(beyond + Array(beyond.prefix(32_767))).count > 60_000)
        // Repeats are found. 65,536 zeros: block header (3 bits), one literal (8), 254 matches of
        // 258 at distance 1 (13 bits each), one of 3 (12), end of block (7): 3,332 bits, 417
        // bytes, between the zlib header and the Adler-32.
        #expect(Zlib.compressCode([UInt8](repeating: 0, count: Zlib.codeLimit)).count == 2 + 417 + 4)
    }
}
