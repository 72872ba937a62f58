import DL1Crypto
import DL1Format

extension TrustStore {
    /// This store with a bundle's certificates and CRLs added (FORMAT §6). Certificates from a
    /// bundle are never trust anchors: a root inside it only serves for display. CRLs count
    /// only when a pinned root signed them; one that cannot be parsed is skipped with a
    /// warning. A bundle's certificates are parsed, and their chains checked, only when a code
    /// or a token asks for their kid (a national bundle holds a thousand signers; a
    /// verification uses one). One that is not even shaped as a DER certificate is skipped at once
    /// with a warning; one shaped as one that OpenSSL then refuses is never found, as if absent.
    public func adding(_ bundle: HandheldBundle) -> TrustStore {
        var warnings = self.warnings + bundle.warnings.map { "bundle: \($0)" }
        // Each skipped item is named, up to ten of a kind; past that they are counted.
        var skipped = (certificates: 0, crls: 0)
        var certificates = deferred?.ders ?? []
        for (i, der) in bundle.certificates.enumerated() {
            if let problem = DeferredCertificates.shapeProblem(der) {
                skipped.certificates += 1
                if skipped.certificates <= 10 { warnings.append("bundle: certificate \(i + 1) skipped: \(problem)") }
            } else {
                certificates.append(der)
            }
        }
        var crls = allRevocationLists
        for (i, der) in bundle.revocationLists.enumerated() {
            do { crls.append(try CertificateRevocationList(der: der)) } catch {
                skipped.crls += 1
                if skipped.crls <= 10 { warnings.append("bundle: CRL \(i + 1) skipped: \(error)") }
            }
        }
        if skipped.certificates > 10 { warnings.append("bundle: \(skipped.certificates - 10) more certificates skipped (not shaped as DER certificates)") }
        if skipped.crls > 10 { warnings.append("bundle: \(skipped.crls - 10) more CRLs skipped (not readable)") }
        return TrustStore(certificates: pinned, revocationLists: crls, additionalCertificates: additional,
                          deferredCertificates: certificates, warnings: warnings)
    }
}

extension StatusListToken {
    /// The parseable Status List Tokens of a bundle, each distinct token once (identical bytes
    /// are parsed once), with a warning for each one skipped. Lists are not inflated here.
    public static func parseAll(_ bundle: HandheldBundle) -> (tokens: [StatusListToken], warnings: [String]) {
        var tokens: [StatusListToken] = []
        var warnings: [String] = []
        var seen = Set<[UInt8]>()
        for (i, bytes) in bundle.statusTokens.enumerated() {
            let digest = SHA256.hash(bytes)
            guard seen.insert(digest).inserted else { continue }
            do { tokens.append(try StatusListToken(bytes: bytes, digest: digest)) } catch { warnings.append("bundle: status token \(i + 1) skipped: \(error)") }
        }
        return (tokens, warnings)
    }
}
