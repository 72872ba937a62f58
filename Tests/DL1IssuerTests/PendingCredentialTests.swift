@testable import DL1Issuer
import DL1IssuerTestSupport
import DL1TestSupport
import Foundation
import Testing

/// Schema version 7: a credential whose code is not known to be out has a row in
/// `pending_credential`; marking it written deletes that row and leaves the credential row alone.
@Suite("Registry: pending credentials (schema version 7)")
struct PendingCredentialTests {
    static func reservePending(_ w: IssuerWorld, _ number: String) throws -> Registry.Reservation {
        try w.issuer.registry.reserve(.init(documentNumber: number, licence: IssuerWorld.licence(number), signerKid: try w.issuer.primarySigner().kid,
                                            issuedAt: Fixture.now, expiresAt: Fixture.now + 3600), settings: w.issuer.settings)
    }

    @Test("reserve, mark written, discard and abandon keep the credential row and its pending row in step", arguments: TestEngine.available)
    func lifecycle(engine: TestEngine) throws {
        let w = try IssuerWorld.make(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let registry = w.issuer.registry
        let written = try Self.reservePending(w, "W1"), discarded = try Self.reservePending(w, "D1"), abandoned = try Self.reservePending(w, "A1")
        #expect(Set(try registry.pending().map(\.credentialID)) == [written.credentialID, discarded.credentialID, abandoned.credentialID])
        #expect(try registry.credential(written.credentialID)?.state == .pending)
        let owners: [Int64] = try registry.read { db in try db.values(sql: "SELECT owner_pid FROM pending_credential") }
        #expect(owners == Array(repeating: Int64(ProcessProbe.current.pid), count: 3))

        try registry.markWritten([written.credentialID])
        #expect(try registry.credential(written.credentialID)?.state == .written)
        // Marking again, or marking a credential that is not pending, changes nothing.
        try registry.markWritten([written.credentialID, [UInt8](repeating: 7, count: 16)])
        #expect(try registry.credential(written.credentialID)?.state == .written)

        #expect(registry.discardPending(discarded.credentialID, at: Fixture.now))
        #expect(try registry.credential(discarded.credentialID) == nil)
        // A written credential is never discarded.
        #expect(registry.discardPending(written.credentialID, at: Fixture.now))
        #expect(try registry.credential(written.credentialID)?.state == .written)

        #expect(try registry.abandonPending(before: Fixture.now + 1, at: Fixture.now + 1) == 1)
        let record = try registry.credential(abandoned.credentialID)
        #expect(record?.state == .abandoned && record?.status == .invalid)
        #expect(try registry.pending().isEmpty)
        let left: Int = try registry.read { db in try db.value(sql: "SELECT COUNT(*) FROM pending_credential") } ?? -1
        #expect(left == 0)
        #expect(try registry.check().isEmpty)
        // A pending record whose credential is gone (there is no foreign key) is reported.
        try registry.transaction { db in
            try db.execute(sql: "INSERT INTO pending_credential (cti, created_at) VALUES (?, ?)", arguments: [[UInt8](repeating: 9, count: 16), Fixture.now])
        }
        #expect(try registry.check().map(\.description) == ["pending-without-credential: 1 pending record(s) name no credential"])
        try registry.transaction { db in try db.execute(sql: "DELETE FROM pending_credential") }
        // The number of the abandoned credential can be issued again; the written one cannot.
        _ = try w.issuer.issue(IssuerWorld.licence("A1"), lifetime: .seconds(3600), output: nil)
        do { _ = try w.issuer.issue(IssuerWorld.licence("W1"), lifetime: .seconds(3600), output: nil); Issue.record("must be refused") } catch {
            #expect(error.code == .activeCredentialExists)
        }
    }

    @Test("a version-6 registry is brought to version 7: its pending credential stays pending, with its process; written ones stay written",
          arguments: TestEngine.available)
    func fromVersion6(engine: TestEngine) throws {
        let w = try IssuerWorld.make(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let issued = try w.issuer.issue(IssuerWorld.licence("W1"), lifetime: .seconds(3600), output: nil)
        let pending = try Self.reservePending(w, "P1")
        // Back to version 6 by hand: the state in the credential row, the process beside it, no
        // pending table (and on PostgreSQL the index on pending rows and the unique seq).
        try w.issuer.registry.transaction { db in
            try db.execute(sql: "UPDATE credential SET state = 'pending', owner_pid = 999999999, owner_start = 77 WHERE cti = ?",
                           arguments: [pending.credentialID])
            try db.execute(sql: "DROP TABLE pending_credential")
            try db.execute(sql: "UPDATE registry_identity SET schema_version = 6")
            if engine == .postgres {
                try db.execute(sql: "DELETE FROM registry_migration WHERE version = 7")
                try db.execute(sql: "ALTER TABLE credential ADD CONSTRAINT credential_seq_key UNIQUE (seq)")
            } else {
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v7: pending credentials'")
                try db.execute(sql: "DROP INDEX credential_pending")
            }
        }
        try w.issuer.registry.close()

        let reopened = try Issuer.open(at: w.issuer.directory.root, clock: { Fixture.now })
        defer { try? reopened.registry.close() }
        #expect(try reopened.registry.identity()?.schemaVersion == 7)
        #expect(try reopened.registry.pending().map(\.credentialID) == [pending.credentialID])
        #expect(try reopened.registry.credential(pending.credentialID)?.state == .pending)
        #expect(try reopened.registry.credential(issued.credentialID)?.state == .written)
        let moved = try reopened.registry.read { db in
            try db.rows(sql: "SELECT c.state, p.owner_pid, p.owner_start FROM pending_credential p JOIN credential c ON c.cti = p.cti")
                .map { (try $0["state"] as String, try $0["owner_pid"] as Int64, try $0["owner_start"] as Int64) }
        }
        #expect(moved.count == 1 && moved.first! == ("written", 999_999_999, 77))
        // Its process is gone: the number is refused as left by an interrupted run.
        do { _ = try reopened.issue(IssuerWorld.licence("P1"), lifetime: .seconds(3600), output: nil); Issue.record("must be refused") } catch {
            #expect(error.code == .pendingFromInterruptedRun)
        }
        if engine == .postgres {
            let indexes: [String] = try reopened.registry.read { db in
                try db.values(sql: "SELECT indexname::text FROM pg_indexes WHERE tablename = 'credential' ORDER BY indexname")
            }
            #expect(indexes.contains("credential_pending") && !indexes.contains("credential_seq_key"))
        }
        try reopened.registry.markWritten([pending.credentialID])
        #expect(try reopened.registry.pending().isEmpty)
        #expect(try reopened.registry.credential(pending.credentialID)?.state == .written)
    }

    @Test("a row a version-6 process (still running at the upgrade) recorded pending the old way is listed, refused and revoked like any pending one",
          arguments: TestEngine.available)
    func legacyPendingRow(engine: TestEngine) throws {
        let w = try IssuerWorld.make(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let registry = w.issuer.registry
        let legacy = try Self.reservePending(w, "L1")
        // What the old process writes: the state in the credential row, its process beside it.
        try registry.transaction { db in
            try db.execute(sql: "DELETE FROM pending_credential WHERE cti = ?", arguments: [legacy.credentialID])
            try db.execute(sql: "UPDATE credential SET state = 'pending', owner_pid = 999999999, owner_start = 5 WHERE cti = ?",
                           arguments: [legacy.credentialID])
        }
        #expect(try registry.pending().map(\.credentialID) == [legacy.credentialID])
        #expect(try registry.credential(legacy.credentialID)?.state == .pending)
        do { _ = try w.issuer.issue(IssuerWorld.licence("L1"), lifetime: .seconds(3600), output: nil); Issue.record("must be refused") } catch {
            #expect(error.code == .pendingFromInterruptedRun)
        }
        #expect(try registry.abandonPending(before: Fixture.now + 1, at: Fixture.now + 1) == 1)
        #expect(try registry.credential(legacy.credentialID)?.state == .abandoned)
        #expect(try registry.pending().isEmpty)
        _ = try w.issuer.issue(IssuerWorld.licence("L1"), lifetime: .seconds(3600), output: nil)
    }
}
