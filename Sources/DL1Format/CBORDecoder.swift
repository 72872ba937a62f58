/// A strict CBOR decoder: definite lengths only, bounded nesting, lengths checked against the
/// bytes actually present before anything is allocated, valid UTF-8, no duplicate map keys and
/// (through ``decode(_:)``) no trailing bytes.
///
/// It accepts any well-formed definite-length encoding (not only the deterministic one),
/// because signatures are verified over the bytes as received, never over a re-encoding.
public struct CBORDecoder: Sendable {
    /// The deepest nesting of arrays, maps and tags accepted.
    public var maxDepth: Int

    /// The most items (of any kind, at any depth) one document may hold: each decoded item
    /// takes memory, so a document of one-byte items is bounded by count, not only by size.
    public var maxItems: Int

    /// A decoder that accepts nesting up to `maxDepth` levels and up to `maxItems` items.
    public init(maxDepth: Int = 32, maxItems: Int = 1_000_000) {
        self.maxDepth = maxDepth
        self.maxItems = maxItems
    }

    /// Decodes exactly one item that spans the whole input.
    public func decode(_ bytes: some Collection<UInt8>) throws(CBORError) -> CBOR {
        let data = Array(bytes)
        var reader = Reader(data: data, maxDepth: maxDepth, maxItems: maxItems)
        let item = try reader.item(depth: 0)
        guard reader.position == data.count else { throw CBORError(.trailingBytes, at: reader.position) }
        return item
    }

    /// Decodes one item from the start of the input and returns how many bytes it used.
    public func decodePrefix(_ bytes: [UInt8]) throws(CBORError) -> (item: CBOR, length: Int) {
        var reader = Reader(data: bytes, maxDepth: maxDepth, maxItems: maxItems)
        let item = try reader.item(depth: 0)
        return (item, reader.position)
    }

    private struct Reader {
        let data: [UInt8]
        let maxDepth: Int
        var position = 0
        /// Items still allowed.
        var itemsLeft: Int

        init(data: [UInt8], maxDepth: Int, maxItems: Int) {
            self.data = data
            self.maxDepth = maxDepth
            self.itemsLeft = maxItems
        }

        var remaining: Int { data.count - position }

        mutating func byte() throws(CBORError) -> UInt8 {
            guard position < data.count else { throw CBORError(.truncated, at: position) }
            defer { position += 1 }
            return data[position]
        }

        mutating func bigEndian(_ count: Int) throws(CBORError) -> UInt64 {
            guard remaining >= count else { throw CBORError(.truncated, at: position) }
            var value: UInt64 = 0
            for i in 0..<count { value = value << 8 | UInt64(data[position + i]) }
            position += count
            return value
        }

        /// Reads the argument of an initial byte; nil means indefinite length (info 31).
        mutating func argument(_ info: UInt8, start: Int) throws(CBORError) -> UInt64? {
            switch info {
            case 0..<24: return UInt64(info)
            case 24: return try bigEndian(1)
            case 25: return try bigEndian(2)
            case 26: return try bigEndian(4)
            case 27: return try bigEndian(8)
            case 31: return nil
            default: throw CBORError(.reservedAdditionalInfo, at: start)
            }
        }

        mutating func definiteArgument(_ info: UInt8, start: Int) throws(CBORError) -> UInt64 {
            guard let n = try argument(info, start: start) else { throw CBORError(.indefiniteLength, at: start) }
            return n
        }

        /// A length or count, bounded by what the input can still hold (each element needs at
        /// least `unit` bytes), so a hostile length never triggers a large allocation.
        mutating func length(_ info: UInt8, start: Int, unit: Int) throws(CBORError) -> Int {
            let n = try definiteArgument(info, start: start)
            guard n <= UInt64(remaining / unit) else { throw CBORError(.lengthTooLarge, at: start) }
            return Int(n)
        }

        mutating func take(_ count: Int) -> [UInt8] {
            defer { position += count }
            return Array(data[position..<position + count])
        }

