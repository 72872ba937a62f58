import DL1Crypto
import DL1Format
import Foundation

/// The issuer's registry of status lists, credentials and events, on SQLite (one file, the
/// default for one office) or PostgreSQL (shared by many offices and processes).
///
/// Every change is one write transaction, and writers take turns (SQLite's IMMEDIATE
/// transactions; a transaction-scoped advisory lock on PostgreSQL), so several `dl-issue`
/// processes can work on one registry at once; unique constraints on cti and (list, index)
/// guard the rest. A credential is recorded as `pending` before its code is written anywhere
/// and marked `written` after, so an interruption leaves at most a pending record, never an
/// unrecorded code.
public final class Registry: Sendable {
    let store: any RegistryStore

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

    init(store: any RegistryStore) { self.store = store }

    /// The engine the registry runs on.
    public var engine: String { store.engine == .sqlite ? "sqlite" : "postgresql" }

    /// Records that `kid` signed a code valid until `exp`.
    static func noteSignature(_ db: any SQLSession, kid: [UInt8], exp: Int64) throws {
        try db.execute(sql: """
            INSERT INTO signer_usage (kid, last_exp) VALUES (?, ?)
            ON CONFLICT (kid) DO UPDATE SET last_exp = CASE WHEN excluded.last_exp > signer_usage.last_exp THEN excluded.last_exp ELSE signer_usage.last_exp END
            """, arguments: [kid, exp])
    }

    /// Runs `body` in one write transaction (writers from every process take turns; each sees
    /// every change committed before it).
    func transaction<T>(_ body: (any SQLSession) throws -> T) throws(IssuerError) -> T {
        do {
            return try store.write(body)
        } catch let error as IssuerError {
            throw error
        } catch where store.isReadOnly(error) {
            throw IssuerError(.registryReadOnly, "the registry \(store.location) is read-only: check its permissions (for SQLite, of the file and of the issuer folder)")
        } catch {
            throw IssuerError(.registryRefused, "the registry refused the change: \(store.describe(error))")
        }
    }

    /// Runs a read on one consistent snapshot.
    func read<T>(_ body: (any SQLSession) throws -> T) throws(IssuerError) -> T {
        do { return try store.read(body) }
        catch let error as IssuerError { throw error }
        catch { throw IssuerError(.registryUnreadable, "cannot read the registry: \(store.describe(error))") }
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
        try read { db in
            var entries: [(index: Int, status: UInt8)] = []
            try Self.eachNotValidEntry(db, listID: listID) { entries.append(($0, $1)) }
            return entries
        }
    }

    /// Calls `body` with each of a list's non-VALID entries (its credentials' and its retired
    /// indices'), without holding them all in memory: SQLite's cursor streams the rows; from
    /// PostgreSQL they come in pages of ``entryPage`` in index order.
    static func eachNotValidEntry(_ db: any SQLSession, listID: Int64, _ body: (Int, UInt8) throws -> Void) throws {
        guard db.engine == .postgres else {
            try db.each(sql: """
                SELECT idx, status FROM credential WHERE list_id = ? AND status != \(Status.valid)
                UNION ALL SELECT idx, status FROM retired_index WHERE list_id = ?
                """, arguments: [listID, listID]) { row in try body(row["idx"], row["status"]) }
            return
        }
        for table in ["credential", "retired_index"] {
            try eachInIndexOrder(db, table: table, listID: listID, columns: "idx, status", condition: "status != \(Status.valid)") { row in
                try body(row["idx"], row["status"])
            }
        }
    }

    /// Calls `body` with the rows of `table` in list `listID` that meet `condition`, in index
    /// order, a page of ``entryPage`` at a time (PostgresNIO holds a whole result in memory;
    /// pages keep that to one page whatever the list's size).
    static func eachInIndexOrder(_ db: any SQLSession, table: String, listID: Int64, columns: String, condition: String = "TRUE",
                                 _ body: (SQLRow) throws -> Void) throws {
        var after = -1, count = entryPage
        while count == entryPage {
            count = 0
            try db.each(sql: "SELECT \(columns) FROM \(table) WHERE list_id = ? AND \(condition) AND idx > ? ORDER BY idx LIMIT \(entryPage)",
                        arguments: [listID, after]) { row in
                count += 1
                after = try row["idx"]
                try body(row)
            }
        }
    }

    /// Rows per page when entries are read from PostgreSQL.
    static let entryPage = 50_000

    /// Number of credentials recorded.
    public func credentialCount() throws(IssuerError) -> Int {
        try read { db in try db.value(sql: "SELECT COUNT(*) FROM credential") ?? 0 }
    }

