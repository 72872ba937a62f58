/// HMAC-SHA-256 (RFC 2104), built on ``SHA256``.
public enum HMACSHA256 {
    /// The 32-byte tag of `message` under `key`.
    public static func authenticationCode(for message: [UInt8], key: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? SHA256.hash(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = SHA256.hash(block.map { $0 ^ 0x36 } + message)
        return SHA256.hash(block.map { $0 ^ 0x5c } + inner)
    }

    /// Whether `tag` is the tag of `message` under `key` (its first `truncatedTo` bytes),
    /// compared in constant time.
    public static func isValid(_ tag: [UInt8], for message: [UInt8], key: [UInt8], truncatedTo length: Int = 32) -> Bool {
        let expected = Array(authenticationCode(for: message, key: key).prefix(length))
        guard tag.count == expected.count else { return false }
        var difference: UInt8 = 0
        for i in expected.indices { difference |= expected[i] ^ tag[i] }
        return difference == 0
    }
}
