internal import CCrypto

/// An X.509 certificate held by OpenSSL, with the facts DL1's trust rules ask of it (FORMAT §4).
public final class Certificate: @unchecked Sendable, CustomStringConvertible {
    // Immutable after init (the extension cache is filled in init), so safe to share.
    let x509: OpaquePointer

    /// The certificate's DER encoding.
    public let der: [UInt8]

    /// Takes ownership of `x509` (freed here if the certificate cannot be encoded).
    init(owning x509: OpaquePointer) throws(CryptoError) {
        let der: [UInt8]
        do { der = try derBytes("encoding a certificate") { i2d_X509(x509, $0) } } catch {
            X509_free(x509)
            throw error
        }
        self.x509 = x509
        self.der = der
        // Fill OpenSSL's extension cache now, so later reads do not mutate shared state, and
        // work out once what every verification asks of a certificate.
        _ = X509_get_extension_flags(x509)
        self.kid = Array(SHA256.hash(der).prefix(8))
        self.notBefore = Self.seconds(X509_get0_notBefore(x509)) ?? .max
        self.notAfter = Self.seconds(X509_get0_notAfter(x509)) ?? .min
        self.subjectCountries = Self.values(X509_get_subject_name(x509), NID_countryName)
        self.subjectOrganizationalUnits = Self.values(X509_get_subject_name(x509), NID_organizationalUnitName)
        if let key = X509_get_pubkey(x509) {
            self.publicKey = P256PublicKey.isP256(key) ? P256PublicKey(owning: key) : { EVP_PKEY_free(key); return nil }()
        } else {
            ERR_clear_error()
            self.publicKey = nil
        }
    }

    deinit { X509_free(x509) }

    /// Reads one DER certificate.
    public convenience init(der: [UInt8]) throws(CryptoError) {
        let x: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            let parsed = d2i_X509(nil, &cursor, buffer.count)
            // Reject trailing bytes after the certificate.
            if let parsed, cursor != buffer.baseAddress! + buffer.count {
                X509_free(parsed)
                return nil
            }
            return parsed
        }
        guard let x else { throw .openSSL("reading a DER certificate") }
        try self.init(owning: x)
    }

    /// Every certificate in a PEM text (one or more `BEGIN CERTIFICATE` blocks).
    public static func parseAll(pem: [UInt8]) throws(CryptoError) -> [Certificate] {
        try MemoryBIO.readAll(pem, what: "certificates", { PEM_read_bio_X509($0, nil, nil, nil) }) { x throws(CryptoError) in
            try Certificate(owning: x)
        }
    }

    /// The certificate as PEM.
    public func pem() throws(CryptoError) -> [UInt8] {
        try MemoryBIO.writing("writing a certificate") { PEM_write_bio_X509($0, x509) }
    }

    /// The DL1 key id: the first 8 bytes of SHA-256 over the DER encoding.
    public let kid: [UInt8]

    /// The subject public key, when it is a P-256 key.
    public let publicKey: P256PublicKey?

    /// Every `C` value in the subject.
    public let subjectCountries: [String]
    /// Every `OU` value in the subject.
    public let subjectOrganizationalUnits: [String]
    /// The subject's common names.
    public var subjectCommonNames: [String] { Self.values(X509_get_subject_name(x509), NID_commonName) }
    /// The subject as a one-line string, e.g. `C=CN, OU=CN-31, CN=…`.
    public var subject: String { Self.oneLine(X509_get_subject_name(x509)) }
    /// The issuer as a one-line string.
    public var issuer: String { Self.oneLine(X509_get_issuer_name(x509)) }

    /// Whether basicConstraints says CA:TRUE.
    public var isCA: Bool { X509_get_extension_flags(x509) & dl1_EXFLAG_CA() != 0 }
    /// Whether the certificate has a keyUsage extension.
    public var hasKeyUsage: Bool { X509_get_extension_flags(x509) & dl1_EXFLAG_KUSAGE() != 0 }
    /// Whether a keyUsage extension is present and includes digitalSignature.
    public var allowsDigitalSignature: Bool {
        hasKeyUsage && X509_get_key_usage(x509) & dl1_KU_DIGITAL_SIGNATURE() != 0
    }
    /// Whether OpenSSL found an extension it could not parse.
    public var hasInvalidExtensions: Bool { X509_get_extension_flags(x509) & dl1_EXFLAG_INVALID() != 0 }

    /// Start of validity, seconds since the epoch.
    public let notBefore: Int64
    /// End of validity, seconds since the epoch.
    public let notAfter: Int64

    /// Whether `instant` (seconds since the epoch) lies within the validity period.
    public func isValid(at instant: Int64) -> Bool { notBefore <= instant && instant <= notAfter }

    /// The serial number as lower-case hex.
    public var serialHex: String {
        guard let bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509), nil) else { return "" }
        defer { BN_free(bn) }
        guard let hex = BN_bn2hex(bn) else { return "" }
        defer { dl1_OPENSSL_free(hex) }
        return String(cString: hex).lowercased()
    }

    /// Whether `issuer` issued this certificate: names (and key identifiers) match and the
    /// signature verifies with the issuer's key.
    public func isIssued(by issuer: Certificate) -> Bool {
        defer { ERR_clear_error() }
        guard X509_check_issued(issuer.x509, x509) == X509_V_OK else { return false }
        guard let key = X509_get0_pubkey(issuer.x509) else { return false }
        return X509_verify(x509, key) == 1
    }

    /// Whether the certificate is self-issued and its signature verifies with its own key.
    public var isSelfSigned: Bool { isIssued(by: self) }

    public var description: String { "\(subject) (serial \(serialHex))" }

    static func values(_ name: OpaquePointer?, _ nid: Int32) -> [String] {
        guard let name else { return [] }
        var result: [String] = []
        var index: Int32 = -1
        while true {
            index = X509_NAME_get_index_by_NID(name, nid, index)
            guard index >= 0 else { break }
            guard let entry = X509_NAME_get_entry(name, index),
                  let data = X509_NAME_ENTRY_get_data(entry) else { continue }
            var utf8: UnsafeMutablePointer<UInt8>?
            let length = ASN1_STRING_to_UTF8(&utf8, data)
            guard length >= 0, let utf8 else { ERR_clear_error(); continue }
            result.append(String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self))
            dl1_OPENSSL_free(utf8)
        }
        return result
    }

    static func oneLine(_ name: OpaquePointer?) -> String {
        guard let name else { return "" }
        let bytes = try? MemoryBIO.writing("printing a name") { bio in
            X509_NAME_print_ex(bio, name, 0, dl1_XN_FLAG_ONELINE_UTF8()) >= 0 ? 1 : 0
        }
        return bytes.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    static func seconds(_ time: UnsafePointer<ASN1_TIME>?) -> Int64? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { ERR_clear_error(); return nil }
        return Int64(dl1_timegm(&parts))
    }
}
