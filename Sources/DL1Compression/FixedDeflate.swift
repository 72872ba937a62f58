/// Compresses a code's few hundred bytes into a zlib stream (RFC 1950) holding one final DEFLATE
/// block with the fixed Huffman codes (RFC 1951 §3.2.6), LZ77 matches found through hash chains.
///
/// Why not zlib's `deflate`: a code is a COSE_Sign1 of about 370 bytes, most of them a signature,
/// a credential id and a portrait hash, which no Huffman code shrinks. zlib still builds and
/// sorts its dynamic trees for every call, and that cost (about 150,000 instructions) was 60% of
/// the ECDSA signature it compresses. The matches carry what little compression there is (dates,
/// repeated category strings, map keys), and fixed codes give within a byte of zlib's level 9 on
/// the published vectors (the tests hold it to that) at a tenth of the cost. Any inflater reads
/// the result; large data with real redundancy (status lists, PNG rasters) goes through
/// ``Zlib/compress(_:level:)``.
enum FixedDeflate {
    /// The zlib stream of `input`.
    static func zlib(_ input: [UInt8]) -> [UInt8] {
        var out = BitWriter(capacity: input.count + input.count / 8 + 16)
        // CMF: deflate with a 32 KiB window; FLG: level "maximum", check bits so that
        // CMF·256 + FLG is a multiple of 31.
        out.bytes.append(0x78)
        out.bytes.append(0xDA)
        out.write(0b011, count: 3)  // BFINAL = 1, BTYPE = 01 (fixed codes), least significant first
        var matcher = Matcher(input)
        var i = 0
        while i < input.count {
            let match = matcher.longest(at: i)
            matcher.insert(i)
            // Lazy matching, as zlib's slower levels do: a longer match one byte on wins.
            guard match.length > 0, matcher.longest(at: i + 1).length <= match.length else {
                out.literal(input[i])
                i += 1
                continue
            }
            for k in 1..<match.length { matcher.insert(i + k) }
            out.match(length: match.length, distance: match.distance)
            i += match.length
        }
        out.symbol(256)  // end of block
        out.flushToByte()
        let adler = adler32(input)
        for shift in stride(from: 24, through: 0, by: -8) { out.bytes.append(UInt8(truncatingIfNeeded: adler >> UInt32(shift))) }
        return out.bytes
    }

