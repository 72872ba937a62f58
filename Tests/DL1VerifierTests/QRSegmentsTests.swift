import DL1QREncode
import DL1Raster
import DL1Scanner
import DL1TestSupport
import Testing

/// The numeric/alphanumeric split of a code's text: exact against an exhaustive search, and
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

    /// The fewest bits over every way of cutting `text` into segments (2^(n-1) cuts, each piece
    /// in every mode it may take): the reference the linear search must equal.
    static func exhaustive(_ text: [UInt8], numericCount: Int, alphanumericCount: Int) -> Int {
        let n = text.count
        var best = Int.max
        for cuts in 0..<(1 << (n - 1)) {
            var total = 0, start = 0
            for end in 1...n where end == n || cuts & (1 << (end - 1)) != 0 {
                let piece = text[start..<end]
                var cost = segmentBits(.alphanumeric, piece.count, countBits: alphanumericCount)
                if piece.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                    cost = min(cost, segmentBits(.numeric, piece.count, countBits: numericCount))
                }
                total += cost
                start = end
            }
            best = min(best, total)
        }
        return best
    }

    @Test("the split is as cheap as the best of every possible split (400 random texts, each version class)")
    func exact() {
        var generator = SplitMix(seed: 7)
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)
        for round in 0..<400 {
            let length = 1 + round % 13
            // Mostly digits, so that numeric runs of every length come up.
            let text = (0..<length).map { _ in generator.next() % 3 == 0 ? alphabet[Int(generator.next() % 45)] : alphabet[Int(generator.next() % 10)] }
            for (versionClass, widths) in [(QRSegments.VersionClass.small, (10, 9)), (.medium, (12, 11)), (.large, (14, 13))] {
                let plan = QRSegments(text, for: versionClass)!
                let reference = Self.exhaustive(text, numericCount: widths.0, alphanumericCount: widths.1)
                #expect(plan.bits == reference, "\(String(decoding: text, as: UTF8.self)) \(versionClass)")
                // The segments cover the text in order and add up to the bits claimed.
                #expect(plan.segments.first?.range.lowerBound == 0 && plan.segments.last?.range.upperBound == text.count)
                #expect(zip(plan.segments, plan.segments.dropFirst()).allSatisfy { $0.range.upperBound == $1.range.lowerBound })
                let counted = plan.segments.reduce(0) {
                    $0 + Self.segmentBits($1.mode, $1.range.count, countBits: $1.mode == .numeric ? widths.0 : widths.1)
                }
                #expect(counted == plan.bits)
            }
        }
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

    @Test("a code made from the optimal split is read back by zbar byte for byte, never in a larger version than libqrencode's split")
    func readBack() throws {
        var generator = SplitMix(seed: 11)
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)
        for length in [40, 300, 700] {
            let text = "DL1:" + String(decoding: (0..<length).map { _ in alphabet[Int(generator.next() % 45)] }, as: UTF8.self)
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
