/// A CBOR data item (RFC 8949), as the DL1 format uses it.
///
/// The value is a plain tree: decoding builds it from bytes (``CBORDecoder``), encoding writes it
/// back with core deterministic encoding (``CBOREncoder``). Maps keep their entries in the order
/// they were read, so that a decoded item can be shown as received; the encoder sorts them.
///
/// Only a tag's content is boxed (`indirect`): arrays and maps already hold their items in an
/// array's storage, so integers, strings and the rest live inline, with no allocation per item.
public enum CBOR: Hashable, Sendable {
    /// Major type 0: an unsigned integer.
    case unsigned(UInt64)
    /// Major type 1: the negative integer `-1 - n`.
    case negative(UInt64)
    /// Major type 2: a byte string.
    case bytes([UInt8])
    /// Major type 3: a UTF-8 text string.
    case text(String)
    /// Major type 4: an array.
    case array([CBOR])
    /// Major type 5: a map, as its ordered list of entries.
    case map([CBORMapEntry])
    /// Major type 6: a tagged item.
    indirect case tagged(UInt64, CBOR)
    /// Major type 7: `false` or `true`.
    case bool(Bool)
    /// Major type 7: `null`.
    case null
    /// Major type 7: `undefined`.
    case undefined
    /// Major type 7: an unassigned simple value.
    case simple(UInt8)
    /// Major type 7: a floating-point number (half, single or double precision on the wire).
    case float(Double)

    /// An integer item from a signed value.
    public static func int(_ value: Int64) -> CBOR {
        value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(-(value + 1)))
    }

    /// The value as a signed 64-bit integer, when it is an integer that fits.
    public var int64: Int64? {
        switch self {
        case .unsigned(let u): return u <= UInt64(Int64.max) ? Int64(u) : nil
        case .negative(let n): return n <= UInt64(Int64.max) ? -1 - Int64(n) : nil
        default: return nil
        }
    }

    /// The value as an unsigned integer, when it is major type 0.
    public var uint64: UInt64? {
        if case .unsigned(let u) = self { return u }
        return nil
    }

    /// The bytes of a byte string.
    public var byteString: [UInt8]? {
        if case .bytes(let b) = self { return b }
        return nil
    }

    /// The text of a text string.
    public var textString: String? {
        if case .text(let t) = self { return t }
        return nil
    }

    /// The items of an array.
    public var arrayItems: [CBOR]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The entries of a map.
    public var mapEntries: [CBORMapEntry]? {
        if case .map(let m) = self { return m }
        return nil
    }

    /// The value stored under `key` in a map (nil for other items or a missing key).
    public subscript(key: CBOR) -> CBOR? {
        guard case .map(let entries) = self else { return nil }
        return entries.first(where: { $0.key == key })?.value
    }

    /// The value stored under an integer key in a map. Compares the keys' numbers in place
    /// rather than building and comparing CBOR values: claims lookups are on the verify path.
    public subscript(intKey key: Int64) -> CBOR? {
        guard case .map(let entries) = self else { return nil }
        for entry in entries {
            switch entry.key {
            case .unsigned(let u): if key >= 0, u == UInt64(key) { return entry.value }
            case .negative(let n): if key < 0, n == UInt64(-1 - key) { return entry.value }
            default: continue
            }
        }
        return nil
    }

    /// The value stored under a text key in a map.
    public subscript(textKey key: String) -> CBOR? {
        guard case .map(let entries) = self else { return nil }
        for entry in entries { if case .text(let text) = entry.key, text == key { return entry.value } }
        return nil
    }
}

/// One key/value pair of a CBOR map.
public struct CBORMapEntry: Hashable, Sendable {
    /// The entry's key.
    public var key: CBOR
    /// The entry's value.
    public var value: CBOR

    /// An entry from its key and value.
    public init(_ key: CBOR, _ value: CBOR) {
        self.key = key
        self.value = value
    }
}

extension CBOR: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(arrayLiteral elements: CBOR...) { self = .array(elements) }
}
