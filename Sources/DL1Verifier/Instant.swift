import DL1Format

/// Instants as FORMAT §5 shows them: ISO 8601 UTC with `Z`.
public enum Instant {
    /// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the epoch.
    public static func iso(_ seconds: Int64) -> String {
        let day = CalendarDate(utcDayOf: seconds)
        let remainder = seconds % 86_400
        let secondOfDay = Int(remainder < 0 ? remainder + 86_400 : remainder)
        let date = day.components
        guard (0...9999).contains(date.year) else {
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            return "\(day)T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
        }
        // Four-digit years (every instant a code or list holds): the 20 characters written
        // straight into one buffer (a JSON answer holds up to seven instants).
        var text: [UInt8] = Array("0000-00-00T00:00:00Z".utf8)
        func put(_ value: Int, at end: Int, width: Int) {
            var v = value
            for i in stride(from: end, to: end - width, by: -1) {
                text[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(date.year, at: 3, width: 4)
        put(date.month, at: 6, width: 2)
        put(date.day, at: 9, width: 2)
        put(secondOfDay / 3600, at: 12, width: 2)
        put(secondOfDay / 60 % 60, at: 15, width: 2)
        put(secondOfDay % 60, at: 18, width: 2)
        return String(decoding: text, as: UTF8.self)
    }

    /// Parses ISO 8601 with `Z` or a `±HH:MM` offset (`YYYY-MM-DDTHH:MM[:SS][.fff](Z|±HH:MM)`);
    /// nil for anything else.
    public static func parse(_ text: String) -> Int64? {
        let chars = Array(text.utf8)
        guard chars.count >= 17, let date = CalendarDate(iso8601: String(decoding: chars[0..<10], as: UTF8.self)),
              chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " ") else { return nil }
        var rest = Array(chars[11...])
        var offset: Int64 = 0
        if rest.last == UInt8(ascii: "Z") || rest.last == UInt8(ascii: "z") {
            rest.removeLast()
        } else {
            guard rest.count >= 6 else { return nil }
            let zone = Array(rest.suffix(6))
            guard zone[0] == UInt8(ascii: "+") || zone[0] == UInt8(ascii: "-"), zone[3] == UInt8(ascii: ":"),
                  let h = number(zone[1..<3]), let m = number(zone[4..<6]), h <= 23, m <= 59 else { return nil }
            offset = (h * 3600 + m * 60) * (zone[0] == UInt8(ascii: "-") ? -1 : 1)
            rest.removeLast(6)
        }
        if let dot = rest.firstIndex(of: UInt8(ascii: ".")) {
            guard dot + 1 < rest.count, rest[(dot + 1)...].allSatisfy({ (48...57).contains($0) }) else { return nil }
            rest = Array(rest[..<dot])
        }
        let fields = rest.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard fields.count == 2 || fields.count == 3, fields.allSatisfy({ $0.count == 2 }),
              let h = number(fields[0]), let m = number(fields[1]), h <= 23, m <= 59 else { return nil }
        let s = fields.count == 3 ? number(fields[2]) : 0
        guard let s, s <= 60 else { return nil }
        return date.startOfDayUTC + h * 3600 + m * 60 + s - offset
    }

    private static func number(_ digits: some Collection<UInt8>) -> Int64? {
        guard !digits.isEmpty, digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int64($1 - 48) }
    }
}
