import DL1QREncode
import DL1Raster
import DL1Scanner
import DL1TestSupport
import Testing

/// The numeric/alphanumeric split of a code's text: exact against an independent quadratic search, and
/// read back by zbar byte for byte.
@Suite("QR segments: the cheapest numeric/alphanumeric split")
struct QRSegmentsTests {
    /// The bits of one segment of `length` characters, as ISO/IEC 18004 counts them.
    static func segmentBits(_ mode: QRSegments.Mode, _ length: Int, countBits: Int) -> Int {
        switch mode {
        case .numeric: 4 + countBits + 10 * (length / 3) + [0, 4, 7][length % 3]
        case .alphanumeric: 4 + countBits + 11 * (length / 2) + 6 * (length % 2)
        }
    }

    /// The fewest bits over every way of cutting `text` into segments, each piece in the cheaper
    /// of the modes it may take: a quadratic search over the end of the last piece, written
    /// independently of the linear one it checks.
    static func reference(_ text: [UInt8], numericCount: Int, alphanumericCount: Int) -> Int {
        let n = text.count
        var best = [Int](repeating: .max, count: n + 1)
        best[0] = 0
        for end in 1...n {
            for start in 0..<end {
                let piece = text[start..<end]
                var cost = segmentBits(.alphanumeric, piece.count, countBits: alphanumericCount)
                if piece.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                    cost = min(cost, segmentBits(.numeric, piece.count, countBits: numericCount))
                }
                best[end] = min(best[end], best[start] + cost)
            }
        }
        return best[n]
    }

    /// A text of `length` characters made of runs: letters and symbols, and runs of digits of
    /// every length from 1 to 40 (so that digit runs inside the text get segments of their own).
    static func runs(_ generator: inout SplitMix, length: Int) -> [UInt8] {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8), digits = Array("0123456789".utf8)
        var text: [UInt8] = []
        while text.count < length {
            let digitRun = generator.next() % 2 == 0
            let run = 1 + Int(generator.next() % (digitRun ? 40 : 12))
            for _ in 0..<run { text.append(digitRun ? digits[Int(generator.next() % 10)] : letters[Int(generator.next() % 35)]) }
        }
        return Array(text.prefix(length))
    }

    @Test("the split is as cheap as the best of every possible split (300 texts of 1 to 200 characters with digit runs, each version class)")
    func exact() {
        var generator = SplitMix(seed: 7)
        var interiorNumeric = 0
        for round in 0..<300 {
            let text = Self.runs(&generator, length: 1 + (round * 37) % 200)
            for (versionClass, widths) in [(QRSegments.VersionClass.small, (10, 9)), (.medium, (12, 11)), (.large, (14, 13))] {
                let plan = QRSegments(text, for: versionClass)!
                let reference = Self.reference(text, numericCount: widths.0, alphanumericCount: widths.1)
                #expect(plan.bits == reference, "\(String(decoding: text, as: UTF8.self)) \(versionClass)")
                // The segments cover the text in order and add up to the bits claimed.
                #expect(plan.segments.first?.range.lowerBound == 0 && plan.segments.last?.range.upperBound == text.count)
                #expect(zip(plan.segments, plan.segments.dropFirst()).allSatisfy { $0.range.upperBound == $1.range.lowerBound })
                let counted = plan.segments.reduce(0) {
                    $0 + Self.segmentBits($1.mode, $1.range.count, countBits: $1.mode == .numeric ? widths.0 : widths.1)
                }
                #expect(counted == plan.bits)
                interiorNumeric += plan.segments.dropFirst().dropLast().filter { $0.mode == .numeric }.count
            }
        }
        // The texts did exercise numeric segments between alphanumeric ones.
        #expect(interiorNumeric > 100)
    }

    @Test("a short run of digits stays inside the alphanumeric segment; a long one gets its own")
    func runs() {
        let short = Array("DL1:AB123CD".utf8)
        #expect(QRSegments(short, for: .medium)!.segments.map(\.mode) == [.alphanumeric])
        let long = Array("DL1:AB\(String(repeating: "7", count: 20))CD".utf8)
        let plan = QRSegments(long, for: .medium)!
        #expect(plan.segments.map(\.mode) == [.alphanumeric, .numeric, .alphanumeric])
        #expect(plan.segments[1].range == 6..<26)
    }

    @Test("text outside the alphanumeric set (lower case, a line end) or empty has no plan")
    func refusals() {
        #expect(QRSegments(Array("DL1:abc".utf8), for: .small) == nil)
        #expect(QRSegments(Array("DL1:AB\n".utf8), for: .small) == nil)
        #expect(QRSegments([], for: .small) == nil)
    }

    @Test("a code made from the optimal split (numeric segments among alphanumeric ones) is read back by zbar byte for byte, never in a larger version than libqrencode's split")
    func readBack() throws {
        var generator = SplitMix(seed: 11)
        for length in [40, 300, 700] {
            let text = "DL1:" + String(decoding: Self.runs(&generator, length: length), as: UTF8.self)
            #expect(QRSegments(Array(text.utf8), for: .medium)!.segments.contains { $0.mode == .numeric })
            for level in [QRCodeMatrix.ErrorCorrection.low, .medium, .quartile] {
                let optimal = try QRCodeMatrix(encoding: text, errorCorrection: level)
                let heuristic = try QRCodeMatrix(encoding: text, errorCorrection: level, segmentation: .libqrencode)
                #expect(optimal.version <= heuristic.version, "\(length) \(level)")
                let read = QRScanner().scan(QRRenderer(matrix: optimal).image(scale: 3))
                #expect(read == [Array(text.utf8)], "\(length) \(level)")
            }
        }
    }
}
