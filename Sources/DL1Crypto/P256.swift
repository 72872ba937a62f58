internal import CCrypto

/// Something that signs with an ECDSA P-256 key (SHA-256, raw `r || s`): a key in memory, a key
/// in a hardware token, a remote service. Certificates and CRLs can be signed by any of them.
public protocol RawSigner: Sendable {
    /// The matching public key.
    var publicKey: P256PublicKey { get }
    /// An ECDSA signature over SHA-256 of `message`, as raw `r || s` (64 bytes).
    func sign(_ message: [UInt8]) throws -> [UInt8]
}

/// An ECDSA P-256 private key held by OpenSSL.
public final class P256PrivateKey: RawSigner, @unchecked Sendable {
    // Immutable after init; OpenSSL EVP_PKEY and EC_KEY objects may be used from several threads for signing.
    let pkey: OpaquePointer
    /// The same key as an EC_KEY: ECDSA_do_sign on it skips the provider lookups and the DER
    /// round trip of EVP_DigestSign, about twice as fast for one short message.
    private let ecKey: OpaquePointer?

    private init(owning pkey: OpaquePointer) {
        self.pkey = pkey
        self.ecKey = EVP_PKEY_get1_EC_KEY(pkey)
    }

    deinit {
        if let ecKey { EC_KEY_free(ecKey) }
        EVP_PKEY_free(pkey)
    }

    /// A new random key.
    public convenience init() throws(CryptoError) {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw .openSSL("creating a key context") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_CTX_set_group_name(ctx, "P-256") == 1,
              EVP_PKEY_generate(ctx, &key) == 1, let key else { throw .openSSL("generating a P-256 key") }
        self.init(owning: key)
    }

    /// Reads an unencrypted PKCS#8 (or traditional EC) PEM private key, which must be on P-256.
    /// An encrypted key is refused (never a terminal prompt): use ``init(pem:passphrase:)``.
    public convenience init(pem: [UInt8]) throws(CryptoError) {
        guard !Self.isEncrypted(pem: pem) else {
            throw CryptoError("reading the private key", detail: "it is encrypted: a passphrase is needed")
        }
        let key: OpaquePointer?
        do {
            key = try MemoryBIO.reading(pem) { PEM_read_bio_PrivateKey($0, nil, nil, nil) }
        } catch { throw CryptoError("reading the private key", detail: "\(error)") }
        guard let key else { throw .openSSL("reading the private key (not a PEM private key, or encrypted)") }
        guard P256PublicKey.isP256(key) else {
            EVP_PKEY_free(key)
            throw CryptoError("reading the private key", detail: "the key is not an EC key on P-256")
        }
        self.init(owning: key)
    }

