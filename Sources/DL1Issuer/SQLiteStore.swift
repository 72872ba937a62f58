import Foundation
import GRDB

/// A registry in one SQLite file through GRDB (WAL): the embedded default for one office.
///
/// Every write is one IMMEDIATE transaction, so several processes can work on one file: SQLite
/// serializes their writes and the busy timeout makes them wait their turn.
final class SQLiteStore: RegistryStore {
    let pool: any DatabaseWriter
    let url: URL

    init(pool: any DatabaseWriter, url: URL) {
        self.pool = pool
        self.url = url
    }

    var engine: RegistryEngine { .sqlite }
    var location: String { url.path }

    /// Opens an SQLite database file as a pool (WAL), without creating or migrating anything.
    /// Read-only, when the folder does not let this user create SQLite's shared-memory file and
    /// the write-ahead log is empty, the file is opened as immutable (there is nothing else to read).
    static func open(_ url: URL, access: Registry.Access) throws(IssuerError) -> SQLiteStore {
        var configuration = Configuration()
        configuration.busyMode = .timeout(60)
        configuration.foreignKeysEnabled = true
        configuration.readonly = access == .readOnly
        do {
            do {
                let pool = try DatabasePool(path: url.path, configuration: configuration)
                if access == .readOnly { _ = try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") } }
                return SQLiteStore(pool: pool, url: url)
            } catch let error as DatabaseError where access == .readOnly
                        && (error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_CANTOPEN) {
                let wal = (try? FileManager.default.attributesOfItem(atPath: url.path + "-wal"))?[.size] as? NSNumber
                guard (wal?.intValue ?? 0) == 0, let path = url.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) else {
                    throw IssuerError(.registryReadOnly, "cannot read the registry \(url.path): its folder is not writable for this user and its write-ahead log holds changes not yet folded in (run any command as a user who may write it)")
                }
                return SQLiteStore(pool: try DatabaseQueue(path: "file:\(path)?mode=ro&immutable=1", configuration: configuration), url: url)
            }
        } catch let error as IssuerError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw IssuerError(.registryDamaged, "the registry \(url.path) is not an SQLite database")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_CANTOPEN {
            throw IssuerError(.registryReadOnly, "cannot open the registry \(url.path) (\(error.message ?? "\(error.resultCode)")): check the permissions of the file and its folder")
        } catch {
            throw IssuerError(.registryDamaged, "cannot open the registry \(url.path): \(describeSQLite(error))")
        }
    }

    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(Session(db: db))
                    return .commit
                }
                return result!
            }
        }
    }

    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in try pool.read { db in try body(Session(db: db)) } }
    }

    func withoutTransaction<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in try pool.writeWithoutTransaction { db in try body(Session(db: db)) } }
    }

    func describe(_ error: any Error) -> String { Self.describeSQLite(error) }

    func isReadOnly(_ error: any Error) -> Bool {
        (error as? DatabaseError)?.resultCode == .SQLITE_READONLY
    }

    func close() throws { try pool.close() }

    /// Copies the database into the (empty) file `file` with SQLite's online backup: a
    /// consistent snapshot even while other processes write. The copy keeps no WAL.
    func backup(into file: URL) throws {
        let copy = try DatabaseQueue(path: file.path)
        try pool.backup(to: copy)
        try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        try copy.close()
    }

    /// SQLite's own words for a database error, without the statement that caused it.
    static func describeSQLite(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "\(error)" }
        switch error.resultCode {
        case .SQLITE_READONLY: return "the registry is read-only (check the permissions of the file and its folder)"
        case .SQLITE_FULL: return "the disk is full"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return "SQLite reports the registry damaged (\(error.message ?? "corrupt"))"
        case .SQLITE_BUSY: return "the registry stayed locked by another process for too long"
        default: return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
    }

    /// A GRDB connection as the registry's session: every statement is prepared once and cached.
    struct Session: SQLSession {
        let db: Database
        var engine: RegistryEngine { .sqlite }

        func execute(sql: String, arguments: [any SQLBindable]) throws -> Int {
            try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
            return db.changesCount
        }

        func each(sql: String, arguments: [any SQLBindable], _ body: (SQLRow) throws -> Void) throws {
            let statement = try db.cachedStatement(sql: sql)
            let columns = SQLColumns(statement.columnNames)
            let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
            while let row = try cursor.next() {
                try body(SQLRow(columns: columns, values: (0..<row.count).map { Self.value(row[$0] as DatabaseValue) }))
            }
        }

        /// GRDB's arguments, made from concrete `DatabaseValue`s (its initializer for optional
        /// existentials cost more per value than SQLite's own work for the row).
        static func arguments(_ values: [any SQLBindable]) -> StatementArguments {
            StatementArguments(values.map { value -> DatabaseValue in
                switch value.sqlValue {
                case .integer(let v): v.databaseValue
                case .text(let v): v.databaseValue
                case .blob(let v): Data(v).databaseValue
                case .null: .null
                }
            })
        }

        static func value(_ value: DatabaseValue) -> SQLValue {
            switch value.storage {
            case .null: .null
            case .int64(let v): .integer(v)
            case .double(let v): .integer(Int64(v))
            case .string(let v): .text(v)
            case .blob(let v): .blob([UInt8](v))
            }
        }
    }
}
