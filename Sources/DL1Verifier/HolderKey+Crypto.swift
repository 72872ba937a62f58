import DL1Crypto
import DL1Format

extension HolderKey {
    /// The device key's thumbprint (FORMAT §7.3): SHA-256 over its 33-byte SEC 1 compressed
    /// point, as lower-case hex.
    public var thumbprint: String { Hex.encode(SHA256.hash(compressedPoint)) }

    /// The key from a P-256 public key (nil only if OpenSSL cannot give its point).
    public init?(_ key: P256PublicKey) {
        self.init(compressedPoint: key.compressedPoint)
    }
}
