import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// A PostgreSQL database that holds a registry: `postgres://USER@HOST[:PORT]/DATABASE`, with an
/// optional `?sslmode=disable|require`. The password never comes from the address (nor the
/// command line): it is given separately, read from a file or an environment variable.
public struct PostgresAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    /// Whether the connection must use TLS (verified against the system's trust store).
    public var requireTLS: Bool
    /// The password; never part of ``description``.
    public var password: String?

    /// The address `url` (`postgres://` or `postgresql://`), with `password` kept beside it.
    public init(url: String, password: String? = nil) throws(IssuerError) {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), ["postgres", "postgresql"].contains(scheme) else {
            throw IssuerError(.registryAddressInvalid, "\(url) is not a PostgreSQL address (postgres://USER@HOST[:PORT]/DATABASE)")
        }
        guard parts.password == nil else {
            throw IssuerError(.registryAddressInvalid, "the registry address carries a password: give the password in a file or an environment variable instead, so that it never shows in a process list or a settings file")
        }
        guard let host = parts.host, !host.isEmpty, let user = parts.user, !user.isEmpty else {
            throw IssuerError(.registryAddressInvalid, "\(url) names no host or no user (postgres://USER@HOST[:PORT]/DATABASE)")
        }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw IssuerError(.registryAddressInvalid, "\(url) names no database (postgres://USER@HOST[:PORT]/DATABASE)")
        }
        let port = parts.port ?? 5432
        guard (1...65535).contains(port) else { throw IssuerError(.registryAddressInvalid, "\(url): port \(port) is out of range") }
        var requireTLS = !["127.0.0.1", "::1", "localhost"].contains(host)
        for item in parts.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("sslmode", "disable"): requireTLS = false
            case ("sslmode", "require"), ("sslmode", "verify-full"): requireTLS = true
            default:
                throw IssuerError(.registryAddressInvalid, "\(url): unknown setting \(item.name)=\(item.value ?? "") (only sslmode=disable or sslmode=require)")
            }
        }
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.requireTLS = requireTLS
        self.password = password
    }

    /// The address without its password, as settings record it.
    public var url: String {
        let defaultTLS = !["127.0.0.1", "::1", "localhost"].contains(host)
        let mode = requireTLS == defaultTLS ? "" : (requireTLS ? "?sslmode=require" : "?sslmode=disable")
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)\(mode)"
    }

    public var description: String { url }

    public static func == (a: Self, b: Self) -> Bool { a.url == b.url }
    public func hash(into hasher: inout Hasher) { hasher.combine(url) }
}

/// A registry in PostgreSQL through PostgresNIO: one database shared by every office and process
/// that names it.
///
/// Writers take turns through a transaction-scoped advisory lock taken as a write transaction's
/// first statement (READ COMMITTED, so every later statement sees what earlier writers
/// committed): the same discipline as SQLite's IMMEDIATE transactions, so the registry's logic
/// is the same on both engines, and the database's constraints (primary keys, unique (list,
/// index), one live credential per document number) hold whatever a client does. Reads run on
/// one REPEATABLE READ snapshot. Calls block the calling thread; the work runs on NIO's event
/// loops.
final class PostgresStore: RegistryStore, @unchecked Sendable {
    // `lock` guards `connection` and `depth`: one transaction at a time on the connection.
    let address: PostgresAddress
    private let lock = NSRecursiveLock()
    private var connection: PostgresConnection?
    private var depth = 0
    private let logger: Logger

    /// The advisory lock key writers take ("DL1R").
    static let writerLockKey: Int64 = 0x444C_3152

    private init(address: PostgresAddress) {
        self.address = address
        var logger = Logger(label: "dl1.registry.postgres")
        logger.logLevel = .critical
        self.logger = logger
    }

    var engine: RegistryEngine { .postgres }
    var location: String { address.description }

    /// Connects to the database at `address`.
    static func connect(_ address: PostgresAddress) throws(IssuerError) -> PostgresStore {
        let store = PostgresStore(address: address)
        try store.reconnect()
        return store
    }

