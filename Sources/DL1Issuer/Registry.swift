import DL1Crypto
import DL1Format
import Foundation
import GRDB

/// The issuer's registry of status lists, credentials and events (SQLite through GRDB, WAL).
///
/// Every change is one IMMEDIATE transaction, so several `dl-issue` processes can work on one
/// registry at once: SQLite serializes their writes, the busy timeout makes them wait their
/// turn, and unique constraints on cti and (list, index) guard the rest. A credential is
/// recorded as `pending` before its code is written anywhere and marked `written` after, so an
/// interruption leaves at most a pending record, never an unrecorded code.
public final class Registry: Sendable {
    let pool: any DatabaseWriter

    /// Status values as the registry's SQL writes them (CredentialStatus's raw values), so that no
    /// query spells a status as a bare number.
    enum Status {
        static let valid = CredentialStatus.valid.rawValue, invalid = CredentialStatus.invalid.rawValue
        static let suspended = CredentialStatus.suspended.rawValue, superseded = CredentialStatus.superseded.rawValue
        /// A live credential's statuses, as an SQL list: VALID or SUSPENDED.
        static let live = "(\(valid), \(suspended))"
    }

    /// How a registry is opened.
    public enum Access: Sendable, Hashable {
        /// Reads and writes; brings an older schema up to date.
        case readWrite
        /// Reads only (listing, showing, checking): works on a read-only file or folder.
        case readOnly
    }

    init(pool: any DatabaseWriter) { self.pool = pool }

    /// Opens an SQLite database file as a pool (WAL), without creating or migrating anything.
    /// Read-only, when the folder does not let this user create SQLite's shared-memory file and
    /// the write-ahead log is empty, the file is opened as immutable (there is nothing else to read).
    static func openPool(_ url: URL, access: Access) throws(IssuerError) -> any DatabaseWriter {
        var configuration = Configuration()
        configuration.busyMode = .timeout(60)
        configuration.foreignKeysEnabled = true
        configuration.readonly = access == .readOnly
        do {
            do {
                let pool = try DatabasePool(path: url.path, configuration: configuration)
                if access == .readOnly { _ = try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") } }
                return pool
            } catch let error as DatabaseError where access == .readOnly
                        && (error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_CANTOPEN) {
                let wal = (try? FileManager.default.attributesOfItem(atPath: url.path + "-wal"))?[.size] as? NSNumber
                guard (wal?.intValue ?? 0) == 0, let path = url.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) else {
                    throw IssuerError(.registryReadOnly, "cannot read the registry \(url.path): its folder is not writable for this user and its write-ahead log holds changes not yet folded in (run any command as a user who may write it)")
                }
                return try DatabaseQueue(path: "file:\(path)?mode=ro&immutable=1", configuration: configuration)
            }
        } catch let error as IssuerError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw IssuerError(.registryDamaged, "the registry \(url.path) is not an SQLite database")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_CANTOPEN {
            throw IssuerError(.registryReadOnly, "cannot open the registry \(url.path) (\(error.message ?? "\(error.resultCode)")): check the permissions of the file and its folder")
        } catch {
            throw IssuerError(.registryDamaged, "cannot open the registry \(url.path): \(Self.describe(error))")
        }
    }

    /// SQLite's own words for a database error, without the statement that caused it.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "\(error)" }
        switch error.resultCode {
        case .SQLITE_READONLY: return "the registry is read-only (check the permissions of the file and its folder)"
        case .SQLITE_FULL: return "the disk is full"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return "SQLite reports the registry damaged (\(error.message ?? "corrupt"))"
        case .SQLITE_BUSY: return "the registry stayed locked by another process for too long"
        default: return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
    }

