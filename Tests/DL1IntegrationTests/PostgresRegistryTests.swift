import DL1CommandSupport
import DL1Format
import DL1IssueCommand
@testable import DL1Issuer
import DL1IssuerTestSupport
import DL1TestSupport
import DL1Verifier
import Foundation
import Testing

/// The registry on PostgreSQL, against the real server `scripts/test` starts (a throw-away
/// cluster on 127.0.0.1): the command line end to end, processes issuing at once, the
/// database's own constraints, and every refusal with its reason. The lifecycle suite runs on
/// both engines too (LifecycleTests).
@Suite("Registry on PostgreSQL", .serialized, .tags(.slow),
       .enabled(if: TestPostgres.server != nil, Comment(rawValue: TestPostgres.skipReason)))
struct PostgresRegistryTests {
    /// Runs dl-issue in-process.
    static func dlIssue(_ arguments: [String]) -> (code: Int32, out: String, err: String) {
        let console = Console.capturing()
        let code = CommandRunner.run(DLIssue.self, arguments, console: console)
        return (code, console.stdout, console.stderr)
    }

    /// A new issuer whose registry is a fresh database on the test server; returns its folder.
    static func makeIssuer(_ folder: URL) throws -> (issuer: String, address: PostgresAddress) {
        let address = try TestPostgres.freshDatabase()
        let issuer = folder.appendingPathComponent("issuer").path
        let result = dlIssue(["init", issuer, "--country", "CN", "--authority-code", "CN-31", "--authority-name", "Test",
                              "--registry", address.url, "--registry-password-file", try TestPostgres.passwordFile(in: folder)])
        #expect(result.code == 0, "\(result.err)")
        #expect(result.out.contains("PostgreSQL postgres://"), "\(result.out)")
        try Data("portrait".utf8).write(to: folder.appendingPathComponent("p.jpg"))
        return (issuer, address)
    }

    @Test("init --registry: issue, renew, revoke, publish, verify and check on PostgreSQL; no registry.sqlite; backup and restore name PostgreSQL's tools")
    func commandLine() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (issuer, address) = try Self.makeIssuer(folder)
        #expect(!FileManager.default.fileExists(atPath: "\(issuer)/registry.sqlite"))
        let settings = try String(contentsOfFile: "\(issuer)/issuer.json", encoding: .utf8)
        #expect(settings.contains(address.url) && !settings.contains(address.password ?? "-"), "the settings name the database, never its password")
        let common = ["--family-name", "张", "--birth-date", "1990-01-01", "--expiry-date", "2032-05-01",
                      "--category", "C1:2020-05-01", "--portrait", folder.appendingPathComponent("p.jpg").path, "--format", "txt"]
        #expect(Self.dlIssue(["issue", "--issuer", issuer, "--document-number", "P1", "--output", folder.appendingPathComponent("p1.txt").path] + common).code == 0)
        #expect(Self.dlIssue(["issue", "--issuer", issuer, "--document-number", "P2", "--output", folder.appendingPathComponent("p2.txt").path] + common).code == 0)
        let again = Self.dlIssue(["issue", "--issuer", issuer, "--document-number", "P1", "--output", folder.appendingPathComponent("p1b.txt").path] + common)
        #expect(again.code == 2 && again.err.contains("already has an active credential"), "\(again.err)")
        #expect(Self.dlIssue(["renew", "P2", "--issuer", issuer, "--expiry-date", "2036-01-01", "--output", folder.appendingPathComponent("p2b.txt").path, "--format", "txt"]).code == 0)
        #expect(Self.dlIssue(["revoke", "P1", "--issuer", issuer, "--reason", "test"]).code == 0)
        let status = folder.appendingPathComponent("status").path
        #expect(Self.dlIssue(["status-list", "--issuer", issuer, "--output-dir", status]).code == 0)

