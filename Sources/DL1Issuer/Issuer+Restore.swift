import DL1Format
import DL1Verifier
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

extension Issuer {
    /// What restoring a backup did.
    public struct RestoreReport: Sendable {
        /// Published changes the backup lacked, re-applied from the published lists (forced restore only).
        public let carriedOver: [Registry.LostChange]
        /// Lists in which the backup lacks credentials issued after it; they were closed (forced restore only).
        public let closedLists: [Registry.MissingIssuances]
        /// Where the registry that was replaced was kept, if there was one.
        public let previous: URL?
    }

    /// Replaces the registry of the issuer in `folder` by the backup `source`. The backup must
    /// carry this issuer's registry identity and pass SQLite's integrity check. When it lacks
    /// changes the issuer has already published (a revocation, suspension or supersession newer
    /// than the backup), it is refused with those changes listed, unless `force`: then the
    /// published statuses are carried over into the restored registry, so that no published
    /// revocation is ever undone. The registry it replaces is kept beside it, renamed, never
    /// deleted. The caller holds the issuer folder's lock alone.
    public static func restoreRegistry(folder: URL, from source: URL, force: Bool,
                                       clock: @escaping @Sendable () -> Int64 = systemClock) throws(IssuerError) -> RestoreReport {
        let layout = IssuerDirectory(root: folder)
        let settings = try readSettings(layout)
        guard let identity = settings.registry else {
            throw IssuerError(.restoreRefused, "this issuer's settings record no registry identity yet (made by an older version): open it once with this version before restoring")
        }
        if let address = settings.registryAddress {
            throw IssuerError(.registryEngineUnsupported, "this issuer's registry is in PostgreSQL (\(address)): restore it with PostgreSQL's own tools (pg_restore, or point-in-time recovery)")
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: source.path)
        guard (attributes?[.type] as? FileAttributeType) == .typeRegular else {
            throw IssuerError(.restoreRefused, "the backup \(source.path) is missing or not a regular file")
        }
        let staging = folder.appendingPathComponent(FileWriter.temporaryName(for: "registry.sqlite"))
        let stagingFiles = ["", "-wal", "-shm"].map { URL(fileURLWithPath: staging.path + $0) }
        func discardStaging() { for file in stagingFiles { try? FileManager.default.removeItem(at: file) } }
        do {
            var readOnly = Configuration()
            readOnly.readonly = true
            let from = try DatabaseQueue(path: source.path, configuration: readOnly)
            let copy = try DatabaseQueue(path: staging.path)
            try from.backup(to: copy)
            try from.close()
            try copy.close()
        } catch {
            discardStaging()
            throw IssuerError(.restoreRefused, "the backup \(source.path) is not a readable registry: \(SQLiteStore.describeSQLite(error))")
        }
        let now = clock()
        var carried: [Registry.LostChange] = []
        var closed: [Registry.MissingIssuances] = []
        do throws(IssuerError) {
            let staged = try Registry.open(.sqlite(staging), expected: identity, access: .readWrite, at: now).registry
            let damage = try staged.check().filter { $0.rule == "sqlite-integrity" }
            guard damage.isEmpty else {
                throw IssuerError(.restoreRefused, "the backup \(source.path) is damaged: \(damage.map(\.detail).joined(separator: "; "))")
            }
            let published = try PublicationRecord(folder: layout.publishedFolder).entries()
            let lost = try staged.lostChanges(published)
            let missing = try staged.missingIssuances(published)
            if !lost.isEmpty || !missing.isEmpty {
                guard force else {
                    var problems: [String] = []
                    if !lost.isEmpty {
                        problems.append("it would undo \(lost.count) published change(s): " + lost.prefix(10).map(\.description).joined(separator: "; ")
                                        + (lost.count > 10 ? "; …" : ""))
                    }
                    if !missing.isEmpty {
                        problems.append("it lacks credentials issued after it, whose codes would stay VALID with no record and whose indices would be given again: "
                                        + missing.map(\.description).joined(separator: "; "))
                    }
                    throw IssuerError(.restoreRefused, "the backup \(source.path) is older than the published status lists: " + problems.joined(separator: "; and "))
                }
                try staged.carryOver(lost, closing: missing.map(\.list), published: published, at: now)
                carried = lost
                closed = missing
            }
            // New events are numbered after every event the published lists reflect.
            try staged.continueEvents(after: published.compactMap(\.lastEventID).max() ?? 0)
            try staged.close()
        } catch let error {
            discardStaging()
            throw error
        }
        // One self-contained file (no WAL) to move into place.
        do {
            let queue = try DatabaseQueue(path: staging.path)
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            try queue.close()
        } catch {
            discardStaging()
            throw IssuerError(.restoreRefused, "cannot prepare the restored registry: \(SQLiteStore.describeSQLite(error))")
        }
        let previous = try setAside(layout.registryFile, at: now)
        guard rename(staging.path, layout.registryFile.path) == 0 else {
            // Put the registry that was there back, so the folder is as it was.
            if let previous { _ = rename(previous.path, layout.registryFile.path) }
            discardStaging()
            throw IssuerError(.restoreRefused, "cannot move the restored registry into place at \(layout.registryFile.path); the registry that was there is back in place")
        }
        discardStaging()
        return RestoreReport(carriedOver: carried, closedLists: closed, previous: previous)
    }

    /// Moves the registry at `url` (and its WAL files, after folding the WAL in when SQLite can)
    /// aside as `registry.sqlite.replaced-TIME`; nil when there was none.
    private static func setAside(_ url: URL, at now: Int64) throws(IssuerError) -> URL? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        if let pool = try? DatabasePool(path: url.path) {
            _ = try? pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try? pool.close()
        }
        let stamp = Instant.iso(now).replacingOccurrences(of: ":", with: "")
        let aside = URL(fileURLWithPath: url.path + ".replaced-\(stamp)-\(getpid())")
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: url.path + suffix) {
            guard rename(url.path + suffix, aside.path + suffix) == 0 else {
                throw IssuerError(.restoreRefused, "cannot move the current registry aside to \(aside.path)\(suffix)")
            }
        }
        return aside
    }
}
