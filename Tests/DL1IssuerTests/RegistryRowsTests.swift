@testable import DL1Issuer
import DL1IssuerTestSupport
import Testing

/// Rows in bulk: multi-row VALUES on SQLite, one array per column on PostgreSQL (with VALUES
/// again for what an array cannot carry). Both must store and match exactly the same rows.
@Suite("Registry: rows in bulk")
struct RegistryRowsTests {
    @Test("insert and update by a relation of rows: NULLs, empty values, every type, the same on both engines", arguments: TestEngine.available)
    func rows(engine: TestEngine) throws {
        let w = try IssuerWorld.make(engine: engine)
        let registry = w.issuer.registry
        typealias Row = (id: Int64, name: String?, data: [UInt8]?, note: String?)
        // (name: some NULL; data: some NULL; note: every one NULL, which must be stored as NULL,
        // not as the column's default).
        let mixed: [Row] = (0..<7).map { ($0, $0 % 3 == 0 ? nil : "n\($0) 名", $0 % 2 == 0 ? nil : [UInt8($0), 0, 0xff], nil) }
        // An empty text and an empty blob: the arrays cannot tell them from NULL, so VALUES carries them.
        let empty: [Row] = [(100, "", [1], "x"), (101, "b", [], nil), (102, nil, nil, "")]
        let read: [Row] = try registry.transaction { db in
            try db.execute(sql: "CREATE TABLE scratch_rows (id BIGINT PRIMARY KEY, name TEXT, data \(engine == .postgres ? "BYTEA" : "BLOB"), note TEXT DEFAULT 'default', flag TEXT)")
            for rows in [mixed, empty] {
                try db.insertRows(into: "scratch_rows", columns: ["id", "name", "data", "note"],
                                  rows: rows.map { [$0.id, $0.name, $0.data, $0.note] as [any SQLBindable] })
            }
            // Upsert (the index pool's ON CONFLICT) and an update joined to a relation of rows.
            try db.insertRows(into: "scratch_rows", columns: ["id", "name"], rows: [[Int64(1), "again"], [Int64(2), "twice"]],
                              suffix: "ON CONFLICT (id) DO UPDATE SET name = excluded.name")
            let changed = try db.execute(sql: "UPDATE scratch_rows SET flag = v.column2 FROM {ROWS} AS v WHERE scratch_rows.id = v.column1",
                                         rows: [[Int64(3), "three"], [Int64(5), "five"], [Int64(999), "none"]])
            #expect(changed == 2)
            return try db.rows(sql: "SELECT id, name, data, note FROM scratch_rows ORDER BY id").map {
                (try $0["id"], try $0["name"], try $0["data"], try $0["note"])
            }
        }
        var expected = mixed + empty
        expected[1].name = "again"
        expected[2].name = "twice"
        #expect(read.map(\.id) == expected.map(\.id))
        for (got, want) in zip(read, expected) {
            #expect(got.name == want.name && got.data == want.data && got.note == want.note, "row \(want.id)")
        }
        let flags: [String?] = try registry.read { db in try db.rows(sql: "SELECT flag FROM scratch_rows ORDER BY id").map { try $0["flag"] } }
        #expect(flags.compactMap { $0 } == ["three", "five"])
    }

    @Test("PostgreSQL's statements: arrays for what they can carry, VALUES for the rest")
    func unnestStatements() {
        let mixed: [[any SQLBindable]] = [[Int64(1), "a", [UInt8(1)], String?.none], [Int64(2), String?.none, [UInt8]?.none, String?.none]]
        let insert = PostgresStore.unnestInsert(into: "t", columns: ["id", "name", "data", "note"], rows: mixed, suffix: "ON CONFLICT DO NOTHING")
        #expect(insert?.sql == "INSERT INTO t (id, name, data, note) SELECT u.c1, NULLIF(u.c2, ''), NULLIF(u.c3, ''::bytea), NULL "
                + "FROM unnest(?::int8[], ?::text[], ?::bytea[]) AS u(c1, c2, c3) ON CONFLICT DO NOTHING")
        #expect(PostgresStore.unnestRelation([[Int64(1), "x"], [Int64(2), "y"]])?.sql
                == "(SELECT u.c1 AS column1, NULLIF(u.c2, '') AS column2 FROM unnest(?::int8[], ?::text[]) AS u(c1, c2))")
        // Only NULLs: one array still gives the rows their number.
        #expect(PostgresStore.unnestInsert(into: "t", columns: ["note"], rows: [[String?.none], [String?.none]], suffix: "")?.sql
                == "INSERT INTO t (note) SELECT NULL FROM unnest(?::int8[]) AS u(c0)")
        // VALUES: an empty text or blob, a NULL integer, mixed types, one row, a ragged row, and a
        // relation with a column of NULLs (a sub-select would type it as text).
        for rows in [[[Int64(1), ""], [Int64(2), "b"]], [[Int64(1), [UInt8]()], [Int64(2), [UInt8(2)]]], [[Int64?.none, "a"], [Int64(2), "b"]],
                     [[Int64(1), "a"], [Int64(2), Int64(3)]], [[Int64(1), "a"]], [[Int64(1), "a"], [Int64(2)]]] as [[[any SQLBindable]]] {
            #expect(PostgresStore.unnestInsert(into: "t", columns: ["a", "b"], rows: rows, suffix: "") == nil)
        }
        #expect(PostgresStore.unnestRelation([[Int64(1), String?.none], [Int64(2), String?.none]]) == nil)
    }
}
