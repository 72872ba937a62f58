import DL1Crypto
import DL1Format
import Foundation
import GRDB

/// The issuer's registry of status lists, credentials and events (SQLite through GRDB, WAL).
///
/// Every change is one transaction. A credential is recorded as `pending` before its code is
/// written anywhere and marked `written` after, so an interruption leaves at most a pending
/// record, never an unrecorded code.
public final class Registry: Sendable {
    let pool: DatabasePool

    /// Opens (and migrates) the registry at `url`, creating it when absent.
    public init(url: URL) throws(IssuerError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.foreignKeysEnabled = true
        do {
            pool = try DatabasePool(path: url.path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw IssuerError("cannot open the registry \(url.path): \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "status_list") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("uri", .text).notNull().unique()
                t.column("capacity", .integer).notNull()
                t.column("bits", .integer).notNull().defaults(to: 2)
            }
            try db.create(table: "credential") { t in
                t.column("cti", .blob).primaryKey()
                t.column("document_number", .text).notNull().indexed()
                t.column("list_id", .integer).notNull().references("status_list")
                t.column("idx", .integer).notNull()
                t.column("status", .integer).notNull().defaults(to: 0)
                t.column("state", .text).notNull()
                t.column("licence", .blob).notNull()
                t.column("signer_kid", .blob).notNull()
                t.column("iat", .integer).notNull()
                t.column("exp", .integer).notNull()
                t.column("output", .text)
                t.column("created_at", .integer).notNull()
                t.uniqueKey(["list_id", "idx"])
            }
            try db.create(table: "event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("cti", .blob).notNull().references("credential", onDelete: .cascade)
                t.column("document_number", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("at", .integer).notNull()
                t.column("detail", .text)
            }
        }
        return migrator
    }

    /// A status list's row.
    public struct ListInfo: Sendable, Hashable {
        public let id: Int64, name: String, uri: String, capacity: Int, bits: Int
    }

    /// A credential reserved by ``reserve(_:)``.
    public struct Reservation: Sendable, Hashable {
        public let credentialID: [UInt8]
        public let list: ListInfo
        public let index: UInt64
    }

    /// What the issuer records about a new credential.
    public struct NewCredential: Sendable {
        public var documentNumber: String
        public var licence: Licence
        public var signerKid: [UInt8]
        public var issuedAt: Int64
        public var expiresAt: Int64

        /// A credential to record.
        public init(documentNumber: String, licence: Licence, signerKid: [UInt8], issuedAt: Int64, expiresAt: Int64) {
            self.documentNumber = documentNumber
            self.licence = licence
            self.signerKid = signerKid
            self.issuedAt = issuedAt
            self.expiresAt = expiresAt
        }
    }

    /// Records a pending credential with a fresh random cti and a random free index in the
    /// current status list (a new list is started when it is full), with its `issued` event.
    public func reserve(_ credential: NewCredential, settings: IssuerSettings) throws(IssuerError) -> Reservation {
        do {
            return try pool.write { db in
                let list = try Self.currentList(db, settings: settings)
                let index = try Self.freeIndex(db, list: list)
                let cti = SecureRandom.bytes(16)
                try db.execute(sql: """
                    INSERT INTO credential (cti, document_number, list_id, idx, status, state, licence, signer_kid, iat, exp, created_at)
                    VALUES (?, ?, ?, ?, 0, 'pending', ?, ?, ?, ?, ?)
                    """, arguments: [Data(cti), credential.documentNumber, list.id, Int64(index),
                                     Data(CBOREncoder.encode(credential.licence.cbor)), Data(credential.signerKid),
                                     credential.issuedAt, credential.expiresAt, credential.issuedAt])
                try db.execute(sql: "INSERT INTO event (cti, document_number, kind, at, detail) VALUES (?, ?, 'issued', ?, ?)",
                               arguments: [Data(cti), credential.documentNumber, credential.issuedAt,
                                           "status list \(list.name) index \(index)"])
                return Reservation(credentialID: cti, list: list, index: index)
            }
        } catch let error as IssuerError {
            throw error
        } catch {
            throw IssuerError("cannot record the credential in the registry: \(error)")
        }
    }

    /// Marks a pending credential as written, with where its code went.
    public func markWritten(_ cti: [UInt8], output: String) throws(IssuerError) {
        do {
            try pool.write { db in
                try db.execute(sql: "UPDATE credential SET state = 'written', output = ? WHERE cti = ?", arguments: [output, Data(cti)])
            }
        } catch { throw IssuerError("cannot mark the credential as written: \(error)") }
    }

    /// Removes a pending credential whose code was never produced (a clean failure). When even
    /// that fails, the record stays pending and the next command reports it.
    @discardableResult
    public func discardPending(_ cti: [UInt8]) -> Bool {
        do {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM credential WHERE cti = ? AND state = 'pending'", arguments: [Data(cti)])
            }
            return true
        } catch {
            return false
        }
    }

    /// A credential left pending by an interrupted run.
    public struct Pending: Sendable, Hashable {
        public let credentialID: [UInt8]
        public let documentNumber: String
        public let createdAt: Int64
    }

    /// Marks every pending credential created before `cutoff` as abandoned and INVALID in its
    /// status list: whatever code may exist for it stops being accepted once the list is
    /// published. Returns how many were changed.
    public func abandonPending(before cutoff: Int64, at now: Int64) throws(IssuerError) -> Int {
        do {
            return try pool.write { db in
                let rows = try Row.fetchAll(db, sql: "SELECT cti, document_number FROM credential WHERE state = 'pending' AND created_at < ?",
                                            arguments: [cutoff])
                for row in rows {
                    let cti: Data = row["cti"]
                    try db.execute(sql: "UPDATE credential SET state = 'abandoned', status = 1 WHERE cti = ?", arguments: [cti])
                    try db.execute(sql: "INSERT INTO event (cti, document_number, kind, at, detail) VALUES (?, ?, 'abandoned', ?, ?)",
                                   arguments: [cti, row["document_number"] as String, now, "pending credential revoked by 'dl-issue pending --revoke'"])
                }
                return rows.count
            }
        } catch { throw IssuerError("cannot update the registry: \(error)") }
    }

    /// Credentials still pending.
    public func pending() throws(IssuerError) -> [Pending] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT cti, document_number, created_at FROM credential WHERE state = 'pending' ORDER BY created_at")
                    .map { Pending(credentialID: [UInt8]($0["cti"] as Data), documentNumber: $0["document_number"], createdAt: $0["created_at"]) }
            }
        } catch { throw IssuerError("cannot read the registry: \(error)") }
    }

    /// Every status list.
    public func lists() throws(IssuerError) -> [ListInfo] {
        do { return try pool.read { db in try Self.allLists(db) } }
        catch { throw IssuerError("cannot read the registry: \(error)") }
    }

    /// The non-VALID entries of a list: index → status value.
    public func statuses(listID: Int64) throws(IssuerError) -> [(index: Int, status: UInt8)] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT idx, status FROM credential WHERE list_id = ? AND status != 0", arguments: [listID])
                    .map { (index: $0["idx"], status: $0["status"]) }
            }
        } catch { throw IssuerError("cannot read the registry: \(error)") }
    }

    /// Number of credentials recorded.
    public func credentialCount() throws(IssuerError) -> Int {
        do { return try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM credential") ?? 0 } }
        catch { throw IssuerError("cannot read the registry: \(error)") }
    }

    private static func allLists(_ db: Database) throws -> [ListInfo] {
        try Row.fetchAll(db, sql: "SELECT id, name, uri, capacity, bits FROM status_list ORDER BY id").map {
            ListInfo(id: $0["id"], name: $0["name"], uri: $0["uri"], capacity: $0["capacity"], bits: $0["bits"])
        }
    }

    private static func currentList(_ db: Database, settings: IssuerSettings) throws -> ListInfo {
        if let last = try allLists(db).last {
            let used = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM credential WHERE list_id = ?", arguments: [last.id]) ?? 0
            if used < last.capacity { return last }
        }
        let number = (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM status_list") ?? 0) + 1
        let name = "statuslist-\(number)"
        let uri = "\(settings.statusURIBase)/\(number)"
        try db.execute(sql: "INSERT INTO status_list (name, uri, capacity, bits) VALUES (?, ?, ?, 2)",
                       arguments: [name, uri, settings.statusListCapacity])
        return ListInfo(id: db.lastInsertedRowID, name: name, uri: uri, capacity: settings.statusListCapacity, bits: 2)
    }

    /// A uniformly random free index: random draws first, then (for a nearly full list) a
    /// random pick among the free indices.
    private static func freeIndex(_ db: Database, list: ListInfo) throws -> UInt64 {
        for _ in 0..<32 {
            let candidate = SecureRandom.uniform(UInt64(list.capacity))
            let taken = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM credential WHERE list_id = ? AND idx = ?)",
                                          arguments: [list.id, Int64(candidate)]) ?? false
            if !taken { return candidate }
        }
        let used = Set(try Int.fetchAll(db, sql: "SELECT idx FROM credential WHERE list_id = ?", arguments: [list.id]))
        let free = (0..<list.capacity).filter { !used.contains($0) }
        guard !free.isEmpty else { throw IssuerError("status list \(list.name) is full") }
        return UInt64(free[Int(SecureRandom.uniform(UInt64(free.count)))])
    }
}
