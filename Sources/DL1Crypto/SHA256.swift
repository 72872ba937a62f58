internal import CCrypto

/// SHA-256 (through OpenSSL's EVP interface).
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    /// SHA-256 fetched from OpenSSL's provider once, not on every call.
    nonisolated(unsafe) private static let algorithm: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let input = Array(bytes)
        let ok = input.withUnsafeBytes { raw in
            EVP_Digest(raw.baseAddress, raw.count, &digest, &length, algorithm ?? EVP_sha256(), nil)
        }
        precondition(ok == 1 && length == 32, "SHA-256 cannot fail on a memory buffer")
        return digest
    }
}

/// Cryptographically secure random bytes.
public enum SecureRandom {
    /// `count` random bytes from OpenSSL's CSPRNG.
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        precondition(RAND_bytes(&out, Int32(count)) == 1, "the system random generator failed")
        return out
    }

    /// One uniformly random integer in `0..<bound` for each bound, from one call to the
    /// generator (plus one per rare rejection): drawing a group's status indices one call each
    /// cost more than the rest of choosing them.
    public static func uniform(_ upperBounds: [UInt64]) -> [UInt64] {
        let pool = bytes(8 * upperBounds.count)
        return upperBounds.enumerated().map { k, upperBound in
            precondition(upperBound > 0)
            let value = pool[8 * k..<8 * k + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return value < UInt64.max - UInt64.max % upperBound ? value % upperBound : uniform(upperBound)
        }
    }

    /// A uniformly random integer in `0..<upperBound`.
    public static func uniform(_ upperBound: UInt64) -> UInt64 {
        precondition(upperBound > 0)
        let limit = UInt64.max - UInt64.max % upperBound
        while true {
            let value = bytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if value < limit { return value % upperBound }
        }
    }
}
