/// Writes CBOR straight to bytes, for the format's own fixed shapes (claims, licence), without
/// building a ``CBOR`` tree first: issuance encodes one of each per code, and the tree's
/// allocations cost more than the rest of the encoding.
///
/// The caller writes a map's entries in the deterministic order of their keys (RFC 8949
/// §4.2.1); heads are the shortest, as ``CBOREncoder`` writes them. The tests check every shape
/// written this way against ``CBOREncoder`` on the tree.
struct CBORWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func unsigned(_ value: UInt64) { CBOREncoder.head(0, value, into: &bytes) }

    mutating func int(_ value: Int64) {
        if value >= 0 { CBOREncoder.head(0, UInt64(value), into: &bytes) } else { CBOREncoder.head(1, UInt64(-(value + 1)), into: &bytes) }
    }

    mutating func text(_ text: String) {
        CBOREncoder.head(3, UInt64(text.utf8.count), into: &bytes)
        bytes.append(contentsOf: text.utf8)
    }

    mutating func byteString(_ value: [UInt8]) {
        CBOREncoder.head(2, UInt64(value.count), into: &bytes)
        bytes.append(contentsOf: value)
    }

    mutating func bool(_ value: Bool) { bytes.append(value ? 0xf5 : 0xf4) }

    mutating func mapHeader(_ count: Int) { CBOREncoder.head(5, UInt64(count), into: &bytes) }

    mutating func arrayHeader(_ count: Int) { CBOREncoder.head(4, UInt64(count), into: &bytes) }

    /// `100(days)`, as ``CalendarDate/cbor``.
    mutating func date(_ date: CalendarDate) {
        CBOREncoder.head(6, CalendarDate.cborTag, into: &bytes)
        int(date.daysSinceEpoch)
    }
}
