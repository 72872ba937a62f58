import Foundation

/// The PostgreSQL registry's schema, versioned like SQLite's (``Registry/schemaVersion``): each
/// migration is recorded in `registry_migration` with its version, and a database whose highest
/// version is above this software's is refused as too new. PostgreSQL registries start at
/// version 5, the SQLite schema's equivalent at the time they were introduced.
extension PostgresStore {
    /// Migrations by version, each run in one transaction.
    static let migrations: [(version: Int, name: String, sql: [String])] = [
        (5, "v5: registry on PostgreSQL", [
            """
            CREATE TABLE status_list (
                id BIGSERIAL PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                uri TEXT NOT NULL UNIQUE,
                capacity BIGINT NOT NULL CHECK (capacity > 0),
                bits BIGINT NOT NULL DEFAULT 2,
                used BIGINT NOT NULL DEFAULT 0 CHECK (used >= 0 AND used <= capacity),
                closed BIGINT NOT NULL DEFAULT 0)
            """,
            """
            CREATE TABLE credential (
                seq BIGSERIAL NOT NULL UNIQUE,
                cti BYTEA PRIMARY KEY,
                document_number TEXT NOT NULL,
                list_id BIGINT NOT NULL REFERENCES status_list(id),
                idx BIGINT NOT NULL,
                status BIGINT NOT NULL DEFAULT 0,
                state TEXT NOT NULL CHECK (state IN ('pending', 'written', 'abandoned')),
                licence BYTEA NOT NULL,
                signer_kid BYTEA NOT NULL,
                iat BIGINT NOT NULL,
                exp BIGINT NOT NULL,
                output TEXT,
                created_at BIGINT NOT NULL,
                batch_key TEXT UNIQUE,
                superseded_by BYTEA,
                owner_pid BIGINT,
                owner_start BIGINT,
                holder_key BYTEA,
                UNIQUE (list_id, idx))
            """,
            "CREATE INDEX credential_document_number ON credential(document_number)",
            // At most one live credential per document number, enforced by the database itself.
            "CREATE UNIQUE INDEX credential_one_live ON credential(document_number) WHERE status IN (0, 2) AND state != 'abandoned'",
            // Publishing reads only the non-VALID entries, in index order.
            "CREATE INDEX credential_not_valid ON credential(list_id, idx) WHERE status != 0",
            "CREATE INDEX credential_superseded_by ON credential(superseded_by) WHERE superseded_by IS NOT NULL",
            "CREATE INDEX credential_pending ON credential(created_at) WHERE state = 'pending'",
            "CREATE INDEX credential_signer ON credential(signer_kid)",
            """
            CREATE TABLE event (
                id BIGSERIAL PRIMARY KEY,
                cti BYTEA NOT NULL REFERENCES credential(cti) ON DELETE CASCADE,
                document_number TEXT NOT NULL,
                kind TEXT NOT NULL,
                at BIGINT NOT NULL,
                detail TEXT)
            """,
            "CREATE INDEX event_document_number ON event(document_number)",
            "CREATE INDEX event_cti ON event(cti)",
            """
            CREATE TABLE index_pool (
                list_id BIGINT NOT NULL REFERENCES status_list(id),
                pos BIGINT NOT NULL,
                idx BIGINT NOT NULL,
                PRIMARY KEY (list_id, pos))
            """,
            "CREATE TABLE signer_usage (kid BYTEA PRIMARY KEY, last_exp BIGINT NOT NULL)",
            "CREATE TABLE registry_identity (id TEXT NOT NULL, schema_version BIGINT NOT NULL, created_at BIGINT NOT NULL)",
            """
            CREATE TABLE retired_index (
                list_id BIGINT NOT NULL REFERENCES status_list(id),
                idx BIGINT NOT NULL,
                status BIGINT NOT NULL,
                at BIGINT NOT NULL,
                reason TEXT NOT NULL,
                PRIMARY KEY (list_id, idx))
            """,
        ]),
        (6, "enrolment codes and applications", [Registry.enrolmentCodeTable(blob: "BYTEA", integer: "BIGINT"),
                                                 Registry.applicationTable(blob: "BYTEA", integer: "BIGINT")]),
        (7, "pending credentials", Registry.pendingCredentialMigration(blob: "BYTEA", integer: "BIGINT", options: "") + [
            // seq orders rows without needing an index of its own: one index entry fewer per
            // credential. (credential_pending stays: no row is recorded pending in the credential
            // row any more, so it stays empty and costs nothing, and finds the rows a process of
            // the previous version, still running, records that way.)
            "ALTER TABLE credential DROP CONSTRAINT credential_seq_key",
        ]),
    ]

    func schemaStatus() throws -> RegistrySchemaStatus {
        try read { db in
            let tables: [String] = try db.values(sql: """
                SELECT table_name::text FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_name IN ('registry_migration', 'registry_identity', 'credential', 'status_list')
                """)
            let applied: Int = tables.contains("registry_migration") ? try db.value(sql: "SELECT COALESCE(MAX(version), 0) FROM registry_migration") ?? 0 : 0
            let known = Self.migrations.last?.version ?? 0
            var identity: RegistryIdentity?
            if tables.contains("registry_identity"), let row = try db.row(sql: "SELECT id, schema_version FROM registry_identity LIMIT 1") {
                identity = RegistryIdentity(id: try row["id"], schemaVersion: try row["schema_version"])
            }
            return RegistrySchemaStatus(identity: identity, legacy: identity == nil && tables.contains("credential") && tables.contains("status_list"),
                                        tooNew: applied > known, upToDate: applied == known)
        }
    }

    func migrate() throws {
        try write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS registry_migration (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
            let applied: Int = try db.value(sql: "SELECT COALESCE(MAX(version), 0) FROM registry_migration") ?? 0
            for migration in Self.migrations where migration.version > applied {
                for statement in migration.sql { try db.execute(sql: statement) }
                try db.execute(sql: "INSERT INTO registry_migration (version, name, applied_at) VALUES (?, ?, ?)",
                               arguments: [migration.version, migration.name, Int64(Date().timeIntervalSince1970)])
            }
        }
    }

    func integrityFindings(_ db: any SQLSession) throws -> [String] {
        // PostgreSQL checks pages as it reads them (and their checksums, when the cluster has
        // them); the registry's own rules are checked by the caller.
        []
    }

    func continueEvents(_ db: any SQLSession, after lastEventID: Int64) throws {
        try db.execute(sql: "SELECT setval(pg_get_serial_sequence('event', 'id'), GREATEST(?, (SELECT COALESCE(MAX(id), 1) FROM event)))",
                       arguments: [lastEventID])
    }
}