    private func reconnect() throws(IssuerError) {
        let tls: PostgresConnection.Configuration.TLS
        if address.requireTLS {
            do { tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration())) } catch {
                throw IssuerError(.registryUnreachable, "cannot set up TLS for \(address): \(error)")
            }
        } else {
            tls = .disable
        }
        var configuration = PostgresConnection.Configuration(host: address.host, port: address.port, username: address.user,
                                                             password: address.password, database: address.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        do {
            connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration,
                                                        id: 1, logger: logger).wait()
        } catch {
            throw IssuerError(.registryUnreachable, "cannot connect to the registry \(address): \(describe(error))")
        }
    }

    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL READ COMMITTED", lockWriters: true, body)
    }

    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", lockWriters: false, body)
    }

    func withoutTransaction<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(Session(store: self))
    }

    private func transaction<T>(begin: String, lockWriters: Bool, _ body: (any SQLSession) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        let session = Session(store: self)
        // A transaction inside another (a read while writing) runs in the outer one.
        if depth > 0 { return try body(session) }
        if connection == nil || connection!.isClosed { try reconnect() }
        try session.execute(sql: begin)
        depth += 1
        defer { depth -= 1 }
        do {
            if lockWriters { _ = try session.execute(sql: "SELECT pg_advisory_xact_lock(?)", arguments: [Self.writerLockKey]) }
            let result = try body(session)
            try session.execute(sql: "COMMIT")
            return result
        } catch {
            _ = try? session.execute(sql: "ROLLBACK")
            throw error
        }
    }

    func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else {
            if let error = error as? IssuerError { return error.description }
            return "\(error)"
        }
        if let server = error.serverInfo {
            let state = server[.sqlState] ?? "?"
            let message = server[.message] ?? "error"
            return "PostgreSQL \(state): \(message)" + (server[.detail].map { " (\($0))" } ?? "")
        }
        switch error.code {
        case .connectionError: return "cannot reach the server (\(error.underlying.map { "\($0)" } ?? "connection refused"))"
        case .serverClosedConnection, .clientClosedConnection: return "the connection to the server was closed"
        case .sslUnsupported: return "the server does not offer TLS (add ?sslmode=disable to the address only on a trusted network)"
        case .authMechanismRequiresPassword: return "the server asks for a password and none was given"
        default: return "\(error.code)"
        }
    }

    func isReadOnly(_ error: any Error) -> Bool {
        // 25006: read_only_sql_transaction (a standby); 42501: insufficient_privilege.
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state == "25006" || state == "42501"
    }

    func close() throws {
        lock.lock()
        defer { lock.unlock() }
        try connection?.close().wait()
        connection = nil
    }

    deinit { try? connection?.close().wait() }

    /// Runs one statement and returns its rows and the number of rows it changed.
    fileprivate func run(_ sql: String, _ arguments: [any SQLBindable]) throws -> (rows: [PostgresRow], changed: Int) {
        var binds = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument.sqlValue {
            case .integer(let v): binds.append(v)
            case .text(let v): binds.append(v)
            case .blob(let v): binds.append(ByteBuffer(bytes: v))
            case .null: binds.appendNull()
            }
        }
        return try run(sql, binds: binds)
    }

    fileprivate func run(_ sql: String, binds: PostgresBindings) throws -> (rows: [PostgresRow], changed: Int) {
        guard let connection else { throw IssuerError(.registryUnreachable, "the connection to the registry \(address) is closed") }
        let result = try connection.query(PostgresQuery(unsafeSQL: Self.numberedPlaceholders(sql), binds: binds), logger: logger).wait()
        return (Array(result.rows), result.metadata.rows ?? 0)
    }

    /// The columns of `rows` as arrays, with the SQL that unnests them (`u.c1`, `u.c2`, … from
    /// `unnest(?::type[], …) AS u(c1, c2, …)`); nil when VALUES must carry the rows (one row, a
    /// row of another width, or a value no array can stand for).
    static func unnestColumns(_ rows: [[any SQLBindable]], width: Int, nullColumns: Bool = true) -> (from: String, values: [String], binds: PostgresBindings)? {
        guard rows.count > 1, width > 0, rows.allSatisfy({ $0.count == width }) else { return nil }
        var names: [String] = [], arrays: [String] = [], values: [String] = []
        var binds = PostgresBindings(capacity: width)
        for c in 0..<width {
            guard let array = ColumnArray(rows.map { $0[c].sqlValue }) else { return nil }
            if case .null = array, !nullColumns { return nil }
            let column = array.sql("u.c\(c + 1)")
            if let type = column.type {
                names.append("c\(c + 1)")
                arrays.append("?::" + type)
            }
            values.append(column.value)
            array.bind(into: &binds)
        }
        // A relation of NULLs only still needs one array to give it its rows.
        if names.isEmpty {
            names.append("c0")
            arrays.append("?::int8[]")
            binds.append([Int64](repeating: 0, count: rows.count))
        }
        return ("unnest(\(arrays.joined(separator: ", "))) AS u(\(names.joined(separator: ", ")))", values, binds)
    }

    /// `INSERT INTO table (columns) SELECT … FROM unnest(…) suffix`, or nil (see ``unnestColumns(_:width:nullColumns:)``).
    static func unnestInsert(into table: String, columns: [String], rows: [[any SQLBindable]], suffix: String) -> (sql: String, binds: PostgresBindings)? {
        guard let unnested = unnestColumns(rows, width: columns.count) else { return nil }
        return ("INSERT INTO \(table) (\(columns.joined(separator: ", "))) SELECT \(unnested.values.joined(separator: ", ")) FROM \(unnested.from)"
                + (suffix.isEmpty ? "" : " " + suffix), unnested.binds)
    }

    /// `(SELECT … AS column1, … FROM unnest(…))`, or nil (see ``unnestColumns(_:width:nullColumns:)``;
    /// also for a column of NULLs only, which a sub-select would type as text).
    static func unnestRelation(_ rows: [[any SQLBindable]]) -> (sql: String, binds: PostgresBindings)? {
        guard let width = rows.first?.count, let unnested = unnestColumns(rows, width: width, nullColumns: false) else { return nil }
        let values = unnested.values.enumerated().map { "\($1) AS column\($0 + 1)" }
        return ("(SELECT \(values.joined(separator: ", ")) FROM \(unnested.from))", unnested.binds)
    }

    /// One column of rows to insert, as the array PostgreSQL's `unnest` takes apart.
    enum ColumnArray {
        case integers([Int64]), texts([String]), blobs([ByteBuffer])
        /// Every value NULL: the column is written as an untyped NULL (as VALUES would write it).
        case null

        /// The column's values, or nil when it mixes types or has a NULL that the array cannot
        /// stand for: an integer, or a text or blob equal to the empty value that stands for NULL
        /// (`NULLIF(…, '')`).
        init?(_ values: [SQLValue]) {
            switch values.first(where: { $0 != .null }) {
            case nil, .null?: self = .null
            case .integer?:
                var out: [Int64] = []
                out.reserveCapacity(values.count)
                for value in values { guard case .integer(let v) = value else { return nil }; out.append(v) }
                self = .integers(out)
            case .text?:
                guard let out = Self.array(values, null: "", { if case .text(let v) = $0, !v.isEmpty { v } else { nil } }) else { return nil }
                self = .texts(out)
            case .blob?:
                guard let out = Self.array(values, null: ByteBuffer(), { if case .blob(let v) = $0, !v.isEmpty { ByteBuffer(bytes: v) } else { nil } }) else {
                    return nil
                }
                self = .blobs(out)
            }
        }

        /// `values` as `T`, each NULL as `null`; nil when a value is not a `T` (`value` gives nil),
        /// which includes one equal to the stand-in for NULL.
        private static func array<T>(_ values: [SQLValue], null: T, _ value: (SQLValue) -> T?) -> [T]? {
            var out: [T] = []
            out.reserveCapacity(values.count)
            for item in values {
                if case .null = item { out.append(null); continue }
                guard let typed = value(item) else { return nil }
                out.append(typed)
            }
            return out
        }

        /// `(array type, expression)` for column `name` of the unnested rows (no array for a
        /// column of NULLs).
        func sql(_ name: String) -> (type: String?, value: String) {
            switch self {
            case .integers: ("int8[]", name)
            case .texts: ("text[]", "NULLIF(\(name), '')")
            case .blobs: ("bytea[]", "NULLIF(\(name), ''::bytea)")
            case .null: (nil, "NULL")
            }
        }

        func bind(into binds: inout PostgresBindings) {
            switch self {
            case .integers(let v): binds.append(v)
            case .texts(let v): binds.append(v)
            case .blobs(let v): binds.append(v)
            case .null: break
            }
        }
    }

    /// `?` placeholders as PostgreSQL's `$1`, `$2`, … (none of the registry's SQL has a `?`
    /// inside a string literal; literals are skipped all the same).
    static func numberedPlaceholders(_ sql: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(sql.utf8.count + sql.utf8.count / 2)
        var number = 0, quoted = false
        for byte in sql.utf8 {
            if byte == UInt8(ascii: "'") { quoted.toggle() }
            if byte == UInt8(ascii: "?") && !quoted {
                number += 1
                out.append(UInt8(ascii: "$"))
                out += Array(String(number).utf8)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    struct Session: SQLSession {
        let store: PostgresStore
        var engine: RegistryEngine { .postgres }

        func execute(sql: String, arguments: [any SQLBindable]) throws -> Int {
            try store.run(sql, arguments).changed
        }

        func each(sql: String, arguments: [any SQLBindable], _ body: (SQLRow) throws -> Void) throws {
            let rows = try store.run(sql, arguments).rows
            guard let first = rows.first else { return }
            let columns = SQLColumns(first.map(\.columnName))
            for row in rows {
                try body(SQLRow(columns: columns, values: try row.map(Self.value)))
            }
        }

        /// Sends each column as one array and lets the server `unnest` them: a statement of a
        /// dozen parameters however many rows, where multi-row VALUES bound (and the server
        /// parsed) one parameter per value. Rows whose values an array cannot carry go as VALUES.
        func insertRows(into table: String, columns: [String], rows: [[any SQLBindable]], suffix: String) throws {
            guard let (sql, binds) = PostgresStore.unnestInsert(into: table, columns: columns, rows: rows, suffix: suffix) else {
                return try insertRowsAsValues(into: table, columns: columns, rows: rows, suffix: suffix)
            }
            _ = try store.run(sql, binds: binds)
        }

        /// `{ROWS}` as `(SELECT … FROM unnest(arrays))`: one array per column, as in
        /// ``insertRows(into:columns:rows:suffix:)``; rows an array cannot carry go as VALUES.
        func execute(sql: String, rows: [[any SQLBindable]]) throws -> Int {
            guard let (relation, binds) = PostgresStore.unnestRelation(rows) else { return try executeWithValues(sql: sql, rows: rows) }
            return try store.run(sql.replacingOccurrences(of: "{ROWS}", with: relation), binds: binds).changed
        }

        static func value(_ cell: PostgresCell) throws -> SQLValue {
            guard cell.bytes != nil else { return .null }
            switch cell.dataType {
            case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
            case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
            case .bytea: return .blob(Array(try cell.decode(ByteBuffer.self).readableBytesView))
            default: return .text(try cell.decode(String.self))
            }
        }
    }
}

extension PostgresAddress {
    /// Copies the database `source` into the new database `name` on this server (as a
    /// point-in-time copy would bring a registry back): for tests. No one may be connected to
    /// `source` meanwhile.
    package func copyingDatabase(_ source: String, to name: String) throws(IssuerError) -> PostgresAddress {
        try newDatabase(name, template: source)
    }

    /// Creates the empty database `name` (lower-case letters, digits and `_`) on this server and
    /// returns its address: a fresh registry for each test or benchmark run.
    package func creatingDatabase(_ name: String) throws(IssuerError) -> PostgresAddress {
        try newDatabase(name, template: nil)
    }

    /// `CREATE DATABASE name [TEMPLATE template]`, the names checked first (they are spliced
    /// into the statement: lower-case letters, digits and `_`, at most 63).
    private func newDatabase(_ name: String, template: String?) throws(IssuerError) -> PostgresAddress {
        for word in [name] + (template.map { [$0] } ?? [])
        where word.isEmpty || word.count > 63 || !word.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) {
            throw IssuerError(.registryAddressInvalid, "\(word) is not a database name this tool creates (a-z, 0-9, _; at most 63)")
        }
        let store = try PostgresStore.connect(self)
        defer { try? store.close() }
        do { _ = try store.withoutTransaction { db in try db.execute(sql: "CREATE DATABASE \(name)" + (template.map { " TEMPLATE \($0)" } ?? "")) } } catch {
            throw IssuerError(.registryRefused, "cannot create the database \(name) on \(self): \(store.describe(error))")
        }
        var address = self
        address.database = name
        return address
    }
}
