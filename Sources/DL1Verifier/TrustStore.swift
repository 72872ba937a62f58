import DL1Crypto
import DL1Format
import Foundation

/// The certificates and CRLs a verifier trusts or can use (FORMAT §4).
///
/// Roots (self-signed, CA:TRUE) are the trust anchors. Every certificate, roots included, can be
/// selected by a code's kid; whether it may sign codes is decided by ``Verifier``'s checks, not
/// by being here. CRLs count only for the root that signed them.
public struct TrustStore: Sendable {
    /// The trust anchors.
    public let roots: [Certificate]
    /// Every certificate known (roots included). Asking for this parses a bundle's
    /// certificates that no kid has asked for yet (see ``certificates(forKid:)``).
    public var certificates: [Certificate] { parsedCertificates + (deferred?.all ?? []) }
    /// CRLs whose signature verifies with one of the roots.
    public let revocationLists: [CertificateRevocationList]
    /// Problems met while loading that did not stop it (skipped files or items).
    public let warnings: [String]

    /// The certificates given as trusted (e.g. the trust folder): the only possible anchors.
    public let pinned: [Certificate]
    /// Certificates that came from elsewhere (e.g. a bundle): usable, never anchors.
    let additional: [Certificate]
    /// Every CRL given, verified or not (kept so a store can be extended).
    let allRevocationLists: [CertificateRevocationList]

    /// The certificates given parsed (and so checked at once).
    private let parsedCertificates: [Certificate]
    /// Certificates given as DER (a bundle's): parsed when their kid is first asked for.
    let deferred: DeferredCertificates?

    private let byKid: [[UInt8]: [Certificate]]
    /// Chain results, worked out once: certificate → the root that issued it.
    private let issuingRoot: [ObjectIdentifier: Certificate]
    /// Verified CRLs by the root that signed them.
    private let crlsByRoot: [ObjectIdentifier: [CertificateRevocationList]]

    /// A store from certificates (roots are told apart by basicConstraints and self-signature)
    /// and CRLs (kept only when signed by one of the roots). `additionalCertificates` (e.g. from
    /// a bundle) are never trust anchors (FORMAT §6). Every signature check between them is
    /// done here, once, so verifying a code costs one ECDSA verification.
    public init(certificates: [Certificate], revocationLists: [CertificateRevocationList] = [],
                additionalCertificates: [Certificate] = [], warnings: [String] = []) {
        self.init(certificates: certificates, revocationLists: revocationLists, additionalCertificates: additionalCertificates,
                  deferredCertificates: [], warnings: warnings)
    }

    /// The same, with further certificates given as DER (a bundle's), never anchors either:
    /// each is parsed, and its chain checked, when a code or a token first asks for its kid.
    init(certificates: [Certificate], revocationLists: [CertificateRevocationList],
         additionalCertificates: [Certificate], deferredCertificates: [[UInt8]], warnings: [String]) {
        let roots = certificates.filter { $0.isCA && $0.isSelfSigned }
        var all: [Certificate] = []
        var seen = Set<[UInt8]>()
        for certificate in certificates + additionalCertificates where seen.insert(certificate.der).inserted {
            all.append(certificate)
        }
        var issuingRoot: [ObjectIdentifier: Certificate] = [:]
        for certificate in all {
            if let root = roots.first(where: { certificate.isIssued(by: $0) }) { issuingRoot[ObjectIdentifier(certificate)] = root }
        }
        var crlsByRoot: [ObjectIdentifier: [CertificateRevocationList]] = [:]
        for crl in revocationLists {
            if let root = roots.first(where: { crl.isIssued(by: $0) }) { crlsByRoot[ObjectIdentifier(root), default: []].append(crl) }
        }
        self.pinned = certificates
        self.additional = additionalCertificates
        self.allRevocationLists = revocationLists
        self.roots = roots
        self.parsedCertificates = all
        self.deferred = deferredCertificates.isEmpty ? nil : DeferredCertificates(ders: deferredCertificates, known: seen, roots: roots)
        self.revocationLists = crlsByRoot.values.flatMap { $0 }
        self.warnings = warnings
        self.byKid = Dictionary(grouping: all, by: \.kid)
        self.issuingRoot = issuingRoot
        self.crlsByRoot = crlsByRoot
    }

    /// The certificates whose kid is `kid`, in load order.
    public func certificates(forKid kid: [UInt8]) -> [Certificate] {
        guard let deferred else { return byKid[kid] ?? [] }
        return (byKid[kid] ?? []) + deferred.certificates(forKid: kid)
    }

    /// The trusted root that issued `certificate`, if any.
    public func root(issuing certificate: Certificate) -> Certificate? {
        if let known = issuingRoot[ObjectIdentifier(certificate)] ?? deferred?.root(issuing: certificate) { return known }
        return roots.first { certificate.isIssued(by: $0) }
    }

    /// The withdrawal of `certificate` by a CRL of `root`, if a permanent one is listed.
    public func withdrawal(of certificate: Certificate, under root: Certificate) -> (date: Int64, reason: RevocationReason)? {
        for crl in crlsByRoot[ObjectIdentifier(root)] ?? [] {
            if let entry = crl.entry(for: certificate), entry.reason.isPermanent { return entry }
        }
        return nil
    }

    /// Why a trust folder could not be used.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        /// The explanation, naming the folder or file.
        public let description: String
    }

    /// Loads a trust folder: every `*.pem` (other than `*.crl.pem`) holds one or more PEM
    /// certificates; every `*.crl.pem` holds CRLs. The folder must hold at least one root.
    public static func load(directory: URL) throws(LoadError) -> TrustStore {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoadError(description: "the trust folder \(directory.path) does not exist or is not a folder")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() }
        catch { throw LoadError(description: "cannot read the trust folder \(directory.path): \(error.localizedDescription)") }
        var certificates: [Certificate] = []
        var crls: [CertificateRevocationList] = []
        var warnings: [String] = []
        for name in names where name.hasSuffix(".pem") {
            let url = directory.appendingPathComponent(name)
            // Bounded, and only regular files (a FIFO or /dev/zero named *.pem must not hang or
            // exhaust the device).
            let data: [UInt8]
            do { data = try VerifierSetup.read(url.path, limit: 4 * 1024 * 1024, what: "trust file") }
            catch {
                warnings.append("\(error.description), skipped")
                continue
            }
            do {
                if name.hasSuffix(".crl.pem") {
                    let found = try CertificateRevocationList.parseAll(pem: data)
                    if found.isEmpty { warnings.append("\(url.path): no CRL found, skipped") }
                    crls += found
                } else {
                    let found = try Certificate.parseAll(pem: data)
                    if found.isEmpty { warnings.append("\(url.path): no certificate found, skipped") }
                    certificates += found
                }
            } catch {
                warnings.append("\(url.path): \(error), skipped")
            }
        }
        let store = TrustStore(certificates: certificates, revocationLists: crls, warnings: warnings)
        guard !store.roots.isEmpty else {
            throw LoadError(description: "the trust folder \(directory.path) holds no root certificate (self-signed, CA:TRUE)")
        }
        return store
    }
}
