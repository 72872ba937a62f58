/// Remembers which codes are in view, by their bytes and the last frame that showed them.
struct CodeWatcher {
    let forgetAfter: Int
    private var lastSeen: [[UInt8]: Int] = [:]

    init(forgetAfter: Int) { self.forgetAfter = forgetAfter }

    /// How many codes are remembered (bounded: see ``newCodes(_:frame:)``).
    var rememberedCount: Int { lastSeen.count }

    /// The codes of frame `frame` that were not in view during the last `forgetAfter` frames.
    mutating func newCodes(_ codes: [[UInt8]], frame: Int) -> [[UInt8]] {
        var fresh: [[UInt8]] = []
        for code in codes {
            if let seen = lastSeen[code], frame - seen <= forgetAfter {} else if !fresh.contains(code) { fresh.append(code) }
            lastSeen[code] = frame
        }
        // Bounded memory on a long shift: forget codes long out of view.
        if lastSeen.count > 256 { lastSeen = lastSeen.filter { frame - $0.value <= forgetAfter } }
        return fresh
    }
}
