import Foundation

/// The registry's SQL, written once for both engines it runs on (SQLite through GRDB, PostgreSQL
/// through PostgresNIO). Statements use `?` placeholders and the SQL both engines share
/// (`INSERT … ON CONFLICT`, `RETURNING`, `CASE`); where the two differ the registry asks the
/// session's ``RegistryEngine``.

/// A value bound to a statement or read from a row.
enum SQLValue: Sendable, Hashable {
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    case null
}

/// A Swift value that can be bound to a statement.
protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

/// A Swift value that can be read from a column.
protocol SQLReadable {
    static func read(_ value: SQLValue) -> Self?
}

extension Int64: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .integer(self) }
    static func read(_ value: SQLValue) -> Int64? { if case .integer(let v) = value { v } else { nil } }
}

extension Int: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .integer(Int64(self)) }
    static func read(_ value: SQLValue) -> Int? { Int64.read(value).map(Int.init(truncatingIfNeeded:)) }
}

extension UInt8: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .integer(Int64(self)) }
    static func read(_ value: SQLValue) -> UInt8? { Int64.read(value).flatMap(UInt8.init(exactly:)) }
}

extension Bool: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    static func read(_ value: SQLValue) -> Bool? { Int64.read(value).map { $0 != 0 } }
}

extension String: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .text(self) }
    static func read(_ value: SQLValue) -> String? { if case .text(let v) = value { v } else { nil } }
}

extension [UInt8]: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .blob(self) }
    static func read(_ value: SQLValue) -> [UInt8]? { if case .blob(let v) = value { v } else { nil } }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

extension Optional: SQLReadable where Wrapped: SQLReadable {
    static func read(_ value: SQLValue) -> Wrapped?? {
        if case .null = value { return .some(nil) }
        return Wrapped.read(value).map { .some($0) }
    }
}

/// A column held a value of another type than the registry's code expects (a damaged or foreign
/// database).
struct SQLColumnError: Error, CustomStringConvertible {
    let column: String
    let found: SQLValue
    let expected: String
    var description: String { "column \(column) holds \(found), not \(expected)" }
}

/// One row of a result, its columns by name.
struct SQLRow {
    let columns: SQLColumns
    let values: [SQLValue]

    /// The value of `column`, as `T`.
    subscript<T: SQLReadable>(_ column: String) -> T {
        get throws {
            let value = columns.index[column].map { values[$0] } ?? .null
            guard let typed = T.read(value) else { throw SQLColumnError(column: column, found: value, expected: "\(T.self)") }
            return typed
        }
    }

    /// The value of the first column.
    func first<T: SQLReadable>() throws -> T {
        let value = values.first ?? .null
        guard let typed = T.read(value) else { throw SQLColumnError(column: columns.names.first ?? "?", found: value, expected: "\(T.self)") }
        return typed
    }
}

/// The column names of a result, shared by its rows.
final class SQLColumns: @unchecked Sendable {
    let names: [String]
    let index: [String: Int]
    init(_ names: [String]) {
        self.names = names
        index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// The two engines a registry runs on.
enum RegistryEngine: Sendable {
    case sqlite
    case postgres

    /// An expression that orders a table's rows as they were inserted.
    var insertionOrder: String {
        switch self {
        case .sqlite: "rowid"
        case .postgres: "seq"
        }
    }
}

/// One connection inside a transaction (or a read snapshot): what the registry's queries run on.
protocol SQLSession {
    var engine: RegistryEngine { get }
    /// Runs a statement; returns the number of rows it changed.
    @discardableResult
    func execute(sql: String, arguments: [any SQLBindable]) throws -> Int
    /// Runs a query and calls `body` with each row as it arrives (nothing else is held in memory).
    func each(sql: String, arguments: [any SQLBindable], _ body: (SQLRow) throws -> Void) throws
    /// Inserts `rows` into `table` (each row's values in `columns` order); `suffix` follows the
    /// statement (an ON CONFLICT clause). By default, multi-row INSERTs
    /// (``insertRowsAsValues(into:columns:rows:suffix:)``).
    func insertRows(into table: String, columns: [String], rows: [[any SQLBindable]], suffix: String) throws
    /// Runs `sql` with `{ROWS}` in it standing for a relation of `rows`, whose columns are named
    /// column1, column2, … By default a VALUES list (``executeWithValues(sql:rows:)``).
    @discardableResult
    func execute(sql: String, rows: [[any SQLBindable]]) throws -> Int
}

extension SQLSession {
    @discardableResult
    func execute(sql: String) throws -> Int { try execute(sql: sql, arguments: []) }

    /// Every row of a query.
    func rows(sql: String, arguments: [any SQLBindable] = []) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try each(sql: sql, arguments: arguments) { rows.append($0) }
        return rows
    }

    /// The first row of a query.
    func row(sql: String, arguments: [any SQLBindable] = []) throws -> SQLRow? {
        try rows(sql: sql, arguments: arguments).first
    }

    /// The first column of the first row (nil when there is no row, or it is NULL).
    func value<T: SQLReadable>(sql: String, arguments: [any SQLBindable] = []) throws -> T? {
        guard let row = try row(sql: sql, arguments: arguments) else { return nil }
        let value: T? = try row.first()
        return value
    }

    /// The first column of every row.
    func values<T: SQLReadable>(sql: String, arguments: [any SQLBindable] = []) throws -> [T] {
        try rows(sql: sql, arguments: arguments).map { try $0.first() }
    }
}

/// Where a registry's rows live: one engine, its connections and its schema.
protocol RegistryStore: Sendable {
    var engine: RegistryEngine { get }
    /// Where it is, for messages (a file path, or a PostgreSQL address without its password).
    var location: String { get }
    /// Runs `body` in one write transaction; writers from every process take turns, each
    /// seeing every change committed before it began.
    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T
    /// Runs `body` on one consistent snapshot.
    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T
    /// Runs `body` outside any transaction (schema changes take their own).
    func withoutTransaction<T>(_ body: (any SQLSession) throws -> T) throws -> T
    /// The engine's words for an error, without the statement that caused it.
    func describe(_ error: any Error) -> String
    /// Whether the error means the data cannot be written (permissions, a read-only copy).
    func isReadOnly(_ error: any Error) -> Bool
    /// Closes the store's connections.
    func close() throws
    /// What the database holds: the schema's state and the registry's identity.
    func schemaStatus() throws -> RegistrySchemaStatus
    /// Brings the schema up to date (creates it in an empty database).
    func migrate() throws
    /// The engine's own consistency findings (empty when sound).
    func integrityFindings(_ db: any SQLSession) throws -> [String]
    /// Makes the next event id greater than `lastEventID`.
    func continueEvents(_ db: any SQLSession, after lastEventID: Int64) throws
}

/// What a database holds, as the registry finds it on open.
struct RegistrySchemaStatus: Sendable {
    /// The registry's identity, when it has one.
    var identity: RegistryIdentity?
    /// A registry made before registries had an identity (its tables are there).
    var legacy: Bool
    /// Made or upgraded by a newer version of this software.
    var tooNew: Bool
    /// Every migration this version knows is applied.
    var upToDate: Bool
}

extension SQLSession {
    /// The most parameters one statement binds (SQLite allows 32,766; PostgreSQL 65,535).
    static var parameterLimit: Int { 30_000 }

