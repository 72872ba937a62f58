import DL1Compression
import DL1Format
import Foundation

/// A signed Status List Token ready to publish.
public struct PublishedStatusList: Sendable {
    /// The list's name (the file is `<name>.cwt`).
    public let name: String
    /// The list's URI.
    public let uri: String
    /// The token's bytes (tagged COSE_Sign1).
    public let token: [UInt8]
}

extension Issuer {
    /// The signed Status List Token of every list in the registry, as of now. The payload is a
    /// pure function of the registry's state and the signing time.
    public func statusListTokens() throws(IssuerError) -> [PublishedStatusList] {
        let now = clock()
        let signer = try primarySigner()
        try checkSigner(signer, at: now)
        return try registry.lists().map { list throws(IssuerError) in
            var statusList = StatusList(bits: list.bits, capacity: list.capacity)
            for entry in try registry.statuses(listID: list.id) { statusList.set(entry.index, to: entry.status) }
            let claims = StatusListClaims(uri: list.uri, issuedAt: now, expiresAt: now + settings.statusValidity,
                                          timeToLive: UInt64(settings.statusTimeToLive), bits: list.bits,
                                          compressedList: Zlib.compress(statusList.bytes))
            let token = try Self.wrap {
                try CodeSigner.sign(payload: CBOREncoder.encode(claims.cbor), with: signer, typ: DL1Header.statusListType)
            }
            return PublishedStatusList(name: list.name, uri: list.uri, token: token)
        }
    }

    /// Writes every status token into `folder` as `<name>.cwt`; returns the files written.
    public func writeStatusLists(to folder: URL) throws(IssuerError) -> [URL] {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        catch { throw IssuerError("cannot create the folder \(folder.path) (is a part of the path a file, or not writable?)") }
        var written: [URL] = []
        for list in try statusListTokens() {
            let url = folder.appendingPathComponent("\(list.name).cwt")
            try FileWriter.write(list.token, to: url)
            written.append(url)
        }
        return written
    }
}

extension Issuer {
    /// The handheld bundle (FORMAT §6): every certificate the issuer made (document signers,
    /// and the root for display), the CRLs of its trust folder, and a fresh status token of
    /// every list.
    public func handheldBundle() throws(IssuerError) -> HandheldBundle {
        let fm = FileManager.default
        var certificates: [[UInt8]] = []
        var crls: [[UInt8]] = []
        for folder in [directory.certificatesFolder, directory.trustFolder] {
            let names = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
            for name in names where name.hasSuffix(".pem") {
                guard let data = fm.contents(atPath: folder.appendingPathComponent(name).path) else { continue }
                if name.hasSuffix(".crl.pem") {
                    guard folder == directory.trustFolder else { continue }  // the issuer's copy in certs/ is the same CRL
                    crls += try Self.wrap { try CertificateRevocationList.parseAll(pem: [UInt8](data)).map(\.der) }
                } else if folder == directory.certificatesFolder {
                    certificates += try Self.wrap { try Certificate.parseAll(pem: [UInt8](data)).map(\.der) }
                }
            }
        }
        return HandheldBundle(created: clock(), certificates: certificates, revocationLists: crls,
                              statusTokens: try statusListTokens().map(\.token))
    }

    /// Writes the handheld bundle to `file`.
    public func writeBundle(to file: URL) throws(IssuerError) -> HandheldBundle {
        let bundle = try handheldBundle()
        try FileWriter.write(bundle.encoded, to: file)
        return bundle
    }
}

import DL1Crypto