    /// The key as PKCS#8 PEM (`BEGIN PRIVATE KEY`), or encrypted PKCS#8 (`BEGIN ENCRYPTED
    /// PRIVATE KEY`, AES-256-CBC with a PBKDF2-derived key) when a passphrase is given. Keep it
    /// secret: write it with mode 0600.
    public func pkcs8PEM(passphrase: String? = nil) throws(CryptoError) -> [UInt8] {
        guard let passphrase else {
            return try MemoryBIO.writing("writing the private key") { PEM_write_bio_PrivateKey($0, pkey, nil, nil, 0, nil, nil) }
        }
        guard !passphrase.isEmpty else { throw CryptoError("encrypting the private key", detail: "the passphrase is empty") }
        // PBES2: PBKDF2-HMAC-SHA256 with 600,000 iterations (OpenSSL's default is 2,048), AES-256-CBC.
        guard let info = EVP_PKEY2PKCS8(pkey) else { throw .openSSL("preparing the private key") }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        var bytes = Array(passphrase.utf8)
        defer { for i in bytes.indices { bytes[i] = 0 } }
        let encrypted = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                PKCS8_encrypt(-1, EVP_aes_256_cbc(), $0.baseAddress, Int32($0.count), nil, 0, Self.pbkdf2Iterations, info)
            }
        }
        guard let encrypted else { throw .openSSL("encrypting the private key") }
        defer { X509_SIG_free(encrypted) }
        return try MemoryBIO.writing("writing the encrypted private key") { PEM_write_bio_PKCS8($0, encrypted) }
    }

    /// PBKDF2 iterations for encrypted key files (OWASP's figure for PBKDF2-HMAC-SHA256).
    public static let pbkdf2Iterations: Int32 = 600_000

    /// Whether PEM text holds an encrypted private key.
    public static func isEncrypted(pem: [UInt8]) -> Bool {
        String(decoding: pem.prefix(64), as: UTF8.self).contains("ENCRYPTED PRIVATE KEY")
    }

    /// Reads an encrypted (or plain) PKCS#8 PEM private key with `passphrase`.
    public convenience init(pem: [UInt8], passphrase: String) throws(CryptoError) {
        var bytes = Array(passphrase.utf8CString)
        defer { for i in bytes.indices { bytes[i] = 0 } }
        let key: OpaquePointer?
        do {
            // With no callback, OpenSSL takes the last argument as the passphrase.
            key = try MemoryBIO.reading(pem) { bio in
                bytes.withUnsafeMutableBufferPointer { PEM_read_bio_PrivateKey(bio, nil, nil, $0.baseAddress) }
            }
        } catch { throw CryptoError("reading the private key", detail: "\(error)") }
        guard let key else {
            ERR_clear_error()
            throw CryptoError("reading the private key", detail: "wrong passphrase, or not a PEM private key")
        }
        guard P256PublicKey.isP256(key) else {
            EVP_PKEY_free(key)
            throw CryptoError("reading the private key", detail: "the key is not an EC key on P-256")
        }
        self.init(owning: key)
    }

    /// The matching public key.
    public var publicKey: P256PublicKey {
        let der = try! derBytes("encoding the public key") { i2d_PUBKEY(pkey, $0) }
        return try! P256PublicKey(spkiDER: der)
    }

    /// An ECDSA signature over SHA-256 of `message`, as raw `r || s` (64 bytes, RFC 9053).
    public func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        if let ecKey {
            let digest = SHA256.hash(message)
            guard let signature = ECDSA_do_sign(digest, Int32(digest.count), ecKey) else { throw .openSSL("signing") }
            defer { ECDSA_SIG_free(signature) }
            var raw = [UInt8](repeating: 0, count: 64)
            let ok = raw.withUnsafeMutableBufferPointer { out in
                BN_bn2binpad(ECDSA_SIG_get0_r(signature), out.baseAddress, 32) == 32
                    && BN_bn2binpad(ECDSA_SIG_get0_s(signature), out.baseAddress! + 32, 32) == 32
            }
            guard ok else { throw .openSSL("encoding a signature") }
            return raw
        }
        guard let ctx = EVP_MD_CTX_new() else { throw .openSSL("allocating a digest context") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, EVP_sha256(), nil, pkey) == 1 else { throw .openSSL("starting a signature") }
        var length = 0
        guard EVP_DigestSign(ctx, nil, &length, message, message.count) == 1 else { throw .openSSL("sizing a signature") }
        var der = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(ctx, &der, &length, message, message.count) == 1 else { throw .openSSL("signing") }
        return try ECDSASignature.rawFromDER(Array(der.prefix(length)))
    }
}

/// An ECDSA P-256 public key held by OpenSSL.
public final class P256PublicKey: @unchecked Sendable {
    // Immutable after init; EVP_PKEY verification is thread-safe on a shared key.
    let pkey: OpaquePointer

    init(owning pkey: OpaquePointer) {
        self.pkey = pkey
        self.ecKey = EVP_PKEY_get1_EC_KEY(pkey)
    }

    deinit {
        if let ecKey { EC_KEY_free(ecKey) }
        EVP_PKEY_free(pkey)
    }

    /// Reads a DER SubjectPublicKeyInfo, which must hold a P-256 key.
    public convenience init(spkiDER: [UInt8]) throws(CryptoError) {
        let key: OpaquePointer? = spkiDER.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let key else { throw .openSSL("reading the public key") }
        guard Self.isP256(key) else {
            EVP_PKEY_free(key)
            throw CryptoError("reading the public key", detail: "the key is not an EC key on P-256")
        }
        self.init(owning: key)
    }

    /// The DER SubjectPublicKeyInfo.
    public var spkiDER: [UInt8] { try! derBytes("encoding the public key") { i2d_PUBKEY(pkey, $0) } }