    func insertRows(into table: String, columns: [String], rows: [[any SQLBindable]]) throws {
        try insertRows(into: table, columns: columns, rows: rows, suffix: "")
    }

    func insertRows(into table: String, columns: [String], rows: [[any SQLBindable]], suffix: String) throws {
        try insertRowsAsValues(into: table, columns: columns, rows: rows, suffix: suffix)
    }

    @discardableResult
    func execute(sql: String, rows: [[any SQLBindable]]) throws -> Int {
        try executeWithValues(sql: sql, rows: rows)
    }

    /// Runs `sql` with `{ROWS}` replaced by `(VALUES (?, …), …)`, a chunk of rows at a time as
    /// the parameter limit allows; returns the rows changed in all.
    func executeWithValues(sql: String, rows: [[any SQLBindable]]) throws -> Int {
        guard let width = rows.first?.count, width > 0 else { return 0 }
        let perStatement = Swift.max(1, Swift.min(1000, Self.parameterLimit / width))
        let placeholders = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        var start = 0, changed = 0
        while start < rows.count {
            let chunk = rows[start..<Swift.min(rows.count, start + perStatement)]
            start += chunk.count
            let relation = "(VALUES " + Array(repeating: placeholders, count: chunk.count).joined(separator: ", ") + ")"
            changed += try execute(sql: sql.replacingOccurrences(of: "{ROWS}", with: relation), arguments: chunk.flatMap { $0 })
        }
        return changed
    }

    /// Inserts `rows` into `table` with multi-row INSERTs (each row's values in `columns`
    /// order), as few statements as the parameter limit allows; `suffix` follows each statement
    /// (an ON CONFLICT clause).
    func insertRowsAsValues(into table: String, columns: [String], rows: [[any SQLBindable]], suffix: String) throws {
        let perStatement = Swift.max(1, Swift.min(1000, Self.parameterLimit / Swift.max(1, columns.count)))
        let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<Swift.min(rows.count, start + perStatement)]
            start += chunk.count
            try execute(sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                        + Array(repeating: placeholders, count: chunk.count).joined(separator: ", ") + (suffix.isEmpty ? "" : " " + suffix),
                        arguments: chunk.flatMap { $0 })
        }
    }

    /// Runs `sql` once per chunk of `values`, with `{IN}` in it replaced by a list of as many
    /// placeholders (`(?, ?, …)`); `before` are bound first. Calls `body` with each row.
    func eachIn(sql: String, before: [any SQLBindable] = [], values: [any SQLBindable], _ body: (SQLRow) throws -> Void) throws {
        var start = 0
        while start < values.count {
            let chunk = values[start..<Swift.min(values.count, start + 1000)]
            start += chunk.count
            let list = "(" + Array(repeating: "?", count: chunk.count).joined(separator: ", ") + ")"
            try each(sql: sql.replacingOccurrences(of: "{IN}", with: list), arguments: before + Array(chunk), body)
        }
    }
}
