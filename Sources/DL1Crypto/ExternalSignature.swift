internal import CCrypto

/// Signs certificates and CRLs with a key OpenSSL cannot hold (a PKCS#11 token, a remote
/// signer): OpenSSL lays out the structure with a throw-away key of the same algorithm, the
/// real signer signs the to-be-signed bytes, and its signature replaces the throw-away one.
enum ExternalSignature {
    static func sign(certificate x: OpaquePointer, with signer: any RawSigner) throws(CryptoError) {
        let placeholder = try P256PrivateKey()
        guard X509_sign(x, placeholder.pkey, EVP_sha256()) > 0 else { throw .openSSL("preparing the certificate signature") }
        let tbs = try derBytes("encoding the certificate's signed part") { i2d_re_X509_tbs(x, $0) }
        var signature: UnsafePointer<ASN1_BIT_STRING>?
        var algorithm: UnsafePointer<X509_ALGOR>?
        X509_get0_signature(&signature, &algorithm, x)
        try replace(signature, with: sign(tbs, signer))
        guard X509_verify(x, signer.publicKey.pkey) == 1 else {
            ERR_clear_error()
            throw CryptoError("signing the certificate", detail: "the external signature does not verify")
        }
    }

    static func sign(crl: OpaquePointer, with signer: any RawSigner) throws(CryptoError) {
        let placeholder = try P256PrivateKey()
        guard X509_CRL_sign(crl, placeholder.pkey, EVP_sha256()) > 0 else { throw .openSSL("preparing the CRL signature") }
        let tbs = try derBytes("encoding the CRL's signed part") { i2d_re_X509_CRL_tbs(crl, $0) }
        var signature: UnsafePointer<ASN1_BIT_STRING>?
        var algorithm: UnsafePointer<X509_ALGOR>?
        X509_CRL_get0_signature(crl, &signature, &algorithm)
        try replace(signature, with: sign(tbs, signer))
        guard X509_CRL_verify(crl, signer.publicKey.pkey) == 1 else {
            ERR_clear_error()
            throw CryptoError("signing the CRL", detail: "the external signature does not verify")
        }
    }

    private static func sign(_ tbs: [UInt8], _ signer: any RawSigner) throws(CryptoError) -> [UInt8] {
        let raw: [UInt8]
        do { raw = try signer.sign(tbs) } catch { throw CryptoError("signing with the external key", detail: "\(error)") }
        guard let der = ECDSASignature.derFromRaw(raw) else { throw CryptoError("signing with the external key", detail: "not a 64-byte signature") }
        return der
    }

    private static func replace(_ signature: UnsafePointer<ASN1_BIT_STRING>?, with der: [UInt8]) throws(CryptoError) {
        guard let signature else { throw CryptoError("replacing the signature", detail: "no signature field") }
        let mutable = UnsafeMutablePointer(mutating: signature)
        let ok = der.withUnsafeBufferPointer { ASN1_BIT_STRING_set(mutable, UnsafeMutablePointer(mutating: $0.baseAddress), Int32($0.count)) }
        guard ok == 1 else { throw .openSSL("replacing the signature") }
        // A DER signature is a whole number of bytes: no unused bits.
        mutable.pointee.flags &= ~0x07
        mutable.pointee.flags |= 0x08
    }
}
