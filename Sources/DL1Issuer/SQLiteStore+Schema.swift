import Foundation
import GRDB

/// The SQLite registry's schema: GRDB migrations, one per schema version (see
/// ``Registry/schemaVersion``), applied in order to bring an older file up to date.
extension SQLiteStore {
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
        migrator.registerMigration("v6: enrolment codes and applications") { db in
            try db.execute(sql: Registry.enrolmentCodeTable(blob: "BLOB", integer: "INTEGER"))
            try db.execute(sql: Registry.applicationTable(blob: "BLOB", integer: "INTEGER"))
        }
        migrator.registerMigration("v7: pending credentials") { db in
            for statement in Registry.pendingCredentialMigration(blob: "BLOB", integer: "INTEGER", options: " WITHOUT ROWID") {
                try db.execute(sql: statement)
            }
            // Empty from now on (and so free to keep up): it finds the rows that a process of
            // the previous version, still running, records pending the old way.
            try db.execute(sql: "CREATE INDEX credential_pending ON credential(created_at) WHERE state = 'pending'")
        }
        return migrator
    }


    func schemaStatus() throws -> RegistrySchemaStatus {
        try pool.read { db in
            let tooNew = try Self.migrator.hasBeenSuperseded(db)
            let upToDate = try Self.migrator.hasCompletedMigrations(db)
            if try db.tableExists("registry_identity"),
               let row = try Row.fetchOne(db, sql: "SELECT id, schema_version FROM registry_identity LIMIT 1") {
                return RegistrySchemaStatus(identity: RegistryIdentity(id: row["id"], schemaVersion: row["schema_version"]),
                                            legacy: false, tooNew: tooNew, upToDate: upToDate)
            }
            let legacy = try db.tableExists("credential") && db.tableExists("status_list")
            return RegistrySchemaStatus(identity: nil, legacy: legacy, tooNew: tooNew, upToDate: upToDate)
        }
    }

    func migrate() throws { try Self.migrator.migrate(pool) }

    func integrityFindings(_ db: any SQLSession) throws -> [String] {
        let findings: [String] = try db.values(sql: "PRAGMA integrity_check")
        return findings == ["ok"] ? [] : findings
    }

    func continueEvents(_ db: any SQLSession, after lastEventID: Int64) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO sqlite_sequence (name, seq) VALUES ('event', 0)")
        try db.execute(sql: "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'event'", arguments: [lastEventID])
    }
}