        let issued = try Issuer.open(at: URL(fileURLWithPath: issuer))
        #expect(issued.registry.engine == "postgresql")
        let tokens = try FileManager.default.contentsOfDirectory(atPath: status).filter { $0.hasSuffix(".cwt") }.map {
            try StatusListToken(bytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: status).appendingPathComponent($0))))
        }
        let verifier = Verifier(trustStore: try TrustStore.load(directory: issued.directory.trustFolder), statusTokens: tokens)
        func verdict(_ file: String) throws -> Verdict {
            verifier.verify(text: try String(contentsOfFile: folder.appendingPathComponent(file).path, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)).verdict
        }
        #expect(try verdict("p1.txt") == .revoked)
        #expect(try verdict("p2.txt") == .superseded)
        #expect(try verdict("p2b.txt") == .valid)
        #expect(try issued.registry.events(documentNumber: "P2").map(\.kind) == ["issued", "superseded", "renewed"])

        let check = Self.dlIssue(["check", "--issuer", issuer])
        #expect(check.code == 0 && check.out.contains("sound; 3 credential(s)"), "\(check.out)\(check.err)")
        let backup = Self.dlIssue(["backup", folder.appendingPathComponent("b.sqlite").path, "--issuer", issuer])
        #expect(backup.code == 2 && backup.err.contains("pg_dump"), "\(backup.err)")
        let restore = Self.dlIssue(["restore", folder.appendingPathComponent("b.sqlite").path, "--issuer", issuer])
        #expect(restore.code == 2 && restore.err.contains("pg_restore"), "\(restore.err)")
    }

    @Test("refusals: a password in the address, no password, a wrong one, no server, a database that already holds a registry, a registry of another issuer")
    func refusals() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try #require(TestPostgres.server)
        func initWith(_ name: String, _ registry: String, password: String?) -> (code: Int32, out: String, err: String) {
            var arguments = ["init", folder.appendingPathComponent(name).path, "--country", "CN", "--authority-code", "CN-31",
                             "--authority-name", "Test", "--registry", registry]
            if let password {
                let file = folder.appendingPathComponent("\(name).password")
                FileManager.default.createFile(atPath: file.path, contents: Data(password.utf8), attributes: [.posixPermissions: 0o600])
                arguments += ["--registry-password-file", file.path]
            }
            return Self.dlIssue(arguments)
        }
        let fresh = try TestPostgres.freshDatabase()
        let inline = initWith("a", "postgres://dl1:secret@127.0.0.1:\(server.port)/\(fresh.database)", password: nil)
        #expect(inline.code == 2 && inline.err.contains("carries a password") && !inline.err.contains("secret"), "\(inline.err)")
        let none = initWith("b", fresh.url, password: nil)
        #expect(none.code == 2 && none.err.contains("asks for a password"), "\(none.err)")
        let wrong = initWith("c", fresh.url, password: "not-the-password")
        #expect(wrong.code == 2 && wrong.err.contains("28P01"), "password authentication failed: \(wrong.err)")
        let closed = initWith("d", "postgres://dl1@127.0.0.1:1/\(fresh.database)", password: "x")
        #expect(closed.code == 2 && closed.err.contains("cannot connect to the registry"), "\(closed.err)")
        let notURL = initWith("e", "mysql://dl1@127.0.0.1/x", password: nil)
        #expect(notURL.code == 2 && notURL.err.contains("not a PostgreSQL address"), "\(notURL.err)")
        for name in ["a", "b", "c", "d", "e"] {
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "no issuer folder is left by a failed init")
        }
        // A database that already holds a registry is refused; so is another issuer's registry.
        #expect(initWith("f", fresh.url, password: server.password).code == 0)
        let twice = initWith("g", fresh.url, password: server.password)
        #expect(twice.code == 2 && twice.err.contains("already holds registry"), "\(twice.err)")
        let other = try TestPostgres.freshDatabase()
        #expect(initWith("h", other.url, password: server.password).code == 0)
        var settings = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("f/issuer.json"))) as! [String: Any]
        settings["registryAddress"] = other.url
        try JSONSerialization.data(withJSONObject: settings).write(to: folder.appendingPathComponent("f/issuer.json"))
        let swapped = Self.dlIssue(["list", "--issuer", folder.appendingPathComponent("f").path])
        #expect(swapped.code == 2 && swapped.err.contains("belongs to another issuer"), "\(swapped.err)")
    }

    @Test("the database itself refuses a second live credential for one number and an index given twice")
    func constraints() throws {
        let w = try IssuerWorld.make(engine: .postgres)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let first = try w.issuer.issue(IssuerWorld.licence("K1"), lifetime: .seconds(86_400), output: nil)
        let record = try #require(try w.issuer.registry.credential(first.credentialID))
        func insert(number: String, index: Int64) -> String? {
            do {
                try w.issuer.registry.transaction { db in
                    try db.execute(sql: """
                        INSERT INTO credential (cti, document_number, list_id, idx, status, state, licence, signer_kid, iat, exp, created_at)
                        VALUES (?, ?, ?, ?, 0, 'written', ?, ?, 1, 2, 1)
                        """, arguments: [SecureRandom.bytes(16), number, record.list.id, index, CBOREncoder.encode(record.licence.cbor), record.signerKid])
                }
                return nil
            } catch {
                return "\(error)"
            }
        }
        let twoLive = insert(number: "K1", index: Int64((first.claims.status.index + 1) % 1000))
        #expect(twoLive?.contains("credential_one_live") == true, "\(twoLive ?? "accepted")")
        let sameIndex = insert(number: "K2", index: Int64(first.claims.status.index))
        #expect(sameIndex?.contains("23505") == true, "\(sameIndex ?? "accepted")")
        #expect(try w.issuer.registry.check().isEmpty)
    }

    @Test("a registry brought back to an older copy of its database cannot publish: the refusal names the list and the first index")
    func olderCopyRefused() throws {
        let w = try IssuerWorld.make(engine: .postgres)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let a = try w.issuer.issue(IssuerWorld.licence("A1"), lifetime: .seconds(86_400), output: nil)
        _ = try w.issuer.publishStatusLists()
        try w.issuer.registry.close()
        let server = try #require(TestPostgres.server)
        let settingsFile = w.issuer.directory.settingsFile
        var settings = try JSONSerialization.jsonObject(with: Data(contentsOf: settingsFile)) as! [String: Any]
        let live = try PostgresAddress(url: settings["registryAddress"] as! String)
        let copy = try server.copyingDatabase(live.database, to: "\(live.database)_old")
        let clock = w.clock
        let issuer = try Issuer.open(at: w.issuer.directory.root, clock: { clock.now })
        w.clock.advance(10)
        try issuer.revoke("A1", reason: "fraud")
        _ = try issuer.publishStatusLists()
        try issuer.registry.close()
        // The database is put back to the copy (same identity, older content).
        settings["registryAddress"] = copy.url
        try JSONSerialization.data(withJSONObject: settings).write(to: settingsFile)
        let reopened = try Issuer.open(at: w.issuer.directory.root, clock: { clock.now })
        w.clock.advance(10)
        do {
            _ = try reopened.publishStatusLists()
            Issue.record("publication must be refused")
        } catch {
            #expect(error.code == .publicationRegression)
            #expect(error.description.hasPrefix("status list statuslist-1 would turn index \(a.claims.status.index) from INVALID back to VALID"), "\(error)")
        }
        #expect(try reopened.unpublishableChanges().map(\.index) == [Int(a.claims.status.index)])
    }

    @Test("two dl-issue processes issuing 300 licences each into one PostgreSQL registry: both succeed, no index twice, every credential with its event")
    func twoProcesses() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (issuer, _) = try Self.makeIssuer(folder)
        for name in ["a", "b"] {
            try Data(RegistryProcessTests.csv(name.uppercased(), count: 300).utf8).write(to: folder.appendingPathComponent("\(name).csv"))
        }
        let processes = try ["a", "b"].map { name in
            try RegistryProcessTests.start(["batch", "--issuer", issuer, "--input", folder.appendingPathComponent("\(name).csv").path,
                                            "--output-dir", folder.appendingPathComponent("out-\(name)").path, "--format", "txt", "--group", "20"])
        }
        for process in processes { process.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == [0, 0])
        let opened = try Issuer.open(at: URL(fileURLWithPath: issuer))
        #expect(try opened.registry.credentialCount() == 600)
        #expect(try opened.registry.eventCount(kind: "issued") == 600)
        #expect(try opened.registry.credentialsWithoutEvent() == 0)
        let records = try opened.registry.latestCredentials()
        #expect(Set(records.map { "\($0.list.uri)#\($0.index)" }).count == 600)
        #expect(try opened.registry.check().isEmpty)
    }
}

/// CI must run the PostgreSQL tests: there, a missing server is a failure, not a skip.
@Test("CI runs the PostgreSQL tests (DL1_TEST_POSTGRES is set by scripts/test)", .tags(.slow),
      .enabled(if: ProcessInfo.processInfo.environment["CI"] != nil))
func postgresServerInCI() {
    #expect(TestPostgres.server != nil, "\(TestPostgres.skipReason)")
}
