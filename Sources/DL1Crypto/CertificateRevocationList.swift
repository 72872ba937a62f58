internal import CCrypto

/// Why a certificate was withdrawn (RFC 5280 CRLReason).
public enum RevocationReason: Int, Sendable, CaseIterable, CustomStringConvertible {
    case unspecified = 0, keyCompromise = 1, cACompromise = 2, affiliationChanged = 3, superseded = 4
    case cessationOfOperation = 5, certificateHold = 6, removeFromCRL = 8, privilegeWithdrawn = 9, aACompromise = 10

    /// The RFC 5280 name, e.g. `keyCompromise`.
    public var description: String {
        switch self {
        case .unspecified: return "unspecified"
        case .keyCompromise: return "keyCompromise"
        case .cACompromise: return "cACompromise"
        case .affiliationChanged: return "affiliationChanged"
        case .superseded: return "superseded"
        case .cessationOfOperation: return "cessationOfOperation"
        case .certificateHold: return "certificateHold"
        case .removeFromCRL: return "removeFromCRL"
        case .privilegeWithdrawn: return "privilegeWithdrawn"
        case .aACompromise: return "aACompromise"
        }
    }

    /// Whether the reason withdraws for good (certificateHold and removeFromCRL do not).
    public var isPermanent: Bool { self != .certificateHold && self != .removeFromCRL }
}

/// An X.509 CRL held by OpenSSL: a root's list of withdrawn document signers (FORMAT §4).
public final class CertificateRevocationList: @unchecked Sendable {
    // Immutable after init.
    let crl: OpaquePointer

    /// The CRL's DER encoding.
    public let der: [UInt8]

    /// Takes ownership of `crl` (freed here if it cannot be encoded).
    init(owning crl: OpaquePointer) throws(CryptoError) {
        let der: [UInt8]
        do { der = try derBytes("encoding a CRL") { i2d_X509_CRL(crl, $0) } } catch {
            X509_CRL_free(crl)
            throw error
        }
        self.crl = crl
        self.der = der
    }

    deinit { X509_CRL_free(crl) }

    /// When the CRL was issued (its thisUpdate), in Unix seconds; nil when unreadable.
    public var lastUpdate: Int64? { Certificate.seconds(X509_CRL_get0_lastUpdate(crl)) }

    /// Reads a DER CRL.
    public convenience init(der: [UInt8]) throws(CryptoError) {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509_CRL(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw .openSSL("reading a DER CRL") }
        try self.init(owning: parsed)
    }

    /// Every CRL in a PEM text.
    public static func parseAll(pem: [UInt8]) throws(CryptoError) -> [CertificateRevocationList] {
        try MemoryBIO.readAll(pem, what: "CRLs", { PEM_read_bio_X509_CRL($0, nil, nil, nil) }) { c throws(CryptoError) in
            try CertificateRevocationList(owning: c)
        }
    }

    /// The CRL as PEM.
    public func pem() throws(CryptoError) -> [UInt8] {
        try MemoryBIO.writing("writing a CRL") { PEM_write_bio_X509_CRL($0, crl) }
    }

