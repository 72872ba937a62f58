/// The cheapest split of a text into QR numeric and alphanumeric segments (ISO/IEC 18004 §7.4),
/// for texts wholly in the alphanumeric set, as DL1 and DL2 codes are (FORMAT §1.1).
///
/// A numeric segment costs 10 bits per three digits and an alphanumeric one 11 bits per two
/// characters, but each segment pays a 4-bit mode and a character count whose width depends on
/// the version. So a run of digits is worth its own segment only when it is long enough, and
/// how long depends on its neighbours: the split is found exactly, by dynamic programming one
/// character at a time, once for each of the three count-width classes of versions.
public struct QRSegments: Sendable, Hashable {
    /// How a segment's characters are coded.
    public enum Mode: Sendable, Hashable {
        /// Digits only: 10 bits per 3 (7 for a final 2, 4 for a final 1).
        case numeric
        /// The 45 characters `0-9A-Z $%*+-./:`: 11 bits per 2 (6 for a final 1).
        case alphanumeric
    }

    /// One segment: its mode and the range of the text's bytes it covers.
    public struct Segment: Sendable, Hashable {
        public let mode: Mode
        public let range: Range<Int>
    }

    /// The versions whose character-count indicators are equally wide.
    public enum VersionClass: Sendable, CaseIterable {
        /// Versions 1–9.
        case small
        /// Versions 10–26.
        case medium
        /// Versions 27–40.
        case large

        /// The width in bits of a segment's character count.
        func countBits(_ mode: Mode) -> Int {
            switch (self, mode) {
            case (.small, .numeric): 10
            case (.small, .alphanumeric): 9
            case (.medium, .numeric): 12
            case (.medium, .alphanumeric): 11
            case (.large, .numeric): 14
            case (.large, .alphanumeric): 13
            }
        }

        /// The class of `version` (1–40).
        public init(version: Int) {
            self = version <= 9 ? .small : version <= 26 ? .medium : .large
        }
    }

    /// The segments, in order, covering the whole text.
    public let segments: [Segment]
    /// The bits they take in the symbol's data (mode indicators, counts and data).
    public let bits: Int

    /// Whether every byte of `text` is in the QR alphanumeric set.
    public static func isAlphanumeric(_ text: some Collection<UInt8>) -> Bool {
        text.allSatisfy(isAlphanumericByte)
    }

    /// The cheapest segments for `text` (bytes of the alphanumeric set) in versions of `versionClass`,
    /// or nil when `text` is empty or holds a byte outside the alphanumeric set.
    public init?(_ text: [UInt8], for versionClass: VersionClass) {
        guard !text.isEmpty, Self.isAlphanumeric(text) else { return nil }
        // Exact bits, one character at a time: an alphanumeric pair costs 6 + 5 bits (6 for a
        // final single), a numeric triple 4 + 3 + 3 (4 for a final single, 7 for a final pair).
        // So a state is the current segment's mode and its length so far modulo 2 or 3; a new
        // segment pays its mode indicator and count first. Linear in the text's length.
        let states: [(mode: Mode, phase: Int)] = [(.alphanumeric, 0), (.alphanumeric, 1), (.numeric, 0), (.numeric, 1), (.numeric, 2)]
        let header: [Mode: Int] = [.numeric: 4 + versionClass.countBits(.numeric), .alphanumeric: 4 + versionClass.countBits(.alphanumeric)]
        func stateIndex(_ mode: Mode, _ phase: Int) -> Int { mode == .alphanumeric ? phase : 2 + phase }
        // The bits a character adds to a segment whose length so far has `phase`.
        func step(_ mode: Mode, _ phase: Int) -> (bits: Int, next: Int) {
            switch mode {
            case .alphanumeric: return phase == 0 ? (6, 1) : (5, 0)
            case .numeric: return phase == 0 ? (4, 1) : phase == 1 ? (3, 2) : (3, 0)
            }
        }
        let count = text.count
        let unreachable = Int.max / 2
        // cost[i][s]: fewest bits for text[..<i] ending in state s; back[i][s]: the state before,
        // or -1 when text[i-1] began a new segment (then start[i][s] is the previous end state).
        var cost = [[Int]](repeating: [Int](repeating: unreachable, count: states.count), count: count + 1)
        var back = [[Int]](repeating: [Int](repeating: -1, count: states.count), count: count + 1)
        var opened = [[Bool]](repeating: [Bool](repeating: false, count: states.count), count: count + 1)
        for i in 0..<count {
            let digit = Self.isDigit(text[i])
            let best = i == 0 ? (0, -1) : (0..<states.count).map { (cost[i][$0], $0) }.min { $0.0 < $1.0 }!
            for mode in [Mode.alphanumeric, .numeric] where mode == .alphanumeric || digit {
                // Open a new segment of `mode` after the cheapest way to reach i.
                let (bits, next) = step(mode, 0)
                let target = stateIndex(mode, next)
                let opening = best.0 + header[mode]! + bits
                if opening < cost[i + 1][target] { cost[i + 1][target] = opening; back[i + 1][target] = best.1; opened[i + 1][target] = true }
                // Or go on with a segment of `mode` already open.
                guard i > 0 else { continue }
                for phase in 0..<(mode == .alphanumeric ? 2 : 3) {
                    let current = stateIndex(mode, phase)
                    guard cost[i][current] < unreachable else { continue }
                    let (more, after) = step(mode, phase)
                    let target = stateIndex(mode, after)
                    if cost[i][current] + more < cost[i + 1][target] {
                        cost[i + 1][target] = cost[i][current] + more; back[i + 1][target] = current; opened[i + 1][target] = false
                    }
                }
            }
        }
        var state = (0..<states.count).min { cost[count][$0] < cost[count][$1] }!
        self.bits = cost[count][state]
        var segments: [Segment] = []
        var end = count, position = count
        while position > 0 {
            let previous = back[position][state]
            if opened[position][state] {
                segments.append(Segment(mode: states[state].mode, range: (position - 1)..<end))
                end = position - 1
            }
            state = previous
            position -= 1
        }
        self.segments = segments.reversed()
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isAlphanumericByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x20, 0x24, 0x25, 0x2A, 0x2B, 0x2D, 0x2E, 0x2F, 0x3A: true
        default: false
        }
    }
}
