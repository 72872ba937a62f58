import DL1Crypto
import DL1Format
import DL1Verifier
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Registry {
    /// Copies the registry into the new file `destination` with SQLite's online backup: a
    /// consistent snapshot even while other processes issue. Written beside the destination
    /// under a temporary name (mode 0600: it holds personal data), then renamed into place.
    public func backup(to destination: URL) throws(IssuerError) {
        guard let sqlite = store as? SQLiteStore else {
            throw IssuerError(.registryEngineUnsupported, "the registry is in PostgreSQL (\(store.location)): back it up with PostgreSQL's own tools (pg_dump, or base backups with WAL archiving)")
        }
        guard !FileManager.default.fileExists(atPath: destination.path) else {
            throw IssuerError(.backupFailed, "\(destination.path) already exists: give a new file name")
        }
        try FileWriter.preflight(destination)
        let folder = destination.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(FileWriter.temporaryName(for: destination.lastPathComponent))
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw IssuerError(.backupFailed, "cannot create a file in \(folder.path)")
        }
        do {
            try sqlite.backup(into: temporary)
            guard rename(temporary.path, destination.path) == 0 else {
                throw IssuerError(.backupFailed, "cannot move the backup into place at \(destination.path)")
            }
        } catch let error as IssuerError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw IssuerError(.backupFailed, "cannot back up the registry to \(destination.path): \(store.describe(error))")
        }
    }

    /// Closes the registry's connections (before its file is replaced).
    func close() throws(IssuerError) {
        do { try store.close() } catch { throw IssuerError(.registryRefused, "cannot close the registry: \(store.describe(error))") }
    }

    /// A change a published list shows and this registry lacks.
    public struct LostChange: Sendable, Hashable, CustomStringConvertible {
        /// The list's name.
        public let list: String
        /// The entry.
        public let index: Int
        /// What the published list says.
        public let published: CredentialStatus
        /// What this registry says.
        public let current: CredentialStatus
        /// The document number of the credential at that index here, if one is.
        public let documentNumber: String?

        public var description: String {
            "\(list) index \(index): \(published) in the published list, \(current) here" + (documentNumber.map { " (document \($0))" } ?? " (no credential here)")
        }
    }

    /// A list in which credentials were issued after this registry's state: the last
    /// publication counted more indices in use than this registry holds.
    public struct MissingIssuances: Sendable, Hashable, CustomStringConvertible {
        public let list: String
        public let publishedUsed: Int
        public let used: Int
        public var description: String {
            "\(list): \(publishedUsed) indices were in use at the last publication, \(used) here (\(publishedUsed - used) credential(s) issued later are missing)"
        }
    }

    /// The changes in `published` (the last published tokens, see ``PublicationRecord``) that
    /// this registry would undo (``PublicationRecord/mayFollow(_:with:index:since:)``).
    func lostChanges(_ published: [PublicationRecord.Entry]) throws(IssuerError) -> [LostChange] {
        let lists = Dictionary(uniqueKeysWithValues: try lists().map { ($0.name, $0) })
        var lost: [LostChange] = []
        for entry in published {
            let notValid = entry.notValid
            guard !notValid.isEmpty else { continue }
            guard let list = lists[entry.name] else {
                lost += notValid.map { LostChange(list: entry.name, index: $0.index, published: CredentialStatus(rawValue: $0.status) ?? .invalid,
                                                  current: .valid, documentNumber: nil) }
                continue
            }
            let here = Dictionary(try statuses(listID: list.id).map { ($0.index, $0.status) }, uniquingKeysWith: { a, b in max(a, b) })
            let since = try reinstatements(listID: list.id, after: entry.mark)
            for (index, status) in notValid where !PublicationRecord.mayFollow(status, with: here[index] ?? 0, index: index, since: since) {
                let number: String? = try read { db in
                    try db.value(sql: "SELECT document_number FROM credential WHERE list_id = ? AND idx = ?", arguments: [list.id, index])
                }
                lost.append(LostChange(list: entry.name, index: index, published: CredentialStatus(rawValue: status) ?? .invalid,
                                       current: CredentialStatus(rawValue: here[index] ?? 0) ?? .valid, documentNumber: number))
            }
        }
        return lost
    }

    /// The lists in which `published` counted more indices in use than this registry holds.
    func missingIssuances(_ published: [PublicationRecord.Entry]) throws(IssuerError) -> [MissingIssuances] {
        let used = try read { db in
            Dictionary(uniqueKeysWithValues: try db.rows(sql: "SELECT name, used FROM status_list").map { (try $0["name"] as String, try $0["used"] as Int) })
        }
        return published.compactMap { entry in
            guard let publishedUsed = entry.used, publishedUsed > (used[entry.name] ?? 0) else { return nil }
            return MissingIssuances(list: entry.name, publishedUsed: publishedUsed, used: used[entry.name] ?? 0)
        }
    }

    /// Re-applies `lost` changes: a credential at the index takes the published status (with an
    /// event); an index no credential holds is retired with that status and never handed out.
    /// The lists in `closing` take no new credential from now on (their unknown used indices
    /// must not be handed out again). Later events are numbered after `lastEventID`.
    func carryOver(_ lost: [LostChange], closing: [String], published: [PublicationRecord.Entry], at now: Int64) throws(IssuerError) {
        let issuedAt = Dictionary(published.map { ($0.name, $0.issuedAt) }, uniquingKeysWith: { a, _ in a })
        try transaction { db in
            for change in lost {
                let reason = "\(change.published) in the list published at \(Instant.iso(issuedAt[change.list] ?? 0)), carried over when an older backup was restored"
                guard let id: Int64 = try db.value(sql: "SELECT id FROM status_list WHERE name = ?", arguments: [change.list]) else {
                    throw IssuerError(.restoreRefused, "the backup has no status list \(change.list), which was published: it cannot be restored")
                }
                if let row = try db.row(sql: "SELECT cti, document_number FROM credential WHERE list_id = ? AND idx = ?", arguments: [id, change.index]) {
                    let cti: [UInt8] = try row["cti"]
                    try db.execute(sql: "UPDATE credential SET status = ? WHERE cti = ?", arguments: [change.published.rawValue, cti])
                    try Self.addEvent(db, cti: cti, number: try row["document_number"], kind: "carried-over", at: now, detail: reason)
                } else {
                    _ = try Self.takeIndex(db, list: id, index: change.index)
                    try db.execute(sql: """
                        INSERT INTO retired_index (list_id, idx, status, at, reason) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (list_id, idx) DO UPDATE SET status = excluded.status, at = excluded.at, reason = excluded.reason
                        """, arguments: [id, change.index, change.published.rawValue, now, reason])
                }
            }
            for name in closing {
                try db.execute(sql: "UPDATE status_list SET closed = 1 WHERE name = ?", arguments: [name])
            }
        }
    }

    /// Numbers the next event after `lastEventID` at least (after a restore, events the
    /// published lists reflect must stay ordered before any new one).
    func continueEvents(after lastEventID: Int64) throws(IssuerError) {
        try transaction { db in try store.continueEvents(db, after: lastEventID) }
    }

    /// One thing `check` found wrong.
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        /// A stable name of the rule broken (e.g. `two-active-credentials`).
        public let rule: String
        /// What is wrong, with the facts.
        public let detail: String
        public var description: String { "\(rule): \(detail)" }
    }

    /// SQLite's integrity check and the registry's own rules: one active credential per
    /// document number, no index given twice (between credentials, retired indices and the
    /// free pool), every supersession with its successor, every credential with its history,
    /// every pending record with its credential.
    /// Empty when all is well. Memory: one bit per list entry while a list is checked.
    public func check() throws(IssuerError) -> [Finding] {
        try read { db in
            var findings: [Finding] = []
            findings += try store.integrityFindings(db).prefix(20).map { Finding(rule: "sqlite-integrity", detail: $0) }
            for row in try db.rows(sql: """
                SELECT document_number, COUNT(*) AS n FROM credential
                WHERE state != 'abandoned' AND status IN \(Status.live) GROUP BY document_number HAVING COUNT(*) > 1
                """) {
                findings.append(Finding(rule: "two-active-credentials", detail: "document \(try row["document_number"] as String) has \(try row["n"] as Int) active credentials"))
            }
            for row in try db.rows(sql: "SELECT list_id, idx, COUNT(*) AS n FROM credential GROUP BY list_id, idx HAVING COUNT(*) > 1") {
                findings.append(Finding(rule: "index-given-twice", detail: "list \(try row["list_id"] as Int64) index \(try row["idx"] as Int) is held by \(try row["n"] as Int) credentials"))
            }
            for row in try db.rows(sql: "SELECT r.list_id, r.idx FROM retired_index r JOIN credential c ON c.list_id = r.list_id AND c.idx = r.idx") {
                findings.append(Finding(rule: "index-given-twice", detail: "list \(try row["list_id"] as Int64) index \(try row["idx"] as Int) is retired and held by a credential"))
            }
            for list in try Self.allLists(db) {
                findings += try Self.checkPool(db, list: list)
            }
            for row in try db.rows(sql: """
                SELECT c.cti, c.document_number FROM credential c
                WHERE c.status = \(Status.superseded) AND (c.superseded_by IS NULL OR NOT EXISTS (SELECT 1 FROM credential s WHERE s.cti = c.superseded_by))
                  AND NOT EXISTS (SELECT 1 FROM event e WHERE e.cti = c.cti AND e.kind = 'carried-over')
                """) {
                findings.append(Finding(rule: "supersede-without-successor", detail: "credential \(Hex.encode(try row["cti"] as [UInt8])) of document \(try row["document_number"] as String) is SUPERSEDED but its successor is not recorded"))
            }
            for row in try db.rows(sql: "SELECT cti, document_number FROM credential WHERE superseded_by IS NOT NULL AND status != \(Status.superseded)") {
                findings.append(Finding(rule: "successor-of-unsuperseded", detail: "credential \(Hex.encode(try row["cti"] as [UInt8])) of document \(try row["document_number"] as String) names a successor but is not SUPERSEDED"))
            }
            let strays: Int = try db.value(sql: "SELECT COUNT(*) FROM pending_credential p WHERE NOT EXISTS (SELECT 1 FROM credential c WHERE c.cti = p.cti)") ?? 0
            if strays > 0 { findings.append(Finding(rule: "pending-without-credential", detail: "\(strays) pending record(s) name no credential")) }
            let orphans: Int = try db.value(sql: "SELECT COUNT(*) FROM credential c WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.cti = c.cti)") ?? 0
            if orphans > 0 { findings.append(Finding(rule: "credential-without-history", detail: "\(orphans) credential(s) have no event")) }
            return findings
        }
    }

    /// A list's index bookkeeping: indices in range, `used` equal to what holds an index, and
    /// the free pool a set of indices nothing holds.
    private static func checkPool(_ db: any SQLSession, list: ListInfo) throws -> [Finding] {
        var findings: [Finding] = []
        let used: Int = try db.value(sql: "SELECT used FROM status_list WHERE id = ?", arguments: [list.id]) ?? 0
        var taken = [UInt8](repeating: 0, count: (list.capacity + 7) / 8)
        var holders = 0
        for table in ["credential", "retired_index"] {
            try eachInIndexOrder(db, table: table, listID: list.id, columns: "idx") { row in
                let index: Int = try row.first()
                holders += 1
                guard index >= 0, index < list.capacity else {
                    findings.append(Finding(rule: "index-out-of-range", detail: "\(list.name) index \(index) is outside its capacity \(list.capacity)"))
                    return
                }
                taken[index >> 3] |= 1 << UInt8(index & 7)
            }
        }
        if used != holders {
            findings.append(Finding(rule: "used-count", detail: "\(list.name) counts \(used) used indices, but \(holders) are held"))
        }
        let free = list.capacity - used
        var seen = [UInt8](repeating: 0, count: (list.capacity + 7) / 8)
        var moved: [Int: Int] = [:]
        try db.each(sql: "SELECT pos, idx FROM index_pool WHERE list_id = ?", arguments: [list.id]) { row in
            let position: Int = try row["pos"], index: Int = try row["idx"]
            if position >= free || position < 0 {
                findings.append(Finding(rule: "pool-stale", detail: "\(list.name) pool position \(position) lies beyond its \(free) free entries"))
            } else {
                moved[position] = index
            }
        }
        var reported = 0
        for position in 0..<max(0, free) {
            let index = moved[position] ?? position
            guard index >= 0, index < list.capacity else {
                findings.append(Finding(rule: "index-out-of-range", detail: "\(list.name) free pool holds index \(index)"))
                continue
            }
            let bit = UInt8(1) << UInt8(index & 7)
            if taken[index >> 3] & bit != 0 || seen[index >> 3] & bit != 0 {
                if reported < 20 {
                    findings.append(Finding(rule: "index-given-twice", detail: "\(list.name) index \(index) is free in the pool and \(taken[index >> 3] & bit != 0 ? "held" : "free twice")"))
                }
                reported += 1
            }
            seen[index >> 3] |= bit
        }
        if reported > 20 { findings.append(Finding(rule: "index-given-twice", detail: "\(list.name): \(reported - 20) more such indices")) }
        return findings
    }
}