    /// Whether `root` issued this CRL: its issuer name is the root's subject and the signature verifies.
    public func isIssued(by root: Certificate) -> Bool {
        defer { ERR_clear_error() }
        guard X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(root.x509)) == 0,
              let key = X509_get0_pubkey(root.x509) else { return false }
        return X509_CRL_verify(crl, key) == 1
    }

    /// The CRL's entry for `certificate`'s serial number, if it lists it.
    public func entry(for certificate: Certificate) -> (date: Int64, reason: RevocationReason)? {
        var revoked: OpaquePointer?
        let found = X509_CRL_get0_by_serial(crl, &revoked, UnsafeMutablePointer(mutating: X509_get0_serialNumber(certificate.x509)))
        guard found == 1, let revoked else { return nil }
        let date = Certificate.seconds(X509_REVOKED_get0_revocationDate(revoked)) ?? 0
        var reason = RevocationReason.unspecified
        if let raw = X509_REVOKED_get_ext_d2i(revoked, NID_crl_reason, nil, nil) {
            let enumerated = raw.assumingMemoryBound(to: ASN1_ENUMERATED.self)
            reason = RevocationReason(rawValue: ASN1_ENUMERATED_get(enumerated)) ?? .unspecified
            ASN1_ENUMERATED_free(enumerated)
        }
        ERR_clear_error()
        return (date, reason)
    }

    /// Signs a CRL as `root`, listing `entries` (certificate, withdrawal time, reason).
    public static func make(root: Certificate, rootKey: any RawSigner, number: UInt64,
                            entries: [(certificate: Certificate, date: Int64, reason: RevocationReason)],
                            thisUpdate: Int64, nextUpdate: Int64) throws(CryptoError) -> CertificateRevocationList {
        guard let crl = X509_CRL_new() else { throw .openSSL("allocating a CRL") }
        var owned = true
        defer { if owned { X509_CRL_free(crl) } }
        guard X509_CRL_set_version(crl, 1) == 1,
              X509_CRL_set_issuer_name(crl, X509_get_subject_name(root.x509)) == 1 else { throw .openSSL("starting a CRL") }
        try withTime(thisUpdate) { t throws(CryptoError) in
            guard X509_CRL_set1_lastUpdate(crl, t) == 1 else { throw .openSSL("setting thisUpdate") }
        }
        try withTime(nextUpdate) { t throws(CryptoError) in
            guard X509_CRL_set1_nextUpdate(crl, t) == 1 else { throw .openSSL("setting nextUpdate") }
        }
        for entry in entries {
            guard let revoked = X509_REVOKED_new() else { throw .openSSL("allocating a CRL entry") }
            var added = false
            defer { if !added { X509_REVOKED_free(revoked) } }
            guard X509_REVOKED_set_serialNumber(revoked, UnsafeMutablePointer(mutating: X509_get0_serialNumber(entry.certificate.x509))) == 1
            else { throw .openSSL("setting a CRL entry's serial") }
            try withTime(entry.date) { t throws(CryptoError) in
                guard X509_REVOKED_set_revocationDate(revoked, t) == 1 else { throw .openSSL("setting a revocation date") }
            }
            guard let reason = ASN1_ENUMERATED_new() else { throw .openSSL("allocating a reason") }
            defer { ASN1_ENUMERATED_free(reason) }
            guard ASN1_ENUMERATED_set(reason, entry.reason.rawValue) == 1,
                  X509_REVOKED_add1_ext_i2d(revoked, NID_crl_reason, reason, 0, 0) == 1 else { throw .openSSL("setting a reason") }
            guard X509_CRL_add0_revoked(crl, revoked) == 1 else { throw .openSSL("adding a CRL entry") }
            added = true
        }
        guard let crlNumber = ASN1_INTEGER_new() else { throw .openSSL("allocating a CRL number") }
        defer { ASN1_INTEGER_free(crlNumber) }
        guard ASN1_INTEGER_set_uint64(crlNumber, number) == 1,
              X509_CRL_add1_ext_i2d(crl, NID_crl_number, crlNumber, 0, 0) == 1 else { throw .openSSL("setting the CRL number") }
        guard X509_CRL_sort(crl) == 1 else { throw .openSSL("sorting the CRL") }
        if let key = rootKey as? P256PrivateKey {
            guard X509_CRL_sign(crl, key.pkey, EVP_sha256()) > 0 else { throw .openSSL("signing the CRL") }
        } else {
            try ExternalSignature.sign(crl: crl, with: rootKey)
        }
        owned = false
        return try CertificateRevocationList(owning: crl)
    }

    private static func withTime(_ seconds: Int64, _ body: (UnsafeMutablePointer<ASN1_TIME>) throws(CryptoError) -> Void) throws(CryptoError) {
        guard let t = ASN1_TIME_set(nil, time_t(seconds)) else { throw .openSSL("making a time") }
        defer { ASN1_TIME_free(t) }
        try body(t)
    }
}