        mutating func item(depth: Int) throws(CBORError) -> CBOR {
            let start = position
            guard depth <= maxDepth else { throw CBORError(.nestingTooDeep, at: start) }
            guard itemsLeft > 0 else { throw CBORError(.tooManyItems, at: start) }
            itemsLeft -= 1
            let initial = try byte()
            let major = initial >> 5
            let info = initial & 0x1f
            switch major {
            case 0:
                return .unsigned(try definiteArgument(info, start: start))
            case 1:
                return .negative(try definiteArgument(info, start: start))
            case 2:
                let n = try length(info, start: start, unit: 1)
                return .bytes(take(n))
            case 3:
                let n = try length(info, start: start, unit: 1)
                // Validated straight from the input, without a copy of the bytes first.
                guard let text = String(validating: data[position..<position + n], as: UTF8.self) else { throw CBORError(.invalidUTF8, at: start) }
                position += n
                return .text(text)
            case 4:
                let n = try length(info, start: start, unit: 1)
                var items: [CBOR] = []
                // A count is only bounded by the bytes left: reserve for the common case, not
                // for what a hostile head claims (at every level of nesting at once).
                items.reserveCapacity(min(n, 1024))
                for _ in 0..<n { items.append(try item(depth: depth + 1)) }
                return .array(items)
            case 5:
                let n = try length(info, start: start, unit: 2)
                var entries: [CBORMapEntry] = []
                entries.reserveCapacity(min(n, 1024))
                // Small maps (all of DL1's) are checked for duplicate keys by comparison; large
                // ones through a set, so a hostile map cannot make the check quadratic.
                var seen = n > 16 ? Set<CBOR>() : nil
                for _ in 0..<n {
                    let keyStart = position
                    let key = try item(depth: depth + 1)
                    if seen != nil {
                        guard seen!.insert(key).inserted else { throw CBORError(.duplicateMapKey, at: keyStart) }
                    } else if entries.contains(where: { $0.key == key }) {
                        throw CBORError(.duplicateMapKey, at: keyStart)
                    }
                    entries.append(CBORMapEntry(key, try item(depth: depth + 1)))
                }
                return .map(entries)
            case 6:
                let tag = try definiteArgument(info, start: start)
                return .tagged(tag, try item(depth: depth + 1))
            default:
                return try simpleOrFloat(info, start: start)
            }
        }

        mutating func simpleOrFloat(_ info: UInt8, start: Int) throws(CBORError) -> CBOR {
            switch info {
            case 20: return .bool(false)
            case 21: return .bool(true)
            case 22: return .null
            case 23: return .undefined
            case 24:
                let value = try byte()
                guard value >= 32 else { throw CBORError(.invalidSimpleValue, at: start) }
                return .simple(value)
            case 25: return .float(Double(Float16Bits.toDouble(UInt16(try bigEndian(2)))))
            case 26: return .float(Double(Float(bitPattern: UInt32(try bigEndian(4)))))
            case 27: return .float(Double(bitPattern: try bigEndian(8)))
            case 31: throw CBORError(.indefiniteLength, at: start)
            case 28...30: throw CBORError(.reservedAdditionalInfo, at: start)
            default: return .simple(info)
            }
        }
    }
}

/// IEEE 754 half-precision conversions, done by hand so they behave the same on every platform.
enum Float16Bits {
    static func toDouble(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1f)
        let mantissa = Double(bits & 0x3ff)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// The half-precision bits of `value` when the conversion is exact, else nil.
    static func exact(_ value: Double) -> UInt16? {
        if value.isNaN { return 0x7e00 }
        let sign: UInt16 = value.sign == .minus ? 0x8000 : 0
        if value.isInfinite { return sign | 0x7c00 }
        if value == 0 { return sign }
        let magnitude = abs(value)
        // Subnormal halves: multiples of 2^-24 below 2^-14.
        if magnitude < 0x1p-14 {
            let scaled = magnitude * 0x1p24
            guard scaled == scaled.rounded(), scaled < 1024 else { return nil }
            return sign | UInt16(scaled)
        }
        let exponent = magnitude.exponent
        guard exponent <= 15 else { return nil }
        let fraction = (magnitude.significand - 1) * 1024
        guard fraction == fraction.rounded() else { return nil }
        return sign | UInt16(exponent + 15) << 10 | UInt16(fraction)
    }
}
