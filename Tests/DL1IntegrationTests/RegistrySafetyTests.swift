import DL1CommandSupport
import DL1Format
@testable import DL1Issuer
import DL1IssueCommand
import DL1Verifier
import DL1VerifyCommand
import DL1TestSupport
import DL1IssuerTestSupport
import Foundation
import GRDB
import Testing

/// A registry that cannot silently vanish, and publication that never brings a revoked licence
/// back: identity checks, the publication record, backup, restore and check, with real files and
/// real `dl-issue` processes.
@Suite("Registry identity, monotonic publication, backup and restore", .serialized, .tags(.slow))
struct RegistrySafetyTests {
    // MARK: helpers

    /// Runs the real `dl-issue` (or `/bin/sh -c script` with it as $0) and returns its exit code and standard error.
    static func process(_ arguments: [String], viaShell script: String? = nil, user: String? = nil) throws -> (code: Int32, stderr: String, stdout: String) {
        let binary = try #require(RegistryProcessTests.dlIssue, "dl-issue is not built next to the tests")
        let process = Process()
        if let script {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script, binary.path] + arguments
        } else if let user {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", user, "--", binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        let errors = Pipe(), output = Pipe()
        process.standardError = errors
        process.standardOutput = output
        try process.run()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: err, as: UTF8.self), String(decoding: out, as: UTF8.self))
    }

    static func holder(_ number: String) -> [String] {
        ["--document-number", number, "--family-name", "王", "--given-name", "芳", "--birth-date", "1985-05-05",
         "--expiry-date", "2031-01-01", "--category", "C1:2020-01-01"]
    }

    static func verdict(_ text: String, trust: String, status: String) -> String {
        let console = Console.capturing()
        _ = CommandRunner.run(DLVerify.self, ["--trust", trust, "--status", status, "--text", text], console: console)
        return String(console.stdout.prefix { $0 != "\n" })
    }

    static func removeRegistry(_ issuer: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: "\(issuer)/registry.sqlite\(suffix)") }
    }

    /// An issuer on a test clock, with `capacity` entries per list.
    static func world(capacity: Int = 1000, engine: TestEngine = .sqlite) throws -> IssuerWorld { try IssuerWorld.make(capacity: capacity, engine: engine) }

    // MARK: identity

    @Test("a removed, emptied, foreign or table-less registry is refused by every command; the revoked code stays REVOKED")
    func lostRegistry() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = try RegistryProcessTests.makeIssuer(folder)
        let portrait = folder.appendingPathComponent("p.jpg").path
        let code = folder.appendingPathComponent("d001.txt").path, status = folder.appendingPathComponent("status").path
        #expect(try Self.process(["issue", "--issuer", issuer] + Self.holder("D001") + ["--portrait", portrait, "--output", code]).code == 0)
        #expect(try Self.process(["revoke", "D001", "--issuer", issuer, "--reason", "fraud"]).code == 0)
        #expect(try Self.process(["status-list", "--issuer", issuer, "--output-dir", status]).code == 0)
        let text = try String(contentsOfFile: code, encoding: .utf8).trimmingCharacters(in: .newlines)
        let list = "\(status)/statuslist-1.cwt", trust = "\(issuer)/trust"
        #expect(Self.verdict(text, trust: trust, status: list) == "REVOKED")
        let published = try Data(contentsOf: URL(fileURLWithPath: list))

        // Removed: every command refuses, nothing is created, the published list is untouched.
        Self.removeRegistry(issuer)
        for arguments in [["list", "--issuer", issuer], ["show", "D001", "--issuer", issuer],
                          ["issue", "--issuer", issuer] + Self.holder("D001") + ["--portrait", portrait, "--output", folder.appendingPathComponent("again.txt").path],
                          ["status-list", "--issuer", issuer, "--output-dir", status], ["export-bundle", "--issuer", issuer, "--output", "\(folder.path)/b.dlb"]] {
            let run = try Self.process(arguments)
            #expect(run.code == 2, "\(arguments[0])")
            #expect(run.stderr.contains("registry.sqlite is missing; a new, empty registry would forget every credential and revocation"), "\(run.stderr)")
            #expect(run.stderr.contains("dl-issue restore BACKUP"), "the CLI says what to do")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(issuer)/registry.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("again.txt").path))
        #expect(try Data(contentsOf: URL(fileURLWithPath: list)) == published)
        #expect(Self.verdict(text, trust: trust, status: list) == "REVOKED")

        // Truncated to 0 bytes.
        FileManager.default.createFile(atPath: "\(issuer)/registry.sqlite", contents: Data())
        let empty = try Self.process(["list", "--issuer", issuer])
        #expect(empty.code == 2 && empty.stderr.contains("registry.sqlite is empty (0 bytes)"), "\(empty.stderr)")

        // An SQLite database without a registry in it.
        Self.removeRegistry(issuer)
        let blank = try DatabaseQueue(path: "\(issuer)/registry.sqlite")
        try blank.write { db in try db.execute(sql: "CREATE TABLE other (x INTEGER)") }
        try blank.close()
        let noTables = try Self.process(["issue", "--issuer", issuer] + Self.holder("D002") + ["--portrait", portrait])
        #expect(noTables.code == 2 && noTables.stderr.contains("holds no registry identity"), "\(noTables.stderr)")

        // Another issuer's registry.
        let other = try RegistryProcessTests.makeIssuer(folder.appendingPathComponent("other"))
        Self.removeRegistry(issuer)
        try FileManager.default.copyItem(atPath: "\(other)/registry.sqlite", toPath: "\(issuer)/registry.sqlite")
        let foreign = try Self.process(["list", "--issuer", issuer])
        #expect(foreign.code == 2 && foreign.stderr.contains("it belongs to another issuer or was replaced"), "\(foreign.stderr)")

        // Not a database at all.
        Self.removeRegistry(issuer)
        try Data("not a database, just text that is long enough to look like a header".utf8).write(to: URL(fileURLWithPath: "\(issuer)/registry.sqlite"))
        let garbage = try Self.process(["list", "--issuer", issuer])
        #expect(garbage.code == 2 && garbage.stderr.contains("registry.sqlite is not an SQLite database"), "\(garbage.stderr)")
        #expect(!garbage.stderr.contains("CREATE TABLE") && !garbage.stderr.contains("grdb"))
    }

    @Test("init records one identity in the registry and in issuer.json")
    func identityRecorded() throws {
        let w = try Self.world()
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let recorded = try #require(w.issuer.settings.registry)
        #expect(recorded.id.count == 32 && recorded.schemaVersion == Registry.schemaVersion)
        #expect(try w.issuer.registry.identity() == recorded)
        let json = try String(contentsOf: w.issuer.directory.settingsFile, encoding: .utf8)
        #expect(json.contains(recorded.id))
    }

    // MARK: publication

    @Test("a registry put back to an older copy cannot publish: the refusal names the list and the first index that would turn VALID")
    func regressionRefused() throws {
        let w = try Self.world()
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let a = try w.issuer.issue(IssuerWorld.licence("A1"), lifetime: .seconds(86_400), output: nil)
        let b = try w.issuer.issue(IssuerWorld.licence("B1"), lifetime: .seconds(86_400), output: nil)
        let old = w.folder.appendingPathComponent("old.sqlite")
        try w.issuer.registry.backup(to: old)
        w.clock.advance(10)
        try w.issuer.suspend("A1", reason: "court order")
        try w.issuer.revoke("B1", reason: "fraud")
        _ = try w.issuer.publishStatusLists()
        try w.issuer.registry.close()

        // Someone copies the old file over the registry by hand (same identity, older content).
        let issuerFolder = w.issuer.directory.root
        Self.removeRegistry(issuerFolder.path)
        try FileManager.default.copyItem(at: old, to: w.issuer.directory.registryFile)
        let clock = w.clock
        let reopened = try Issuer.open(at: issuerFolder, clock: { clock.now })
        w.clock.advance(10)
        let first = [a, b].min { $0.claims.status.index < $1.claims.status.index }!
        let firstStatus = first.credentialID == a.credentialID ? "SUSPENDED" : "INVALID"
        do {
            _ = try reopened.publishStatusLists()
            Issue.record("publication must be refused")
        } catch {
            #expect(error.code == .publicationRegression)
            #expect(error.description.hasPrefix("status list statuslist-1 would turn index \(first.claims.status.index) from \(firstStatus) back to VALID"), "\(error)")
        }
        #expect { try reopened.writeBundle(to: w.folder.appendingPathComponent("b.dlb")) } throws: { ($0 as? IssuerError)?.code == .publicationRegression }
        #expect(!FileManager.default.fileExists(atPath: w.folder.appendingPathComponent("b.dlb").path))
        #expect(Set(try reopened.unpublishableChanges().map(\.index)) == [Int(a.claims.status.index), Int(b.claims.status.index)])
    }

    @Test("a reinstatement recorded after the last publication lets the entry turn VALID; several publications in one second get later iats", arguments: TestEngine.available)
    func reinstatementAndOrdering(engine: TestEngine) throws {
        let w = try Self.world(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let a = try w.issuer.issue(IssuerWorld.licence("A1"), lifetime: .seconds(86_400), output: nil)
        func iat(_ tokens: [PublishedStatusList]) throws -> Int64 { try StatusListToken(bytes: tokens[0].token).claims.issuedAt }
        let first = try w.issuer.publishStatusLists()
        #expect(try iat(first) == Fixture.now)
        #expect(try w.issuer.publishStatusLists()[0].token == first[0].token, "nothing changed: the same token again")
        try w.issuer.suspend("A1", reason: "check")
        let second = try w.issuer.publishStatusLists()
        #expect(try iat(second) == Fixture.now + 1, "same second, new content: one second later")
        try w.issuer.reinstate("A1")
        let third = try w.issuer.publishStatusLists()
        #expect(try iat(third) == Fixture.now + 2)
        let verifier = Verifier(trustStore: w.trust, statusTokens: [try StatusListToken(bytes: third[0].token)],
                                options: .init(clock: { Fixture.now + 2 }))
        #expect(verifier.verify(text: a.text).verdict == .valid)
    }

    @Test("a clock more than a minute behind the last publication is refused", arguments: TestEngine.available)
    func clockBehind(engine: TestEngine) throws {
        let w = try Self.world(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        _ = try w.issuer.issue(IssuerWorld.licence("A1"), lifetime: .seconds(86_400), output: nil)
        _ = try w.issuer.publishStatusLists()
        try w.issuer.suspend("A1", reason: "check")
        w.clock.advance(-61)
        do {
            _ = try w.issuer.publishStatusLists()
            Issue.record("must be refused")
        } catch {
            #expect(error.code == .publicationNotLater)
            #expect(error.description.contains("is the clock behind?"))
        }
        w.clock.advance(61)
        #expect(try w.issuer.publishStatusLists().count == 1)
    }

    // MARK: backup, restore, check

    @Test("restore refuses a backup older than the published lists and lists what would be lost; --force carries the statuses over and retires unknown indices")
    func restore() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = try RegistryProcessTests.makeIssuer(folder)
        let portrait = folder.appendingPathComponent("p.jpg").path, status = folder.appendingPathComponent("status").path
        func issue(_ number: String) throws -> String {
            let out = folder.appendingPathComponent("\(number).txt").path
            let run = try Self.process(["issue", "--issuer", issuer] + Self.holder(number) + ["--portrait", portrait, "--output", out])
            #expect(run.code == 0, "\(run.stderr)")
            return try String(contentsOfFile: out, encoding: .utf8).trimmingCharacters(in: .newlines)
        }
        let d1 = try issue("D1")
        let backup = folder.appendingPathComponent("backup.sqlite").path
        let made = try Self.process(["backup", backup, "--issuer", issuer])
        #expect(made.code == 0 && made.stdout.contains("1 credential(s)"), "\(made.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: backup)[.posixPermissions] as? Int) == 0o600)
        #expect(try Self.process(["backup", backup, "--issuer", issuer]).stderr.contains("already exists"))
        let d2 = try issue("D2")
        #expect(try Self.process(["revoke", "D1", "--issuer", issuer, "--reason", "fraud"]).code == 0)
        #expect(try Self.process(["revoke", "D2", "--issuer", issuer, "--reason", "fraud"]).code == 0)
        #expect(try Self.process(["status-list", "--issuer", issuer, "--output-dir", status]).code == 0)

        let refused = try Self.process(["restore", backup, "--issuer", issuer])
        #expect(refused.code == 2)
        #expect(refused.stderr.contains("is older than the published status lists: it would undo 2 published change(s)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("it lacks credentials issued after it"), "D2 was issued after the backup")
        #expect(refused.stderr.contains("INVALID in the published list, VALID here (document D1)"))
        #expect(refused.stderr.contains("INVALID in the published list, VALID here (no credential here)"), "D2 is not in the backup")
        #expect(try Self.process(["list", "--issuer", issuer]).stdout.contains("D2"), "nothing changed")

        let forced = try Self.process(["restore", backup, "--issuer", issuer, "--force"])
        #expect(forced.code == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains("Carried over 2 published change(s)") && forced.stdout.contains("Closed 1 list(s)"))
        let kept = try FileManager.default.contentsOfDirectory(atPath: issuer).filter { $0.hasPrefix("registry.sqlite.replaced-") }
        #expect(!kept.isEmpty, "the replaced registry is kept")
        let check = try Self.process(["check", "--issuer", issuer])
        #expect(check.code == 0 && check.stdout.contains("sound"), "\(check.stdout)\(check.stderr)")
        #expect(try Self.process(["status-list", "--issuer", issuer, "--output-dir", status]).code == 0)
        let trust = "\(issuer)/trust", list = "\(status)/statuslist-1.cwt"
        #expect(Self.verdict(d1, trust: trust, status: list) == "REVOKED")
        #expect(Self.verdict(d2, trust: trust, status: list) == "REVOKED", "a retired index stays INVALID")
        let show = try Self.process(["show", "D1", "--issuer", issuer])
        #expect(show.stdout.contains("carried-over"))

        // A foreign registry is never restored, forced or not.
        let other = try RegistryProcessTests.makeIssuer(folder.appendingPathComponent("other"))
        let foreign = try Self.process(["restore", "\(other)/registry.sqlite", "--issuer", issuer, "--force"])
        #expect(foreign.code == 2 && foreign.stderr.contains("belongs to another issuer"), "\(foreign.stderr)")
        let missing = try Self.process(["restore", "\(folder.path)/nope.sqlite", "--issuer", issuer])
        #expect(missing.code == 2 && missing.stderr.contains("missing or not a regular file"))
    }

    @Test("a restored backup may not weaken a published status: REVOKED published, SUSPENDED in the backup, is refused (and then never reinstated to VALID)")
    func noWeakening() throws {
        let w = try Self.world()
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let a = try w.issuer.issue(IssuerWorld.licence("A1"), lifetime: .seconds(86_400), output: nil)
        try w.issuer.suspend("A1", reason: "check")
        _ = try w.issuer.publishStatusLists()
        let backup = w.folder.appendingPathComponent("suspended.sqlite")
        try w.issuer.registry.backup(to: backup)
        w.clock.advance(5)
        try w.issuer.revoke("A1", reason: "fraud")
        _ = try w.issuer.publishStatusLists()
        try w.issuer.registry.close()
        do {
            _ = try Issuer.restoreRegistry(folder: w.issuer.directory.root, from: backup, force: false, clock: { Fixture.now + 10 })
            Issue.record("must be refused")
        } catch {
            #expect(error.code == .restoreRefused)
            #expect(error.description.contains("statuslist-1 index \(a.claims.status.index): INVALID in the published list, SUSPENDED here (document A1)"), "\(error)")
        }
        // Put back by hand instead: the publication check refuses SUSPENDED after INVALID, and a
        // reinstatement cannot bring it to VALID either.
        Self.removeRegistry(w.issuer.directory.root.path)
        try FileManager.default.copyItem(at: backup, to: w.issuer.directory.registryFile)
        let clock = w.clock
        let reopened = try Issuer.open(at: w.issuer.directory.root, clock: { clock.now })
        w.clock.advance(5)
        #expect { try reopened.publishStatusLists() } throws: { ($0 as? IssuerError)?.code == .publicationRegression }
        try reopened.reinstate("A1")
        do {
            _ = try reopened.publishStatusLists()
            Issue.record("must be refused")
        } catch {
            #expect(error.code == .publicationRegression)
            #expect(error.description.hasPrefix("status list statuslist-1 would turn index \(a.claims.status.index) from INVALID back to VALID"), "\(error)")
        }
    }

    @Test("a replacement that was never written restores its predecessor with an event, so publishing goes on", arguments: TestEngine.available)
    func discardedReplacement(engine: TestEngine) throws {
        let w = try Self.world(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let first = try w.issuer.issue(IssuerWorld.licence("R1"), lifetime: .seconds(86_400), output: nil)
        let signer = try w.issuer.primarySigner()
        // A renewal recorded (the old credential SUPERSEDED) and published before its code existed.
        let pending = try w.issuer.registry.reserve(.init(documentNumber: "R1", licence: IssuerWorld.licence("R1"), signerKid: signer.kid,
                                                          issuedAt: Fixture.now, expiresAt: Fixture.now + 3600, supersedes: first.credentialID,
                                                          eventKind: "renewed"), settings: w.issuer.settings)
        let published = try w.issuer.publishStatusLists().map { try StatusListToken(bytes: $0.token) }
        #expect(try published[0].inflateList()[first.claims.status.index] == CredentialStatus.superseded.rawValue)
        w.clock.advance(2)
        #expect(w.issuer.registry.discardPending(pending.credentialID, at: w.clock.now))
        let after = try w.issuer.publishStatusLists().map { try StatusListToken(bytes: $0.token) }
        #expect(try after[0].inflateList()[first.claims.status.index] == CredentialStatus.valid.rawValue)
        #expect(try w.issuer.registry.events(documentNumber: "R1").map(\.kind) == ["issued", "superseded", "restored"])
        #expect(try w.issuer.registry.check().isEmpty)
    }

    @Test("restore refuses a backup that lacks credentials issued after it; --force closes their list so no index is given twice")
    func missingIssuances() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = try RegistryProcessTests.makeIssuer(folder)
        let portrait = folder.appendingPathComponent("p.jpg").path
        func issue(_ number: String) throws {
            #expect(try Self.process(["issue", "--issuer", issuer] + Self.holder(number) + ["--portrait", portrait, "--output", "\(folder.path)/\(number).txt"]).code == 0)
        }
        try issue("A1")
        let backup = folder.appendingPathComponent("b.sqlite").path
        #expect(try Self.process(["backup", backup, "--issuer", issuer]).code == 0)
        try issue("B1")
        #expect(try Self.process(["status-list", "--issuer", issuer, "--output-dir", "\(folder.path)/status"]).code == 0)
        let refused = try Self.process(["restore", backup, "--issuer", issuer])
        #expect(refused.code == 2)
        #expect(refused.stderr.contains("it lacks credentials issued after it, whose codes would stay VALID with no record and whose indices would be given again: statuslist-1: 2 indices were in use at the last publication, 1 here"), "\(refused.stderr)")
        let forced = try Self.process(["restore", backup, "--issuer", issuer, "--force"])
        #expect(forced.code == 0 && forced.stdout.contains("Closed 1 list(s)"), "\(forced.stderr)")
        try issue("C1")
        let shown = try Self.process(["show", "C1", "--issuer", issuer]).stdout
        #expect(shown.contains("/status/2 #"), "a new credential goes to a new list: \(shown)")
        #expect(try Self.process(["check", "--issuer", issuer]).code == 0)
    }

    @Test("a forced restore retires a revoked index it has no credential for and closes its list: nothing in it is handed out again")
    func retiredIndexNotReused() throws {
        let w = try Self.world(capacity: 16)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        _ = try w.issuer.issue(IssuerWorld.licence("K0"), lifetime: .seconds(86_400), output: nil)
        let backup = w.folder.appendingPathComponent("k.sqlite")
        try w.issuer.registry.backup(to: backup)
        let lost = try w.issuer.issue(IssuerWorld.licence("LOST"), lifetime: .seconds(86_400), output: nil)
        try w.issuer.revoke("LOST", reason: "fraud")
        _ = try w.issuer.publishStatusLists()
        try w.issuer.registry.close()
        let report = try Issuer.restoreRegistry(folder: w.issuer.directory.root, from: backup, force: true, clock: { Fixture.now })
        #expect(report.carriedOver.map(\.index) == [Int(lost.claims.status.index)])
        let clock = w.clock
        let reopened = try Issuer.open(at: w.issuer.directory.root, clock: { clock.now })
        for i in 0..<20 { _ = try reopened.issue(IssuerWorld.licence("N\(i)"), lifetime: .seconds(86_400), output: nil) }
        let firstList = try reopened.registry.latestCredentials().filter { $0.list.name == "statuslist-1" }.map(\.index)
        #expect(firstList.count == 1, "only K0: the closed list takes no new credential")
        let newOnes = try reopened.registry.latestCredentials().filter { $0.documentNumber.hasPrefix("N") }
        #expect(newOnes.count == 20 && newOnes.allSatisfy { $0.list.name == "statuslist-2" || $0.list.name == "statuslist-3" })
        #expect(try reopened.registry.check().isEmpty)
        w.clock.advance(5)
        let tokens = try reopened.publishStatusLists().map { try StatusListToken(bytes: $0.token) }
        #expect(try tokens[0].inflateList()[lost.claims.status.index] == CredentialStatus.invalid.rawValue)
    }

    @Test("check finds two active credentials, a supersession without successor and an index given twice")
    func checkFindings() throws {
        let w = try Self.world(capacity: 16)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let first = try w.issuer.issue(IssuerWorld.licence("C1"), lifetime: .seconds(86_400), output: nil)
        _ = try w.issuer.renew("C1", expiryDate: CalendarDate(iso8601: "2036-05-01")!, lifetime: .seconds(86_400), output: nil)
        #expect(try w.issuer.registry.check().isEmpty)
        try w.issuer.registry.transaction { db in
            try db.execute(sql: "UPDATE credential SET status = 0 WHERE cti = ?", arguments: [first.credentialID])
            // Free pool position 0 now claims the first credential's index.
            try db.execute(sql: "INSERT OR REPLACE INTO index_pool (list_id, pos, idx) VALUES (1, 0, ?)", arguments: [Int64(first.claims.status.index)])
        }
        let rules = Set(try w.issuer.registry.check().map(\.rule))
        #expect(rules == ["two-active-credentials", "successor-of-unsuperseded", "index-given-twice"])
        let console = Console.capturing()
        #expect(CommandRunner.run(DLIssue.self, ["check", "--issuer", w.issuer.directory.root.path], console: console) == 1)
        #expect(console.stdout.contains("two-active-credentials: document C1 has 2 active credentials"))
        #expect(console.stderr.contains("problem(s) in the registry"))
    }

    @Test("backups taken while another process issues are consistent and restorable")
    func backupWhileIssuing() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = try RegistryProcessTests.makeIssuer(folder)
        let input = folder.appendingPathComponent("rows.csv")
        try Data(RegistryProcessTests.csv("W", count: 400).utf8).write(to: input)
        let batch = try RegistryProcessTests.start(["batch", "--issuer", issuer, "--input", input.path,
                                                    "--output-dir", folder.appendingPathComponent("out").path, "--format", "txt", "--group", "10"])
        var counts: [Int] = []
        let identity = try #require(try Issuer.open(at: URL(fileURLWithPath: issuer), access: .readOnly).settings.registry)
        for i in 0..<4 {
            let file = folder.appendingPathComponent("b\(i).sqlite")
            #expect(try Self.process(["backup", file.path, "--issuer", issuer]).code == 0)
            let copy = try Registry.open(.sqlite(file), expected: identity, access: .readOnly, at: 0).registry
            #expect(try copy.check().isEmpty)
            counts.append(try copy.credentialCount())
            Thread.sleep(forTimeInterval: 0.2)
        }
        batch.waitUntilExit()
        #expect(batch.terminationStatus == 0)
        #expect(counts == counts.sorted())
        let restored = try Self.process(["restore", folder.appendingPathComponent("b3.sqlite").path, "--issuer", issuer])
        #expect(restored.code == 0, "nothing was published, so nothing is lost: \(restored.stderr)")
    }

    // MARK: smaller defects

    @Test("names that are not UTF-8 on the command line are refused, not signed as U+FFFD")
    func nonUTF8Arguments() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = try RegistryProcessTests.makeIssuer(folder)
        let out = folder.appendingPathComponent("x.txt").path
        let run = try Self.process([issuer, folder.appendingPathComponent("p.jpg").path, out], viaShell: """
            "$0" issue --issuer "$1" --document-number U1 --family-name "$(printf '\\377\\376')" --birth-date 1985-05-05 \
              --expiry-date 2031-01-01 --category C1:2020-01-01 --portrait "$2" --output "$3"
            """)
        #expect(run.code == 2)
        #expect(run.stderr.contains("is not valid UTF-8 text"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("a key file behind a symbolic link is judged by the file it points to, and the advice names that file")
    func symlinkedKey() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let privateFolder = world.folder.appendingPathComponent("issuer/private")
        let keyName = try #require(try FileManager.default.contentsOfDirectory(atPath: privateFolder.path).first { $0.hasPrefix("ds-") })
        let link = privateFolder.appendingPathComponent(keyName).path
        let target = world.folder.appendingPathComponent("vault-key.pem").path
        try FileManager.default.moveItem(atPath: link, toPath: target)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let (ok, okConsole) = world.issue()
        #expect(ok == 0, "a 0600 key behind a link works: \(okConsole.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target)
        let (refused, console) = world.issue()
        #expect(refused == 2)
        #expect(console.stderr.contains("the private key \(target) (through the link \(link)) is readable by group or others (mode 644): run 'chmod 600 \(target)'"), "\(console.stderr)")
    }

    @Test("batch removes the temporary files of killed runs, keeps a live writer's, and names duplicate rows")
    func batchLeftoversAndDuplicates() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let out = world.folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = ".D1.txt.\(finished.processIdentifier).\(UUID().uuidString).tmp"
        let live = ".D2.txt.\(getpid()).\(UUID().uuidString).tmp"
        let unknownAge = ".D3.txt.\(UUID().uuidString).tmp"
        for name in [dead, live, unknownAge] { FileManager.default.createFile(atPath: out.appendingPathComponent(name).path, contents: Data("x".utf8)) }
        let input = world.folder.appendingPathComponent("rows.csv")
        try Data("""
            document_number,family_name,birth_date,expiry_date,categories,portrait
            D1,王,1985-05-05,2031-01-01,C1:2020-01-01,portrait.jpg
            D1,李,1985-05-05,2031-01-01,C1:2020-01-01,portrait.jpg

            """.utf8).write(to: input)
        let console = Console.capturing()
        let code = CommandRunner.run(DLIssue.self, ["batch", "--issuer", world.issuer, "--input", input.path, "--output-dir", out.path, "--format", "txt"], console: console)
        #expect(code == 1)
        #expect(console.stderr.contains("rows.csv:3: document D1 appears again in this input (first on line 2): one licence per document number (row skipped)"), "\(console.stderr)")
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: out.path))
        #expect(!left.contains(dead) && left.contains(live) && left.contains(unknownAge) && left.contains("D1.txt"))
    }

    @Test("a number pending in a live process is 'being issued right now'; one left by a dead process is 'interrupted'")
    func pendingOwners() throws {
        let w = try Self.world()
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let licence = IssuerWorld.licence("P1")
        let signer = try w.issuer.primarySigner()
        let reservation = try w.issuer.registry.reserve(.init(documentNumber: "P1", licence: licence, signerKid: signer.kid,
                                                              issuedAt: Fixture.now, expiresAt: Fixture.now + 3600), settings: w.issuer.settings)
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer { if sleeper.isRunning { kill(sleeper.processIdentifier, SIGKILL); sleeper.waitUntilExit() } }
        func setOwner(_ pid: Int32) throws {
            let start = ProcessProbe.startTime(pid) ?? 0
            try w.issuer.registry.transaction { db in
                try db.execute(sql: "UPDATE pending_credential SET owner_pid = ?, owner_start = ? WHERE cti = ?",
                               arguments: [Int64(pid), start, reservation.credentialID])
            }
        }
        try setOwner(sleeper.processIdentifier)
        do { _ = try w.issuer.issue(licence, lifetime: .seconds(3600), output: nil); Issue.record("must be refused") } catch {
            #expect(error.code == .heldByAnotherProcess)
            #expect(error.description.hasPrefix("document P1 is being issued right now by another process (pid \(sleeper.processIdentifier))"))
        }
        kill(sleeper.processIdentifier, SIGKILL)
        sleeper.waitUntilExit()
        do { _ = try w.issuer.issue(licence, lifetime: .seconds(3600), output: nil); Issue.record("must be refused") } catch {
            #expect(error.code == .pendingFromInterruptedRun)
            #expect(error.description.hasPrefix("document P1 has a pending credential from an interrupted or failed run"))
        }
    }

    @Test("list and show work on a registry the user may only read; a change says the registry is read-only, without SQL")
    func readOnlyRegistry() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let issuer = world.issuer
        let asRoot = getuid() == 0
        if asRoot {
            // root ignores permissions: run as 'nobody' over a folder nobody may read but not write.
            #expect(chmod(world.folder.path, 0o755) == 0)
            for path in [issuer, "\(issuer)/registry.sqlite", "\(issuer)/registry.sqlite-wal", "\(issuer)/registry.sqlite-shm", "\(issuer)/issuer.json",
                         "\(issuer)/certs", "\(issuer)/.lock"] where FileManager.default.fileExists(atPath: path) {
                var isDirectory: ObjCBool = false
                FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                #expect(chmod(path, isDirectory.boolValue ? 0o755 : 0o644) == 0)
            }
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(issuer)/certs") { chmod("\(issuer)/certs/\(name)", 0o644) }
        } else {
            for path in ["\(issuer)/registry.sqlite", issuer] { chmod(path, 0o555) }
        }
        defer { chmod(issuer, 0o700) }
        let user = asRoot ? "nobody" : nil
        let list = try Self.process(["list", "--issuer", issuer], user: user)
        #expect(list.code == 0 && list.stdout.contains("310101199001011234"), "\(list.stderr)")
        let show = try Self.process(["show", "310101199001011234", "--issuer", issuer], user: user)
        #expect(show.code == 0, "\(show.stderr)")
        let revoke = try Self.process(["revoke", "310101199001011234", "--issuer", issuer, "--reason", "x"], user: user)
        #expect(revoke.code == 2)
        #expect(revoke.stderr.contains("(attempt to write a readonly database): check the permissions of the file and its folder"), "\(revoke.stderr)")
        #expect(!revoke.stderr.contains("CREATE TABLE") && !revoke.stderr.contains("grdb"), "\(revoke.stderr)")
    }
}