    /// Number of events of a kind (e.g. "issued").
    public func eventCount(kind: String) throws(IssuerError) -> Int {
        try read { db in try db.value(sql: "SELECT COUNT(*) FROM event WHERE kind = ?", arguments: [kind]) ?? 0 }
    }

    /// Credentials without their `issued` (or replacement) event: must always be none.
    public func credentialsWithoutEvent() throws(IssuerError) -> Int {
        try read { db in
            try db.value(sql: "SELECT COUNT(*) FROM credential c WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.cti = c.cti)") ?? 0
        }
    }

    /// The space the registry takes, in bytes (the PostgreSQL database's size, or the SQLite
    /// file's pages).
    public func databaseSize() throws(IssuerError) -> Int {
        try read { db in
            switch db.engine {
            case .postgres: return try db.value(sql: "SELECT pg_database_size(current_database())") ?? 0
            case .sqlite:
                let pages: Int = try db.value(sql: "PRAGMA page_count") ?? 0
                let size: Int = try db.value(sql: "PRAGMA page_size") ?? 0
                return pages * size
            }
        }
    }

    /// The engine's own consistency check (SQLite's integrity_check): empty when sound.
    public func integrityCheck() throws(IssuerError) -> [String] {
        try read { db in try store.integrityFindings(db) }
    }

    static func allLists(_ db: any SQLSession) throws -> [ListInfo] {
        try db.rows(sql: "SELECT id, name, uri, capacity, bits FROM status_list ORDER BY id").map {
            ListInfo(id: try $0["id"], name: try $0["name"], uri: try $0["uri"], capacity: try $0["capacity"], bits: try $0["bits"])
        }
    }

    /// The list new credentials go to: the newest with room, else a new one.
    static func currentList(_ db: any SQLSession, settings: IssuerSettings) throws -> ListInfo {
        if let last = try allLists(db).last {
            let row = try db.row(sql: "SELECT used, closed FROM status_list WHERE id = ?", arguments: [last.id])
            if let row, try (row["used"] as Int) < last.capacity, try (row["closed"] as Int) == 0 { return last }
        }
        let number = (try db.value(sql: "SELECT COUNT(*) FROM status_list") ?? 0) + 1
        let name = "statuslist-\(number)"
        let uri = "\(settings.statusURIBase)/\(number)"
        let id: Int64 = try db.value(sql: "INSERT INTO status_list (name, uri, capacity, bits) VALUES (?, ?, ?, 2) RETURNING id",
                                     arguments: [name, uri, settings.statusListCapacity]) ?? 0
        return ListInfo(id: id, name: name, uri: uri, capacity: settings.statusListCapacity, bits: 2)
    }

    /// How many indices of `list` are free.
    static func freeCount(_ db: any SQLSession, list: ListInfo) throws -> Int {
        let used: Int = try db.value(sql: "SELECT used FROM status_list WHERE id = ?", arguments: [list.id]) ?? 0
        return list.capacity - used
    }

    /// Draws `count` distinct uniformly random free indices of `list` at once: the same lazy
    /// Fisher–Yates draws as ``freeIndex(_:list:)`` one after the other, with the pool entries
    /// they touch read in one query and written back in one.
    static func freeIndices(_ db: any SQLSession, list: ListInfo, count: Int) throws -> [UInt64] {
        guard count > 1 else { return count == 1 ? [try freeIndex(db, list: list)] : [] }
        let free = try freeCount(db, list: list)
        guard count <= free else { throw IssuerError(.statusListFull, "status list \(list.name) has \(free) free indices, not \(count)") }
        let tail = free - count
        let positions = SecureRandom.uniform((0..<count).map { k in UInt64(free - k) }).map { Int($0) }
        var pool: [Int: Int] = [:]
        let lookups = Array(Set(positions.filter { $0 < tail }))
        try db.each(sql: "SELECT pos, idx FROM index_pool WHERE list_id = ? AND pos >= ?", arguments: [list.id, tail]) { row in
            pool[try row["pos"]] = try row["idx"]
        }
        try db.eachIn(sql: "SELECT pos, idx FROM index_pool WHERE list_id = ? AND pos IN {IN}", before: [list.id], values: lookups) { row in
            pool[try row["pos"]] = try row["idx"]
        }
        var chosen: [UInt64] = []
        chosen.reserveCapacity(count)
        var changed = Set<Int>()
        for (k, position) in positions.enumerated() {
            let last = free - k - 1
            chosen.append(UInt64(pool[position] ?? position))
            if position != last {
                pool[position] = pool[last] ?? last
                changed.insert(position)
            }
            pool[last] = nil
        }
        try db.insertRows(into: "index_pool", columns: ["list_id", "pos", "idx"],
                          rows: changed.filter { $0 < tail }.sorted().map { [list.id, $0, pool[$0]!] },
                          suffix: "ON CONFLICT (list_id, pos) DO UPDATE SET idx = excluded.idx")
        try db.execute(sql: "DELETE FROM index_pool WHERE list_id = ? AND pos >= ?", arguments: [list.id, tail])
        try db.execute(sql: "UPDATE status_list SET used = used + ? WHERE id = ?", arguments: [count, list.id])
        return chosen
    }

