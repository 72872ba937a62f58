import DL1Crypto
import Foundation

/// Certificates kept as DER until a code or a token asks for their kid.
///
/// A national bundle carries a thousand document signers and a verification needs one of them;
/// parsing a certificate through OpenSSL and checking its chain costs a few hundred
/// microseconds, so a handheld that parsed them all at start spent most of its set-up there.
/// A kid is the first 8 bytes of SHA-256 over the DER (FORMAT §1.5), so it is known without
/// parsing. Each certificate is parsed, and the root that issued it found, once, the first time
/// its kid is asked for; the answer (or the failure) is kept for every later call and thread.
final class DeferredCertificates: @unchecked Sendable {
    /// Every DER given, each once, in the order given.
    let ders: [[UInt8]]
    private let byKid: [[UInt8]: [Int]]
    private let roots: [Certificate]

    private let lock = NSLock()
    /// Parsed so far, by position in `ders`: nil inside when the DER does not parse.
    private var parsed: [Int: Certificate?] = [:]
    /// The root that issued each certificate parsed so far, when one did.
    private var issuingRoot: [ObjectIdentifier: Certificate] = [:]

    /// `ders` less any already known (`known`) or repeated; `roots` are the store's anchors.
    init(ders: [[UInt8]], known: Set<[UInt8]>, roots: [Certificate]) {
        var seen = known
        var kept: [[UInt8]] = []
        var byKid: [[UInt8]: [Int]] = [:]
        for der in ders where seen.insert(der).inserted {
            byKid[Array(SHA256.hash(der).prefix(8)), default: []].append(kept.count)
            kept.append(der)
        }
        self.ders = kept
        self.byKid = byKid
        self.roots = roots
    }

    /// The certificates whose kid is `kid` (those that parse), in the order given.
    func certificates(forKid kid: [UInt8]) -> [Certificate] {
        guard let positions = byKid[kid] else { return [] }
        return positions.compactMap(certificate(at:))
    }

    /// Every certificate that parses (all are parsed now, once).
    var all: [Certificate] { ders.indices.compactMap(certificate(at:)) }

    /// The root that issued `certificate`, when it is one of these and a root did.
    func root(issuing certificate: Certificate) -> Certificate? {
        lock.lock(); defer { lock.unlock() }
        return issuingRoot[ObjectIdentifier(certificate)]
    }

    /// Why `der` is not shaped as a DER certificate (a SEQUENCE of exactly these bytes whose
    /// first element is a SEQUENCE, the to-be-signed part), or nil: the check a bundle's
    /// items get when it is read, before any is parsed.
    static func shapeProblem(_ der: [UInt8]) -> String? {
        /// The (header length, content length) of the DER element at `offset`.
        func element(at offset: Int) -> (header: Int, length: Int)? {
            guard offset + 2 <= der.count, der[offset] == 0x30 else { return nil }
            let first = Int(der[offset + 1])
            if first < 0x80 { return (2, first) }
            let count = first & 0x7F
            guard (1...3).contains(count), offset + 2 + count <= der.count, der[offset + 2] != 0 else { return nil }
            let length = der[(offset + 2)..<(offset + 2 + count)].reduce(0) { $0 << 8 | Int($1) }
            return length < 0x80 ? nil : (2 + count, length)
        }
        guard let outer = element(at: 0), outer.header + outer.length == der.count else {
            return "not a DER certificate (\(der.count) bytes that are not one SEQUENCE)"
        }
        guard let inner = element(at: outer.header), inner.header + inner.length <= outer.length else {
            return "not a DER certificate (no to-be-signed SEQUENCE inside)"
        }
        return nil
    }

    private func certificate(at position: Int) -> Certificate? {
        lock.lock(); defer { lock.unlock() }
        if let done = parsed[position] { return done }
        let certificate = try? Certificate(der: ders[position])
        parsed[position] = .some(certificate)
        if let certificate, let root = roots.first(where: { certificate.isIssued(by: $0) }) {
            issuingRoot[ObjectIdentifier(certificate)] = root
        }
        return certificate
    }
}
