internal import CCrypto

/// Makes the certificates of DL1's two-level PKI (FORMAT §4): a self-signed root and the
/// document signers it issues.
public enum CertificateBuilder {
    /// A subject name: country, optional organization and organizational unit, common name.
    public struct Name: Sendable {
        public var country: String
        public var organization: String?
        public var organizationalUnit: String?
        public var commonName: String

        /// A name from its parts.
        public init(country: String, organization: String? = nil, organizationalUnit: String? = nil, commonName: String) {
            self.country = country
            self.organization = organization
            self.organizationalUnit = organizationalUnit
            self.commonName = commonName
        }
    }

    /// A self-signed root CA: CA:TRUE (critical), keyUsage keyCertSign and cRLSign.
    public static func makeRoot(key: any RawSigner, subject: Name, notBefore: Int64, notAfter: Int64) throws(CryptoError) -> Certificate {
        try make(subject: subject, subjectKey: key.publicKey, issuer: nil, issuerKey: key, notBefore: notBefore,
                 notAfter: notAfter,
                 extensions: [(NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,keyCertSign,cRLSign"),
                              (NID_subject_key_identifier, "hash")])
    }

    /// A document signer issued by `root`: CA:FALSE, keyUsage digitalSignature (both critical).
    public static func makeDocumentSigner(publicKey: P256PublicKey, subject: Name, root: Certificate, rootKey: any RawSigner,
                                          notBefore: Int64, notAfter: Int64) throws(CryptoError) -> Certificate {
        try make(subject: subject, subjectKey: publicKey, issuer: root, issuerKey: rootKey, notBefore: notBefore,
                 notAfter: notAfter,
                 extensions: [(NID_basic_constraints, "critical,CA:FALSE"), (NID_key_usage, "critical,digitalSignature"),
                              (NID_subject_key_identifier, "hash"), (NID_authority_key_identifier, "keyid:always")])
    }

    /// The general form, for tests that need certificates breaking one rule at a time.
    /// `extensions` are OpenSSL configuration strings by NID (e.g. basicConstraints "CA:FALSE").
    public static func make(subject: Name, subjectKey: P256PublicKey, issuer: Certificate?, issuerKey: any RawSigner,
                            notBefore: Int64, notAfter: Int64,
                            extensions: [(Int32, String)]) throws(CryptoError) -> Certificate {
        guard let x = X509_new() else { throw .openSSL("allocating a certificate") }
        var owned = true
        defer { if owned { X509_free(x) } }
        guard X509_set_version(x, 2) == 1 else { throw .openSSL("setting the certificate version") }
        let serial = SecureRandom.bytes(16).enumerated().map { $0.offset == 0 ? $0.element & 0x7f | 0x01 : $0.element }
        guard let bn = BN_bin2bn(serial, Int32(serial.count), nil) else { throw .openSSL("making a serial number") }
        defer { BN_free(bn) }
        guard BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != nil else { throw .openSSL("setting the serial number") }
        guard let name = X509_get_subject_name(x) else { throw .openSSL("reading the subject") }
        try add(name, "C", subject.country)
        if let o = subject.organization { try add(name, "O", o) }
        if let ou = subject.organizationalUnit { try add(name, "OU", ou) }
        try add(name, "CN", subject.commonName)
        let issuerName = issuer.map { X509_get_subject_name($0.x509) } ?? name
        guard X509_set_issuer_name(x, issuerName) == 1 else { throw .openSSL("setting the issuer") }
        guard ASN1_TIME_set(X509_getm_notBefore(x), time_t(notBefore)) != nil,
              ASN1_TIME_set(X509_getm_notAfter(x), time_t(notAfter)) != nil else { throw .openSSL("setting the validity") }
        guard X509_set_pubkey(x, subjectKey.pkey) == 1 else { throw .openSSL("setting the public key") }
        var ctx = X509V3_CTX()
        X509V3_set_ctx(&ctx, issuer?.x509 ?? x, x, nil, nil, 0)
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &ctx, nid, value) else { throw .openSSL("making extension \(value)") }
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(x, ext, -1) == 1 else { throw .openSSL("adding extension \(value)") }
        }
        if let key = issuerKey as? P256PrivateKey {
            guard X509_sign(x, key.pkey, EVP_sha256()) > 0 else { throw .openSSL("signing the certificate") }
        } else {
            try ExternalSignature.sign(certificate: x, with: issuerKey)
        }
        owned = false
        return try Certificate(owning: x)
    }

    private static func add(_ name: OpaquePointer, _ field: String, _ value: String) throws(CryptoError) {
        guard X509_NAME_add_entry_by_txt(name, field, dl1_MBSTRING_UTF8(), value, -1, -1, 0) == 1 else {
            throw .openSSL("setting \(field)=\(value) in a name")
        }
    }
}

/// OpenSSL's identifiers of the X.509 extensions ``CertificateBuilder/make`` can add.
public enum ExtensionNID {
    public static let basicConstraints = NID_basic_constraints
    public static let keyUsage = NID_key_usage
    public static let subjectKeyIdentifier = NID_subject_key_identifier
    public static let authorityKeyIdentifier = NID_authority_key_identifier
}