    /// Adler-32 (RFC 1950 §8.2), summed in runs short enough that 32 bits cannot overflow.
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + 5552)
            for i in start..<end {
                a &+= UInt32(bytes[i])
                b &+= a
            }
            a %= 65_521
            b %= 65_521
            start = end
        }
        return b << 16 | a
    }

    /// A back-reference: `length` bytes copied from `distance` bytes back.
    struct Match {
        var length: Int, distance: Int
        static let none = Match(length: 0, distance: 0)
    }

    /// Hash chains over every 3-byte sequence seen so far.
    struct Matcher {
        static let hashBits: UInt32 = 10
        /// Candidates looked at per position (zlib's level 9 looks at up to 4,096; a code's chains
        /// are a few entries long).
        static let maxChain = 64
        static let maxDistance = 32_768, minLength = 3, maxLength = 258

        let input: [UInt8]
        /// The hash of the three bytes at each position (all but the last two), computed once.
        let hashes: [Int]
        /// The latest position of each hash, and each position's previous one with the same hash.
        var head: [Int32]
        var previous: [Int32]

        init(_ input: [UInt8]) {
            self.input = input
            hashes = input.count < Self.minLength ? [] : (0...input.count - Self.minLength).map { i in
                let key = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                return Int((key &* 2_654_435_761) >> (32 - Self.hashBits))
            }
            head = [Int32](repeating: -1, count: 1 << Int(Self.hashBits))
            previous = [Int32](repeating: -1, count: input.count)
        }

        @inline(__always)
        mutating func insert(_ i: Int) {
            guard i < hashes.count else { return }
            let h = hashes[i]
            previous[i] = head[h]
            head[h] = Int32(i)
        }

        /// The longest earlier match at `i` that costs fewer bits than its bytes as literals.
        func longest(at i: Int) -> Match {
            let limit = min(Self.maxLength, input.count - i)
            guard limit >= Self.minLength else { return .none }
            var best = Match.none
            var candidate = Int(head[hashes[i]])
            var chain = Self.maxChain
            while candidate >= 0, chain > 0, i - candidate <= Self.maxDistance {
                chain -= 1
                if input[candidate + best.length] == input[i + best.length] || best.length == 0 {
                    var length = 0
                    while length < limit, input[candidate + length] == input[i + length] { length += 1 }
                    if length > best.length {
                        best = Match(length: length, distance: i - candidate)
                        if length == limit { break }
                    }
                }
                candidate = Int(previous[candidate])
            }
            guard best.length >= Self.minLength else { return .none }
            var literalBits = 0
            for k in 0..<best.length { literalBits += input[i + k] < 144 ? 8 : 9 }
            return FixedCodes.matchBits(length: best.length, distance: best.distance) < literalBits ? best : .none
        }
    }

    /// RFC 1951 §3.2.5–3.2.6: the fixed literal/length and distance codes, and the extra bits.
    enum FixedCodes {
        static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
        static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                                          4097, 6145, 8193, 12_289, 16_385, 24_577]
        static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

        /// Each literal/length symbol's code, bit-reversed (DEFLATE sends Huffman codes most
        /// significant bit first into a least-significant-first stream), and its length.
        static let symbols: [(code: UInt32, bits: Int)] = (0..<288).map { symbol in
            let (code, bits): (Int, Int) = switch symbol {
            case 0..<144: (0x30 + symbol, 8)
            case 144..<256: (0x190 + symbol - 144, 9)
            case 256..<280: (symbol - 256, 7)
            default: (0xC0 + symbol - 280, 8)
            }
            return (reversed(UInt32(code), bits: bits), bits)
        }

        static func reversed(_ code: UInt32, bits: Int) -> UInt32 {
            var result: UInt32 = 0
            for k in 0..<bits where code & (1 << UInt32(k)) != 0 { result |= 1 << UInt32(bits - 1 - k) }
            return result
        }

        /// The index of the last base not above `value`.
        static func slot(_ value: Int, in bases: [Int]) -> Int {
            var slot = bases.count - 1
            while bases[slot] > value { slot -= 1 }
            return slot
        }

        static func matchBits(length: Int, distance: Int) -> Int {
            let l = slot(length, in: lengthBase), d = slot(distance, in: distanceBase)
            return symbols[257 + l].bits + lengthExtra[l] + 5 + distanceExtra[d]
        }
    }

    /// Bits packed least significant first.
    struct BitWriter {
        var bytes: [UInt8] = []
        var buffer: UInt64 = 0
        var count = 0
        /// The code table, held here so the loop does not go through the global's accessor.
        let symbols = FixedCodes.symbols

        init(capacity: Int) { bytes.reserveCapacity(capacity) }

        @inline(__always)
        mutating func write(_ value: UInt32, count bits: Int) {
            buffer |= UInt64(value) << UInt64(count)
            count += bits
            while count >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: buffer))
                buffer >>= 8
                count -= 8
            }
        }

        mutating func symbol(_ symbol: Int) {
            let code = symbols[symbol]
            write(code.code, count: code.bits)
        }

        mutating func literal(_ byte: UInt8) { symbol(Int(byte)) }

        mutating func match(length: Int, distance: Int) {
            let l = FixedCodes.slot(length, in: FixedCodes.lengthBase)
            symbol(257 + l)
            if FixedCodes.lengthExtra[l] > 0 { write(UInt32(length - FixedCodes.lengthBase[l]), count: FixedCodes.lengthExtra[l]) }
            let d = FixedCodes.slot(distance, in: FixedCodes.distanceBase)
            write(FixedCodes.reversed(UInt32(d), bits: 5), count: 5)
            if FixedCodes.distanceExtra[d] > 0 { write(UInt32(distance - FixedCodes.distanceBase[d]), count: FixedCodes.distanceExtra[d]) }
        }

        mutating func flushToByte() {
            if count > 0 { write(0, count: 8 - count) }
        }
    }
}