    /// Draws a uniformly random free index of `list` (FORMAT §3: indices at random, so that a
    /// position tells nothing about when a licence was issued).
    static func freeIndex(_ db: any SQLSession, list: ListInfo) throws -> UInt64 {
        let used: Int = try db.value(sql: "SELECT used FROM status_list WHERE id = ?", arguments: [list.id]) ?? 0
        let free = list.capacity - used
        guard free > 0 else { throw IssuerError(.statusListFull, "status list \(list.name) is full") }
        let position = Int(SecureRandom.uniform(UInt64(free)))
        let chosen = try poolEntry(db, list: list.id, position: position)
        try removeFromPool(db, list: list.id, position: position, free: free)
        return UInt64(chosen)
    }

    /// Takes pool position `position` out of the free pool of `list` (which has `free` free
    /// entries): the last free entry moves into it.
    static func removeFromPool(_ db: any SQLSession, list: Int64, position: Int, free: Int) throws {
        let last = try poolEntry(db, list: list, position: free - 1)
        if position != free - 1 {
            try setPoolEntry(db, list: list, position: position, index: last)
        }
        try db.execute(sql: "DELETE FROM index_pool WHERE list_id = ? AND pos = ?", arguments: [list, free - 1])
        try db.execute(sql: "UPDATE status_list SET used = used + 1 WHERE id = ?", arguments: [list])
    }

    static func setPoolEntry(_ db: any SQLSession, list: Int64, position: Int, index: Int) throws {
        try db.execute(sql: """
            INSERT INTO index_pool (list_id, pos, idx) VALUES (?, ?, ?)
            ON CONFLICT (list_id, pos) DO UPDATE SET idx = excluded.idx
            """, arguments: [list, position, index])
    }

    /// Takes a given index out of the free pool of `list`; false when it is not free.
    static func takeIndex(_ db: any SQLSession, list: Int64, index: Int) throws -> Bool {
        guard let row = try db.row(sql: "SELECT capacity, used FROM status_list WHERE id = ?", arguments: [list]) else { return false }
        let free = try (row["capacity"] as Int) - (row["used"] as Int)
        var position: Int? = try db.value(sql: "SELECT pos FROM index_pool WHERE list_id = ? AND idx = ? AND pos < ?", arguments: [list, index, free])
        if position == nil, index < free,
           try (db.value(sql: "SELECT idx FROM index_pool WHERE list_id = ? AND pos = ?", arguments: [list, index]) as Int?) == nil {
            position = index
        }
        guard let position else { return false }
        try removeFromPool(db, list: list, position: position, free: free)
        return true
    }

    /// Gives an index back to its list's pool (a credential discarded before its code existed).
    static func returnIndex(_ db: any SQLSession, list: Int64, index: Int) throws {
        guard let row = try db.row(sql: "SELECT capacity, used FROM status_list WHERE id = ?", arguments: [list]) else { return }
        let free = try (row["capacity"] as Int) - (row["used"] as Int)
        try setPoolEntry(db, list: list, position: free, index: index)
        try db.execute(sql: "UPDATE status_list SET used = used - 1 WHERE id = ?", arguments: [list])
    }

    static func poolEntry(_ db: any SQLSession, list: Int64, position: Int) throws -> Int {
        try db.value(sql: "SELECT idx FROM index_pool WHERE list_id = ? AND pos = ?", arguments: [list, position]) ?? position
    }

    static func addEvent(_ db: any SQLSession, cti: [UInt8], number: String, kind: String, at: Int64, detail: String?) throws {
        try db.execute(sql: "INSERT INTO event (cti, document_number, kind, at, detail) VALUES (?, ?, ?, ?, ?)",
                       arguments: [cti, number, kind, at, detail])
    }
}
