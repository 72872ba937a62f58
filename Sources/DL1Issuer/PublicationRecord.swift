import DL1Compression
import DL1Format
import DL1Verifier
import Foundation

/// What the issuer last published for each status list: a copy of the token itself, kept in
/// `published/<name>.cwt` beside the settings, and `published/<name>.json` with when it was
/// published by the issuer's clock (its `iat` may be a second or so later), its size and its
/// count of non-VALID entries. A new token for a list is checked against it
/// (``PublicationRecord/check(_:against:reinstated:)``) so that no revocation, suspension or
/// supersession ever disappears from a published list, whatever happened to the registry.
struct PublicationRecord {
    let folder: URL

    /// The last published state of one list.
    struct Entry {
        let name: String
        let uri: String
        let issuedAt: Int64
        /// The issuer's clock when the token was published.
        let publishedAt: Int64
        let list: StatusList
        let token: [UInt8]
        /// The last registry event the published entries reflect (nil in records written
        /// before event ids were kept: then events from `publishedAt` on count as later).
        var lastEventID: Int64? = nil
        /// How many indices of the list were in use (nil in older records).
        var used: Int? = nil

        /// What the registry's events must be compared with.
        var mark: Registry.EventMark { lastEventID.map { .eventID($0) } ?? .time(publishedAt) }

        /// Its non-VALID entries: index → status.
        var notValid: [(index: Int, status: UInt8)] {
            var out: [(Int, UInt8)] = []
            for (byteIndex, byte) in list.bytes.enumerated() where byte != 0 {
                for slot in 0..<(8 / list.bits) {
                    let index = byteIndex * 8 / list.bits + slot
                    if let value = list[UInt64(index)], value != 0 { out.append((index, value)) }
                }
            }
            return out
        }
    }

