/// Writes CBOR items with core deterministic encoding (RFC 8949 §4.2.1): shortest arguments,
/// definite lengths, map keys sorted by the bytewise order of their encodings, and floats in
/// the shortest of half, single or double precision that keeps the value.
public enum CBOREncoder {
    /// The deterministic encoding of `item`.
    public static func encode(_ item: CBOR) -> [UInt8] {
        var out: [UInt8] = []
        write(item, into: &out)
        return out
    }

    static func head(_ major: UInt8, _ argument: UInt64, into out: inout [UInt8]) {
        let m = major << 5
        switch argument {
        case 0..<24: out.append(m | UInt8(argument))
        case 24...0xff: out.append(m | 24); out.append(UInt8(argument))
        case 0x100...0xffff: out.append(m | 25); appendBigEndian(argument, bytes: 2, into: &out)
        case 0x1_0000...0xffff_ffff: out.append(m | 26); appendBigEndian(argument, bytes: 4, into: &out)
        default: out.append(m | 27); appendBigEndian(argument, bytes: 8, into: &out)
        }
    }

    static func appendBigEndian(_ value: UInt64, bytes: Int, into out: inout [UInt8]) {
        for shift in stride(from: (bytes - 1) * 8, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    static func write(_ item: CBOR, into out: inout [UInt8]) {
        switch item {
        case .unsigned(let u): head(0, u, into: &out)
        case .negative(let n): head(1, n, into: &out)
        case .bytes(let b): head(2, UInt64(b.count), into: &out); out.append(contentsOf: b)
        case .text(let t):
            head(3, UInt64(t.utf8.count), into: &out)
            out.append(contentsOf: t.utf8)
        case .array(let items):
            head(4, UInt64(items.count), into: &out)
            for element in items { write(element, into: &out) }
        case .map(let entries):
            head(5, UInt64(entries.count), into: &out)
            writeSorted(entries, into: &out)
        case .tagged(let tag, let inner): head(6, tag, into: &out); write(inner, into: &out)
        case .bool(let b): out.append(b ? 0xf5 : 0xf4)
        case .null: out.append(0xf6)
        case .undefined: out.append(0xf7)
        case .simple(let v):
            if v < 24 { out.append(0xe0 | v) } else { out.append(0xf8); out.append(v) }
        case .float(let d): writeFloat(d, into: &out)
        }
    }

    /// Writes a map's entries in place, then puts them in the bytewise order of their encoded
    /// keys. A map built in that order (as the format's own maps are) costs no copy; any other
    /// is rearranged with one copy of its bytes.
    static func writeSorted(_ entries: [CBORMapEntry], into out: inout [UInt8]) {
        guard entries.count > 1 else {
            for entry in entries { write(entry.key, into: &out); write(entry.value, into: &out) }
            return
        }
        // Where each entry's key and value end, from the map's start.
        var spans: [(start: Int, keyEnd: Int, end: Int)] = []
        spans.reserveCapacity(entries.count)
        var sorted = true
        for entry in entries {
            let start = out.count
            write(entry.key, into: &out)
            let keyEnd = out.count
            write(entry.value, into: &out)
            if let last = spans.last, sorted,
               !out[last.start..<last.keyEnd].lexicographicallyPrecedes(out[start..<keyEnd]) {
                sorted = false
            }
            spans.append((start, keyEnd, out.count))
        }
        guard !sorted else { return }
        let region = Array(out[spans[0].start...])
        let base = spans[0].start
        out.removeSubrange(base...)
        for span in spans.sorted(by: { region[$0.start - base..<$0.keyEnd - base].lexicographicallyPrecedes(region[$1.start - base..<$1.keyEnd - base]) }) {
            out.append(contentsOf: region[span.start - base..<span.end - base])
        }
    }

    static func writeFloat(_ d: Double, into out: inout [UInt8]) {
        if let half = Float16Bits.exact(d) {
            out.append(0xf9)
            appendBigEndian(UInt64(half), bytes: 2, into: &out)
        } else if Double(Float(d)) == d {
            out.append(0xfa)
            appendBigEndian(UInt64(Float(d).bitPattern), bytes: 4, into: &out)
        } else {
            out.append(0xfb)
            appendBigEndian(d.bitPattern, bytes: 8, into: &out)
        }
    }
}
