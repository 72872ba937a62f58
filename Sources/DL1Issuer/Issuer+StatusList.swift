import DL1Compression
import DL1Format
import DL1Verifier
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
    /// The signed Status List Token of every list in the registry, as of now, without
    /// recording a publication (for inspection and benchmarks). The payload is a pure function
    /// of the registry's state and the signing time. To publish, use ``publishStatusLists()``.
    package func statusListTokens() throws(IssuerError) -> [PublishedStatusList] {
        let now = clock()
        let signer = try primarySigner()
        try checkSigner(signer, at: now)
        return try registry.lists().map { list throws(IssuerError) in
            try sign(list, entries: try registry.entries(of: list), at: now, signer: signer)
        }
    }

    /// Signs the Status List Token of every list for publication, after checking each against
    /// the last one published for the same list (``PublicationRecord``): refused, naming the
    /// list and the first index, when an entry that was INVALID, SUSPENDED or SUPERSEDED would
    /// read VALID with no reinstatement recorded since, when a published list has vanished from
    /// the registry, or when the clock is more than a minute behind the last token. A new token
    /// is always later than the last of its list (one second after it when several
    /// publications fall within one second), and is recorded before it is returned; a list
    /// whose entries have not changed since a token of this second or later gets that token
    /// again — or since a token at most `reuseFor` seconds old, for a service that re-signs
    /// only what changed and what ages.
    public func publishStatusLists(reuseFor: Int64 = 0) throws(IssuerError) -> [PublishedStatusList] {
        let lock = try PublicationLock.acquire(folder: directory.publishedFolder)
        defer { withExtendedLifetime(lock) {} }
        FileWriter.removeStaleTemporaries(in: directory.publishedFolder)  // left by a process killed mid-write
        let record = PublicationRecord(folder: directory.publishedFolder)
        let now = clock()
        let lists = try registry.lists()
        let names = Set(lists.map(\.name))
        for entry in try record.entries() where !names.contains(entry.name) {
            throw IssuerError(.publicationRegression, "status list \(entry.name) (\(entry.uri)) was published on \(Instant.iso(entry.issuedAt)), but the registry has no such list: the registry has lost it")
        }
        var signer: (any DocumentSigner)?
        var published: [PublishedStatusList] = []
        var fresh: [(PublishedStatusList, StatusList, Int64, Int64, Int)] = []
        for list in lists {
            let snapshot = try registry.snapshot(of: list)
            let entries = snapshot.entries
            var issuedAt = now
            if let last = try record.entry(list.name) {
                if last.issuedAt >= now - max(0, reuseFor), last.uri == list.uri, last.list == entries {
                    published.append(PublishedStatusList(name: list.name, uri: list.uri, token: last.token))
                    continue
                }
                let since = last.notValid.isEmpty ? Registry.Reinstatements() : try registry.reinstatements(listID: list.id, after: last.mark)
                if let refusal = PublicationRecord.check(entries, name: list.name, uri: list.uri, against: last, since: since) {
                    throw refusal
                }
                issuedAt = try PublicationRecord.issuedAt(now: now, after: last, name: list.name)
            }
            if signer == nil {
                signer = try primarySigner()
                try checkSigner(signer!, at: now)
            }
            let token = try sign(list, entries: entries, at: issuedAt, signer: signer!)
            published.append(token)
            fresh.append((token, entries, issuedAt, snapshot.lastEventID, snapshot.used))
        }
        for (token, entries, issuedAt, lastEventID, used) in fresh {
            try record.record(token.token, name: token.name, uri: token.uri, list: entries, iat: issuedAt, publishedAt: now,
                              lastEventID: lastEventID, used: used)
        }
        return published
    }

    func sign(_ list: Registry.ListInfo, entries: StatusList, at now: Int64, signer: any DocumentSigner) throws(IssuerError) -> PublishedStatusList {
        let claims = StatusListClaims(uri: list.uri, issuedAt: now, expiresAt: now + settings.statusValidity,
                                      timeToLive: UInt64(settings.statusTimeToLive), bits: list.bits,
                                      compressedList: Zlib.compress(entries.bytes))
        let token = try Self.wrap {
            try CodeSigner.sign(payload: CBOREncoder.encode(claims.cbor), with: signer, typ: DL1Header.statusListType)
        }
        return PublishedStatusList(name: list.name, uri: list.uri, token: token)
    }

    /// Publishes every status token (``publishStatusLists()``) into `folder` as `<name>.cwt`;
    /// returns the files written.
    public func writeStatusLists(to folder: URL) throws(IssuerError) -> [URL] {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        catch { throw IssuerError("cannot create the folder \(folder.path) (is a part of the path a file, or not writable?)") }
        FileWriter.removeStaleTemporaries(in: folder)
        var written: [URL] = []
        for list in try publishStatusLists() {
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
        try handheldBundle(statusTokens: try publishStatusLists().map(\.token))
    }

    /// The handheld bundle with these status tokens (already published).
    public func handheldBundle(statusTokens: [[UInt8]]) throws(IssuerError) -> HandheldBundle {
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
        return HandheldBundle(created: clock(), certificates: certificates, revocationLists: crls, statusTokens: statusTokens)
    }

    /// Writes the handheld bundle to `file`.
    public func writeBundle(to file: URL) throws(IssuerError) -> HandheldBundle {
        let bundle = try handheldBundle()
        try FileWriter.write(bundle.encoded, to: file)
        return bundle
    }
}

import DL1Crypto

extension Issuer {
    /// Changes the last published lists show that the registry would undo (what would make
    /// ``publishStatusLists()`` refuse): empty when all is well.
    public func unpublishableChanges() throws(IssuerError) -> [Registry.LostChange] {
        try registry.lostChanges(try PublicationRecord(folder: directory.publishedFolder).entries())
    }
}