    /// Schema versions; a registry made by an older version is brought up to date on open.
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
        migrator.registerMigration("v2: lifecycle and batches") { db in
            try db.alter(table: "credential") { t in
                t.add(column: "batch_key", .text)
                t.add(column: "superseded_by", .blob)
            }
            try db.create(index: "credential_batch_key", on: "credential", columns: ["batch_key"], unique: true)
            try db.create(index: "event_document_number", on: "event", columns: ["document_number"])
        }
        migrator.registerMigration("v3: index pool") { db in
            // Each list's free indices form a virtual array pool[0..<capacity-used], where
            // pool[i] = i unless index_pool says otherwise. Drawing a uniformly random position
            // and moving the last free entry into it (a lazy Fisher–Yates shuffle) gives every
            // free index the same chance at O(1) cost, even in a nearly full list.
            try db.alter(table: "status_list") { t in t.add(column: "used", .integer).notNull().defaults(to: 0) }
            try db.create(table: "index_pool") { t in
                t.column("list_id", .integer).notNull().references("status_list")
                t.column("pos", .integer).notNull()
                t.column("idx", .integer).notNull()
                t.primaryKey(["list_id", "pos"])
            }
            // Publishing reads only the non-VALID entries: a partial index finds them without
            // scanning every credential.
            try db.execute(sql: "CREATE INDEX credential_not_valid ON credential(list_id) WHERE status != 0")
            for list in try Row.fetchAll(db.cachedStatement(sql: "SELECT id, capacity FROM status_list")) {
                let id: Int64 = list["id"], capacity: Int = list["capacity"]
                let used = try Int.fetchAll(db.cachedStatement(sql: "SELECT idx FROM credential WHERE list_id = ? ORDER BY idx"), arguments: [id])
                let free = capacity - used.count
                // Positions below `free` that hold a used index take the free indices at or above `free`.
                let usedSet = Set(used)
                var spare = (free..<capacity).lazy.filter { !usedSet.contains($0) }.makeIterator()
                for position in used where position < free {
                    guard let replacement = spare.next() else { break }
                    try db.cachedStatement(sql: "INSERT INTO index_pool (list_id, pos, idx) VALUES (?, ?, ?)").execute(arguments: [id, position, replacement])
                }
                try db.cachedStatement(sql: "UPDATE status_list SET used = ? WHERE id = ?").execute(arguments: [used.count, id])
            }
        }
        migrator.registerMigration("v4: signer usage") { db in
            // The latest exp of any code each signer ever signed (a credential's later codes may
            // be signed by another key, but its earlier ones stay out there until they expire).
            try db.create(table: "signer_usage") { t in
                t.column("kid", .blob).primaryKey()
                t.column("last_exp", .integer).notNull()
            }
            try db.execute(sql: "INSERT INTO signer_usage (kid, last_exp) SELECT signer_kid, MAX(exp) FROM credential GROUP BY signer_kid")
        }
        migrator.registerMigration("v5: identity") { db in
            // One row: the registry's random id and schema version, also kept in the issuer's
            // settings, so a lost, emptied or swapped registry is refused instead of silently
            // starting over (which would forget every revocation).
            try db.create(table: "registry_identity") { t in
                t.column("id", .text).notNull()
                t.column("schema_version", .integer).notNull()
                t.column("created_at", .integer).notNull()
            }
            // The process that recorded a pending credential, so that another run can tell a
            // live concurrent issuer from an interrupted one.
            try db.alter(table: "credential") { t in
                t.add(column: "owner_pid", .integer)
                t.add(column: "owner_start", .integer)
                // The holder's device key (33-byte compressed point) of a bound credential (FORMAT §7.1).
                t.add(column: "holder_key", .blob)
            }
            // Indices a published list shows non-VALID but no credential here holds (after a
            // forced restore of an older backup): published with that status, never handed out.
            try db.create(table: "retired_index") { t in
                t.column("list_id", .integer).notNull().references("status_list")
                t.column("idx", .integer).notNull()
                t.column("status", .integer).notNull()
                t.column("at", .integer).notNull()
                t.column("reason", .text).notNull()
                t.primaryKey(["list_id", "idx"])
            }
            // A list closed by a forced restore: it holds credentials this registry does not
            // know, so none of its free indices is handed out again.
            try db.alter(table: "status_list") { t in t.add(column: "closed", .integer).notNull().defaults(to: 0) }
        }
        return migrator
    }

    /// Records that `kid` signed a code valid until `exp`.
    static func noteSignature(_ db: Database, kid: [UInt8], exp: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT INTO signer_usage (kid, last_exp) VALUES (?, ?)
            ON CONFLICT(kid) DO UPDATE SET last_exp = max(last_exp, excluded.last_exp)
            """).execute(arguments: [Data(kid), exp])
    }

    /// Runs `body` in one IMMEDIATE transaction (it takes the write lock at once, so concurrent
    /// processes queue instead of failing on a lock upgrade).
    func transaction<T>(_ body: @escaping (Database) throws -> T) throws(IssuerError) -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch let error as IssuerError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
            throw IssuerError(.registryReadOnly, "the registry is read-only: check the permissions of registry.sqlite and of the issuer folder")
        } catch {
            throw IssuerError("the registry refused the change: \(Self.describe(error))")
        }
    }

    /// Runs a read.
    func read<T>(_ body: @escaping (Database) throws -> T) throws(IssuerError) -> T {
        do { return try pool.read(body) }
        catch let error as IssuerError { throw error }
        catch { throw IssuerError("cannot read the registry: \(Self.describe(error))") }
    }

    /// A status list's row.
    public struct ListInfo: Sendable, Hashable {
        public let id: Int64, name: String, uri: String, capacity: Int, bits: Int
    }

    /// Every status list.
    public func lists() throws(IssuerError) -> [ListInfo] {
        try read { db in try Self.allLists(db) }
    }

    /// The non-VALID entries of a list: index → status value.
    public func statuses(listID: Int64) throws(IssuerError) -> [(index: Int, status: UInt8)] {
        try read { db in try Self.notValidEntries(db, listID: listID) }
    }

    /// A list's non-VALID entries: its credentials' and its retired indices'.
    static func notValidEntries(_ db: Database, listID: Int64) throws -> [(index: Int, status: UInt8)] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT idx, status FROM credential WHERE list_id = ? AND status != \(Status.valid)
            UNION ALL SELECT idx, status FROM retired_index WHERE list_id = ?
            """), arguments: [listID, listID])
            .map { (index: $0["idx"] as Int, status: $0["status"] as UInt8) }
    }

    /// Number of credentials recorded.
    public func credentialCount() throws(IssuerError) -> Int {
        try read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM credential")) ?? 0 }
    }

    /// Number of events of a kind (e.g. "issued").
    public func eventCount(kind: String) throws(IssuerError) -> Int {
        try read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM event WHERE kind = ?"), arguments: [kind]) ?? 0 }
    }

    /// Credentials without their `issued` (or replacement) event: must always be none.
    public func credentialsWithoutEvent() throws(IssuerError) -> Int {
        try read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM credential c WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.cti = c.cti)")) ?? 0
        }
    }

    /// Runs SQLite's own consistency check; returns its findings ("ok" when sound).
    public func integrityCheck() throws(IssuerError) -> [String] {
        try read { db in try String.fetchAll(db.cachedStatement(sql: "PRAGMA integrity_check")) }
    }

    static func allLists(_ db: Database) throws -> [ListInfo] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT id, name, uri, capacity, bits FROM status_list ORDER BY id")).map {
            ListInfo(id: $0["id"], name: $0["name"], uri: $0["uri"], capacity: $0["capacity"], bits: $0["bits"])
        }
    }

    /// The list new credentials go to: the newest with room, else a new one.
    static func currentList(_ db: Database, settings: IssuerSettings) throws -> ListInfo {
        if let last = try allLists(db).last {
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT used, closed FROM status_list WHERE id = ?"), arguments: [last.id])
            if let row, (row["used"] as Int) < last.capacity, (row["closed"] as Int) == 0 { return last }
        }
        let number = (try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM status_list")) ?? 0) + 1
        let name = "statuslist-\(number)"
        let uri = "\(settings.statusURIBase)/\(number)"
        try db.execute(sql: "INSERT INTO status_list (name, uri, capacity, bits) VALUES (?, ?, ?, 2)",
                       arguments: [name, uri, settings.statusListCapacity])
        return ListInfo(id: db.lastInsertedRowID, name: name, uri: uri, capacity: settings.statusListCapacity, bits: 2)
    }

    /// Draws a uniformly random free index of `list` (FORMAT §3: indices at random, so that a
    /// position tells nothing about when a licence was issued).
    static func freeIndex(_ db: Database, list: ListInfo) throws -> UInt64 {
        let used = try Int.fetchOne(db.cachedStatement(sql: "SELECT used FROM status_list WHERE id = ?"), arguments: [list.id]) ?? 0
        let free = list.capacity - used
        guard free > 0 else { throw IssuerError("status list \(list.name) is full") }
        let position = Int(SecureRandom.uniform(UInt64(free)))
        let chosen = try poolEntry(db, list: list.id, position: position)
        try removeFromPool(db, list: list.id, position: position, free: free)
        return UInt64(chosen)
    }

    /// Takes pool position `position` out of the free pool of `list` (which has `free` free
    /// entries): the last free entry moves into it.
    static func removeFromPool(_ db: Database, list: Int64, position: Int, free: Int) throws {
        let last = try poolEntry(db, list: list, position: free - 1)
        if position != free - 1 {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO index_pool (list_id, pos, idx) VALUES (?, ?, ?)").execute(arguments: [list, position, last])
        }
        try db.cachedStatement(sql: "DELETE FROM index_pool WHERE list_id = ? AND pos = ?").execute(arguments: [list, free - 1])
        try db.cachedStatement(sql: "UPDATE status_list SET used = used + 1 WHERE id = ?").execute(arguments: [list])
    }

    /// Takes a given index out of the free pool of `list`; false when it is not free.
    static func takeIndex(_ db: Database, list: Int64, index: Int) throws -> Bool {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT capacity, used FROM status_list WHERE id = ?"), arguments: [list]) else { return false }
        let free = (row["capacity"] as Int) - (row["used"] as Int)
        var position: Int? = try Int.fetchOne(db.cachedStatement(sql: "SELECT pos FROM index_pool WHERE list_id = ? AND idx = ? AND pos < ?"),
                                              arguments: [list, index, free])
        if position == nil, index < free,
           try Int.fetchOne(db.cachedStatement(sql: "SELECT idx FROM index_pool WHERE list_id = ? AND pos = ?"), arguments: [list, index]) == nil {
            position = index
        }
        guard let position else { return false }
        try removeFromPool(db, list: list, position: position, free: free)
        return true
    }

    /// Gives an index back to its list's pool (a credential discarded before its code existed).
    static func returnIndex(_ db: Database, list: Int64, index: Int) throws {
        let used = try Int.fetchOne(db.cachedStatement(sql: "SELECT used FROM status_list WHERE id = ?"), arguments: [list]) ?? 0
        let capacity = try Int.fetchOne(db.cachedStatement(sql: "SELECT capacity FROM status_list WHERE id = ?"), arguments: [list]) ?? 0
        let free = capacity - used
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO index_pool (list_id, pos, idx) VALUES (?, ?, ?)").execute(arguments: [list, free, index])
        try db.cachedStatement(sql: "UPDATE status_list SET used = used - 1 WHERE id = ?").execute(arguments: [list])
    }

    static func poolEntry(_ db: Database, list: Int64, position: Int) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT idx FROM index_pool WHERE list_id = ? AND pos = ?"), arguments: [list, position]) ?? position
    }

    static func addEvent(_ db: Database, cti: [UInt8], number: String, kind: String, at: Int64, detail: String?) throws {
        try db.execute(sql: "INSERT INTO event (cti, document_number, kind, at, detail) VALUES (?, ?, ?, ?, ?)",
                       arguments: [Data(cti), number, kind, at, detail])
    }
}