    /// A key from its 33-byte SEC 1 compressed point (`0x02` or `0x03`, then x). A point that is
    /// not on the curve is refused.
    public convenience init(compressedPoint point: [UInt8]) throws(CryptoError) {
        guard point.count == 33, point[0] == 2 || point[0] == 3 else {
            throw CryptoError("reading the public key", detail: "a compressed point is 33 bytes starting with 0x02 or 0x03")
        }
        // Straight through the EC_KEY interface: d2i_PUBKEY goes through OpenSSL 3's decoder
        // framework, which costs several times an ECDSA verification (a DL2 presentation
        // reads one such key per verification). EC_POINT_oct2point refuses a point off the curve.
        guard let ecKey = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1) else { throw .openSSL("making a P-256 key") }
        guard let group = EC_KEY_get0_group(ecKey), let ecPoint = EC_POINT_new(group) else {
            EC_KEY_free(ecKey)
            throw .openSSL("making a P-256 point")
        }
        defer { EC_POINT_free(ecPoint) }
        guard EC_POINT_oct2point(group, ecPoint, point, point.count, nil) == 1, EC_KEY_set_public_key(ecKey, ecPoint) == 1 else {
            EC_KEY_free(ecKey)
            ERR_clear_error()
            throw CryptoError("reading the public key", detail: "the point is not on the P-256 curve")
        }
        guard let pkey = EVP_PKEY_new(), EVP_PKEY_set1_EC_KEY(pkey, ecKey) == 1 else {
            EC_KEY_free(ecKey)
            throw .openSSL("wrapping a P-256 key")
        }
        EC_KEY_free(ecKey)
        self.init(owning: pkey)
    }

    /// The 33-byte SEC 1 compressed point.
    public var compressedPoint: [UInt8] {
        // From the point itself: a key read from a compressed SPKI keeps that form in its
        // encoding, so the SPKI's last bytes are not always x and y.
        var out = [UInt8](repeating: 0, count: 33)
        guard let ecKey, let group = EC_KEY_get0_group(ecKey), let point = EC_KEY_get0_public_key(ecKey),
              EC_POINT_point2oct(group, point, POINT_CONVERSION_COMPRESSED, &out, out.count, nil) == 33 else {
            ERR_clear_error()
            return []
        }
        return out
    }

    /// Reads a PEM SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`), which must hold a P-256 key.
    public convenience init(pem: [UInt8]) throws(CryptoError) {
        let key: OpaquePointer?
        do { key = try MemoryBIO.reading(pem) { PEM_read_bio_PUBKEY($0, nil, nil, nil) } }
        catch { throw CryptoError("reading the public key", detail: "\(error)") }
        ERR_clear_error()
        guard let key else { throw CryptoError("reading the public key", detail: "not a PEM public key (BEGIN PUBLIC KEY)") }
        guard Self.isP256(key) else {
            EVP_PKEY_free(key)
            throw CryptoError("reading the public key", detail: "the key is not an EC key on P-256")
        }
        self.init(owning: key)
    }

    /// The key as PEM SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`).
    public var pem: [UInt8] { (try? MemoryBIO.writing("writing the public key") { PEM_write_bio_PUBKEY($0, pkey) }) ?? [] }

    /// Whether `signature` (raw `r || s`, 64 bytes) is a valid ECDSA/SHA-256 signature of `message`.
    /// Any malformed signature is simply invalid.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == 64, let ecKey else { return false }
        let digest = SHA256.hash(message)
        guard let sig = ECDSA_SIG_new() else { return false }
        defer {
            ECDSA_SIG_free(sig)
            ERR_clear_error()
        }
        let r = BN_bin2bn(signature, 32, nil)
        let s = signature.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress! + 32, 32, nil) }
        guard let r, let s, ECDSA_SIG_set0(sig, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return false
        }
        // The EC_KEY interface skips OpenSSL 3's per-call provider look-ups (the EVP path
        // costs about a third more per verification); it is thread-safe on a shared key.
        return ECDSA_do_verify(digest, Int32(digest.count), sig, ecKey) == 1
    }

    /// The key as an EC_KEY, made once (immutable after init) for fast verification.
    private let ecKey: OpaquePointer?

    static func isP256(_ key: OpaquePointer) -> Bool {
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_EC else { return false }
        var name = [CChar](repeating: 0, count: 64)
        var length = 0
        guard EVP_PKEY_get_group_name(key, &name, name.count, &length) == 1 else { return false }
        let group = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return group == "prime256v1" || group == "P-256"
    }
}

/// Conversions between raw `r || s` signatures (COSE) and DER ECDSA-Sig-Value (OpenSSL).
enum ECDSASignature {
    static func rawFromDER(_ der: [UInt8]) throws(CryptoError) -> [UInt8] {
        let sig: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let sig else { throw .openSSL("decoding a signature") }
        defer { ECDSA_SIG_free(sig) }
        var out = [UInt8](repeating: 0, count: 64)
        guard BN_bn2binpad(ECDSA_SIG_get0_r(sig), &out, 32) == 32,
              out.withUnsafeMutableBufferPointer({ BN_bn2binpad(ECDSA_SIG_get0_s(sig), $0.baseAddress! + 32, 32) }) == 32
        else { throw .openSSL("encoding a signature") }
        return out
    }

    static func derFromRaw(_ raw: [UInt8]) -> [UInt8]? {
        guard raw.count == 64 else { return nil }
        guard let sig = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(sig) }
        let r = BN_bin2bn(raw, 32, nil)
        let s = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress! + 32, 32, nil) }
        guard let r, let s, ECDSA_SIG_set0(sig, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        return try? derBytes("encoding a signature") { i2d_ECDSA_SIG(sig, $0) }
    }
}
