/// A calendar date without a time zone, counted in days since 1970-01-01 (RFC 8943 tag 100).
///
/// Licence dates are days, not instants: "today" is always the verification time's calendar
/// date in UTC (FORMAT §5.6).
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative for earlier dates).
    public let daysSinceEpoch: Int64

    /// The CBOR tag for a date as a day count (RFC 8943).
    public static let cborTag: UInt64 = 100

    /// A date from its day count.
    public init(daysSinceEpoch: Int64) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// A date from year, month and day, or nil when no such date exists.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...31).contains(day), (-9999...9999).contains(year) else { return nil }
        let days = Self.daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        let back = Self.civilFromDays(days)
        guard back.year == Int64(year), back.month == Int64(month), back.day == Int64(day) else { return nil }
        self.daysSinceEpoch = days
    }

    /// Parses `YYYY-MM-DD`; nil for any other form or an impossible date (e.g. 2023-02-29).
    public init?(iso8601 text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The UTC calendar date of an instant given in seconds since the Unix epoch.
    public init(utcDayOf secondsSinceEpoch: Int64) {
        // Floor division, written so that no value (Int64.min included) can overflow.
        let (quotient, remainder) = secondsSinceEpoch.quotientAndRemainder(dividingBy: 86_400)
        self.daysSinceEpoch = remainder < 0 ? quotient - 1 : quotient
    }

    /// Year, month and day.
    public var components: (year: Int, month: Int, day: Int) {
        let c = Self.civilFromDays(daysSinceEpoch)
        return (Int(c.year), Int(c.month), Int(c.day))
    }

    /// The first second of this day in UTC, as seconds since the Unix epoch.
    public var startOfDayUTC: Int64 {
        let (value, overflow) = daysSinceEpoch.multipliedReportingOverflow(by: 86_400)
        return overflow ? (daysSinceEpoch < 0 ? .min : .max) : value
    }

    /// The date `days` later.
    public func adding(days: Int64) -> CalendarDate { CalendarDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// `YYYY-MM-DD`.
    public var description: String {
        let c = components
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(abs(v))
            return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    /// The date as CBOR: `100(days)`.
    public var cbor: CBOR { .tagged(Self.cborTag, .int(daysSinceEpoch)) }

    /// Reads `100(days)`; nil for anything else.
    public init?(cbor: CBOR) {
        guard case .tagged(Self.cborTag, let inner) = cbor, let days = inner.int64,
              (-3_000_000...3_000_000).contains(days) else { return nil }
        self.daysSinceEpoch = days
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