    /// The last published token of `name`, if any.
    func entry(_ name: String) throws(IssuerError) -> Entry? {
        let url = folder.appendingPathComponent("\(name).cwt")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw IssuerError(.publicationRecord, "cannot read the publication record \(url.path)")
        }
        var entry = try Self.parse([UInt8](data), name: name, file: url.path)
        let facts = folder.appendingPathComponent("\(name).json")
        if let data = FileManager.default.contents(atPath: facts.path),
           let summary = try? JSONDecoder().decode(Summary.self, from: data), summary.iat == entry.issuedAt {
            entry = Entry(name: entry.name, uri: entry.uri, issuedAt: entry.issuedAt, publishedAt: min(summary.publishedAt, entry.issuedAt),
                          list: entry.list, token: entry.token, lastEventID: summary.lastEventID, used: summary.used)
        }
        return entry
    }

    /// The facts beside a recorded token.
    struct Summary: Codable {
        var uri: String
        var iat: Int64
        var publishedAt: Int64
        var entries: Int
        var notValid: Int
        var lastEventID: Int64?
        var used: Int?
        enum CodingKeys: String, CodingKey {
            case uri, iat, entries, used
            case publishedAt = "published_at", notValid = "not_valid", lastEventID = "last_event_id"
        }
    }

    /// Every list published so far, by name.
    func entries() throws(IssuerError) -> [Entry] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".cwt") && !$0.hasPrefix(".") }.sorted()
        var out: [Entry] = []
        for name in names {
            if let entry = try entry(String(name.dropLast(4))) { out.append(entry) }
        }
        return out
    }

    static func parse(_ token: [UInt8], name: String, file: String) throws(IssuerError) -> Entry {
        do {
            let sign1 = try COSESign1(decoding: token)
            guard let payload = sign1.payload else { throw IssuerError("detached payload") }
            let claims = try StatusListClaims(payload: payload)
            let bytes = try Zlib.decompress(claims.compressedList, limit: Zlib.statusListLimit)
            return Entry(name: name, uri: claims.uri, issuedAt: claims.issuedAt, publishedAt: claims.issuedAt,
                         list: StatusList(bits: claims.bits, bytes: bytes), token: token)
        } catch {
            throw IssuerError(.publicationRecord, "the publication record \(file) is damaged (\(error)); it must be restored from a backup of the issuer folder")
        }
    }

    /// Records `token` (of `list`, signed at `iat`) as the last one published for `name`, at
    /// `publishedAt` by the issuer's clock. The facts are written first: should the token's
    /// write fail, they do not match it and are ignored.
    func record(_ token: [UInt8], name: String, uri: String, list: StatusList, iat: Int64, publishedAt: Int64,
                lastEventID: Int64, used: Int) throws(IssuerError) {
        let entry = Entry(name: name, uri: uri, issuedAt: iat, publishedAt: publishedAt, list: list, token: token)
        let summary = Summary(uri: uri, iat: iat, publishedAt: publishedAt, entries: list.count, notValid: entry.notValid.count,
                              lastEventID: lastEventID, used: used)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let json = try? encoder.encode(summary) else { throw IssuerError(.publicationRecord, "cannot encode the publication record of \(name)") }
        try FileWriter.write([UInt8](json) + [10], to: folder.appendingPathComponent("\(name).json"), permissions: 0o600)
        try FileWriter.write(token, to: folder.appendingPathComponent("\(name).cwt"), permissions: 0o600)
    }

    /// Whether an entry published as `old` may now read `new`. A revocation is final; a
    /// supersession may only end in a revocation, or in VALID when the credential was restored
    /// (its replacement never came to be); a suspension may turn into anything but VALID, or
    /// VALID when it was ended (reinstated) after that publication.
    static func mayFollow(_ old: UInt8, with new: UInt8, index: Int, since: Registry.Reinstatements) -> Bool {
        switch CredentialStatus(rawValue: old) {
        case .valid?, nil: return true
        case .invalid?: return new == CredentialStatus.invalid.rawValue
        case .superseded?:
            return new == CredentialStatus.invalid.rawValue || new == CredentialStatus.superseded.rawValue
                || (new == CredentialStatus.valid.rawValue && since.restored.contains(index))
        case .suspended?:
            return new != CredentialStatus.valid.rawValue || since.reinstated.contains(index)
        }
    }

    /// Why `list` (about to be signed for `name` and `uri`) may not follow `last`: nil when it
    /// may (``mayFollow(_:with:index:since:)`` for every entry `last` showed non-VALID; the caller
    /// signs it later than `last`, see ``issuedAt(now:after:name:)``).
    static func check(_ list: StatusList, name: String, uri: String, against last: Entry,
                      since: Registry.Reinstatements) -> IssuerError? {
        guard last.uri == uri else {
            return IssuerError(.publicationRegression, "status list \(name) was published under \(last.uri), and the registry now gives it \(uri)")
        }
        for (index, status) in last.notValid {
            let now = list[UInt64(index)] ?? 0
            if !mayFollow(status, with: now, index: index, since: since) {
                let was = CredentialStatus(rawValue: status).map(\.description) ?? "\(status)"
                let becomes = CredentialStatus(rawValue: now).map(\.description) ?? "\(now)"
                let why = now == 0 ? ", with no reinstatement recorded since it was last published (\(Instant.iso(last.publishedAt)))" : ""
                return IssuerError(.publicationRegression, "status list \(name) would turn index \(index) from \(was) back to \(becomes)\(why): the registry has lost that change")
            }
        }
        return nil
    }

    /// How far a new token's `iat` may be put ahead of the clock so that it follows the last
    /// token of its list (several publications within one second).
    static let maximumLead: Int64 = 60

    /// The `iat` for a new token of a list last published at `last` when the clock says `now`:
    /// `now` when later, else one second after `last` while that is within ``maximumLead`` of
    /// `now`; a clock further behind is refused.
    static func issuedAt(now: Int64, after last: Entry, name: String) throws(IssuerError) -> Int64 {
        if now > last.issuedAt { return now }
        guard last.issuedAt + 1 - now <= maximumLead else {
            throw IssuerError(.publicationNotLater, "status list \(name) was last published at \(Instant.iso(last.issuedAt)), later than the clock's \(Instant.iso(now)): a new token must be signed later than the last (is the clock behind?)")
        }
        return last.issuedAt + 1
    }
}

/// The exclusive lock on the publication record (`published/.lock`), held while tokens are
/// checked, signed and recorded, so two publishing processes never interleave.
enum PublicationLock {
    static func acquire(folder: URL) throws(IssuerError) -> IssuerLock {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
        catch { throw IssuerError(.publicationRecord, "cannot create the publication record folder \(folder.path)") }
        return try IssuerLock(file: folder.appendingPathComponent(".lock"), exclusive: true, code: .publicationRecord)
    }
}
