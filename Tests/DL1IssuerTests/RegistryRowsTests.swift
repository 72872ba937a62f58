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
        // (name: some NULL; data: some NULL; note: every one NULL, so the column is left out).
        let mixed: [Row] = (0..<7).map { ($0, $0 % 3 == 0 ? nil : "n\($0) 名", $0 % 2 == 0 ? nil : [UInt8($0), 0, 0xff], nil) }
        // An empty text and an empty blob: the arrays cannot tell them from NULL, so VALUES carries them.
        let empty: [Row] = [(100, "", [1], "x"), (101, "b", [], nil), (102, nil, nil, "")]
        let read: [Row] = try registry.transaction { db in
            try db.execute(sql: "CREATE TABLE scratch_rows (id BIGINT PRIMARY KEY, name TEXT, data \(engine == .postgres ? "BYTEA" : "BLOB"), note TEXT, flag TEXT)")
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
}
