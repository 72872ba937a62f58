/// A status list's uncompressed entries (draft-ietf-oauth-status-list): entry `i` of a list
/// with `bits` bits per entry lives in byte `i * bits / 8`, from bit `(i * bits) % 8` counted
/// from the least significant bit.
public struct StatusList: Hashable, Sendable {
    /// Bits per entry: 1, 2, 4 or 8 (DL1 uses 2).
    public let bits: Int
    /// The packed entries.
    public private(set) var bytes: [UInt8]

    /// An all-zero (all VALID) list with room for `capacity` entries.
    public init(bits: Int = 2, capacity: Int) {
        precondition([1, 2, 4, 8].contains(bits), "bits must be 1, 2, 4 or 8")
        self.bits = bits
        self.bytes = [UInt8](repeating: 0, count: (capacity * bits + 7) / 8)
    }

    /// A list over already packed bytes.
    public init(bits: Int, bytes: [UInt8]) {
        precondition([1, 2, 4, 8].contains(bits), "bits must be 1, 2, 4 or 8")
        self.bits = bits
        self.bytes = bytes
    }

    /// How many entries the bytes hold.
    public var count: Int { bytes.count * 8 / bits }

    /// The value of entry `index`, or nil when the list has no such entry.
    public subscript(index: UInt64) -> UInt8? {
        guard index < UInt64(count) else { return nil }
        let bitOffset = Int(index) * bits
        let mask = UInt8((1 << bits) - 1)
        return (bytes[bitOffset / 8] >> UInt8(bitOffset % 8)) & mask
    }

    /// Sets entry `index` (which must exist) to `value` (which must fit in `bits`).
    public mutating func set(_ index: Int, to value: UInt8) {
        precondition(index >= 0 && index < count, "index \(index) is outside the list")
        precondition(Int(value) < 1 << bits, "value \(value) does not fit in \(bits) bits")
        let bitOffset = index * bits
        let mask = UInt8((1 << bits) - 1) << UInt8(bitOffset % 8)
        bytes[bitOffset / 8] = (bytes[bitOffset / 8] & ~mask) | (value << UInt8(bitOffset % 8))
    }
}

/// The status a list entry gives a credential (FORMAT §3).
public enum CredentialStatus: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case valid = 0, invalid = 1, suspended = 2, superseded = 3

    public var description: String {
        switch self {
        case .valid: return "VALID"
        case .invalid: return "INVALID"
        case .suspended: return "SUSPENDED"
        case .superseded: return "SUPERSEDED"
        }
    }
}
