/// Durations as commands take them: `24h`, `90m`, `7d`, `3600s` or `3600` (seconds).
public enum DurationText {
    /// The seconds, or nil when the text is not a positive duration of at most 100 years.
    public static func seconds(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var digits = text
        var unit: Int64 = 1
        if let last = text.last, let u = units[last] { unit = u; digits.removeLast() }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let n = Int64(digits), n > 0, n <= 100 * 366 * 86_400 / unit else { return nil }
        return n * unit
    }
}
