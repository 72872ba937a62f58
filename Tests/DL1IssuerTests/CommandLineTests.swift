import DL1CommandSupport
import DL1Crypto
import DL1Format
import DL1IssueCommand
import DL1Raster
import DL1TestSupport
import DL1Verifier
import DL1VerifyCommand
import Foundation
import Testing

/// Both CLIs end to end, in-process: flags, files written, output and exit codes.
@Suite("dl-issue and dl-verify")
struct CommandLineTests {
    @Test("init writes keys 0600 in a 0700 folder, certificates, a registry and trust/; refuses an existing issuer")
    func initLayout() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let fm = FileManager.default
        let privateFolder = world.folder.appendingPathComponent("issuer/private")
        #expect((try fm.attributesOfItem(atPath: privateFolder.path)[.posixPermissions] as? Int) == 0o700)
        for name in try fm.contentsOfDirectory(atPath: privateFolder.path) {
            #expect((try fm.attributesOfItem(atPath: privateFolder.appendingPathComponent(name).path)[.posixPermissions] as? Int) == 0o600)
            let pem = try String(contentsOf: privateFolder.appendingPathComponent(name), encoding: .utf8)
            #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        }
        let trust = try TrustStore.load(directory: URL(fileURLWithPath: world.trust))
        #expect(trust.roots.count == 1 && trust.certificates.count == 2)
        let ds = try #require(trust.certificates.first { !$0.isCA })
        #expect(ds.subjectCountries == ["CN"] && ds.subjectOrganizationalUnits == ["CN-31"] && ds.allowsDigitalSignature)
        #expect(ds.notAfter - ds.notBefore <= 457 * 86_400)
        let again = Console.capturing()
        #expect(CommandRunner.run(DLIssue.self, ["init", world.issuer, "--country", "CN", "--authority-code", "CN-31",
                                                 "--authority-name", "X"], console: again) == 2)
        #expect(again.stderr.contains("refusing to overwrite"))
        let bad = Console.capturing()
        #expect(CommandRunner.run(DLIssue.self, ["init", world.folder.appendingPathComponent("x").path, "--country", "cn",
                                                 "--authority-code", "CN-31", "--authority-name", "X"], console: bad) == 2)
        #expect(bad.stderr.contains("--country"))
        #expect(!fm.fileExists(atPath: world.folder.appendingPathComponent("x").path))
    }

    @Test("dl-verify on the issued PNG: VALID, exit 0, human output with verdict first and the holder")
    func verifyPNG() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let (rc, console) = world.verify(["--trust", world.trust, "--status", world.status, "--category", "C1",
                                          "--portrait", world.portrait, world.png])
        #expect(rc == 0, "\(console.stdout)\(console.stderr)")
        let lines = console.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "VALID")
        #expect(console.stdout.contains("张 小明") && console.stdout.contains("C1 from 2020-05-01"))
        #expect(console.stdout.contains("12/12 as of"))
    }

    @Test("dl-verify --json: one object per line with verdict, reason, check, layer/condition, licence")
    func json() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        var (rc, console) = world.verify(["--trust", world.trust, "--status", world.status, "--json", world.png])
        #expect(rc == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(console.stdout.utf8)) as? [String: Any])
        #expect(object["verdict"] as? String == "VALID" && object["check"] is NSNull)
        let licence = try #require(object["licence"] as? [String: Any])
        #expect(licence["family_name"] as? String == "张")
        (rc, console) = world.verify(["--trust", world.trust, "--json", "--text", "DL1:%%%"])
        #expect(rc == 1)
        let bad = try #require(try JSONSerialization.jsonObject(with: Data(console.stdout.utf8)) as? [String: Any])
        #expect(bad["verdict"] as? String == "MALFORMED" && bad["check"] as? String == "decode" && bad["layer"] as? String == "base45")
        #expect(bad["licence"] == nil)
    }

    @Test("dl-verify --text - answers one line per code, stripping only LF or CRLF")
    func stdinLines() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let (_, issued) = world.issue(["--format", "txt"], output: world.folder.appendingPathComponent("code.txt").path)
        #expect(issued.stderr.contains("Issued"))
        let text = try String(contentsOf: world.folder.appendingPathComponent("code.txt"), encoding: .utf8)
            .trimmingCharacters(in: .newlines)
        let input = text + "\r\n" + "NOT A CODE\n" + text + " \n"
        var (rc, console) = world.verify(["--trust", world.trust, "--status", world.status, "--text", "-"], stdin: input)
        var lines = console.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("VALID\t") && lines[1].hasPrefix("MALFORMED\t"))
        #expect(lines[2].hasPrefix("MALFORMED\t"), "a trailing space is a Base45 character, not stripped")
        #expect(rc == 1)
        (rc, console) = world.verify(["--trust", world.trust, "--status", world.status, "--json", "--text", "-"], stdin: input)
        lines = console.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 3 && lines.allSatisfy { $0.hasPrefix("{\"source\":\"stdin:") })
    }

    @Test("exit codes: 1 not valid, 2 usage or configuration, 3 no QR code; 2 then 3 then 1 with several inputs")
    func exitCodes() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let blank = world.folder.appendingPathComponent("blank.png").path
        try Data(try PNGCodec.encode(GreyImage(width: 100, height: 100, fill: 255))).write(to: URL(fileURLWithPath: blank))
        let notImage = world.folder.appendingPathComponent("notes.png").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: notImage))
        let trust = ["--trust", world.trust]
        #expect(world.verify(trust + [world.png]).0 == 1) // no status list: STATUS_UNKNOWN
        #expect(world.verify(trust + ["--allow-unknown-status", world.png]).0 == 0)
        #expect(world.verify(trust + [blank]).0 == 3)
        #expect(world.verify(trust + [notImage]).0 == 2)
        #expect(world.verify(trust + [world.png, blank]).0 == 3)
        #expect(world.verify(trust + [blank, notImage, world.png]).0 == 2)
        #expect(world.verify(["--trust", "/nonexistent", world.png]).0 == 2)
        #expect(world.verify(trust + ["--leeway", "-1", world.png]).0 == 2)
        #expect(world.verify(trust + ["--at", "yesterday", world.png]).0 == 2)
        #expect(world.verify(trust + ["--bogus", world.png]).0 == 2)
        let ignored = world.verify(trust + ["--status", notImage, world.png])
        #expect(ignored.0 == 1 && ignored.1.stdout.hasPrefix("STATUS_UNKNOWN") && ignored.1.stderr.contains("ignored"))
        #expect(world.verify(trust + ["--status", "/nonexistent.cwt", world.png]).0 == 2)
        #expect(world.verify(trust + ["--text", "-"], stdin: "").0 == 2)
        #expect(world.verify([world.png]).0 == 2)
        #expect(world.verify(trust).0 == 2)
        #expect(world.verify(trust + ["--at", "2020-01-01T00:00:00+08:00", "--allow-unknown-status", world.png]).0 == 1)
    }

    @Test("dl-issue refuses bad input with exit 2, a clear message, and records nothing")
    func issueRefusals() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let cases: [([String], String)] = [
            (["--category", "Z9:2020-01-01"], "category Z9"),
            (["--expiry-date", "2019-01-01"], "expiry"),
            (["--points", "13/12"], "points"),
            (["--points", "twelve"], "--points"),
            (["--valid-for", "soon"], "--valid-for"),
            (["--valid-for", "1h", "--valid-until-expiry"], "contradict"),
            (["--ecc", "X"], "--ecc"),
            (["--birth-date", "1990-02-30"], "--birth-date"),
        ]
        let registry = world.folder.appendingPathComponent("issuer/registry.sqlite")
        for (extra, message) in cases {
            let console = Console.capturing()
            var arguments = ["issue", "--issuer", world.issuer, "--document-number", "X1", "--family-name", "李",
                             "--birth-date", "1990-01-01", "--expiry-date", "2032-05-01", "--category", "C1:2020-05-01",
                             "--portrait", world.portrait, "--output", world.folder.appendingPathComponent("bad.png").path]
            // A later flag of the same name wins for single-value options.
            arguments += extra
            let rc = CommandRunner.run(DLIssue.self, arguments, console: console)
            #expect(rc == 2, "\(extra)")
            #expect(console.stderr.contains(message), "\(extra): \(console.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: world.folder.appendingPathComponent("bad.png").path))
        let issuer = try DL1IssuerOpen.open(world.issuer)
        #expect(try issuer.registry.credentialCount() == 1)
        #expect(FileManager.default.fileExists(atPath: registry.path))
    }

    @Test("dl-issue issue from a --holder JSON file, and to the terminal")
    func holderFileAndTerminal() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let holder = world.folder.appendingPathComponent("holder.json")
        try Data("""
        {"document_number": "440101198505050011", "family_name": "王", "given_name": "芳",
         "birth_date": "1985-05-05", "issue_date": "2019-01-10", "expiry_date": "2029-01-10",
         "driving_privileges": [{"category": "B2", "issue_date": "2019-01-10", "restrictions": "glasses"}],
         "points": {"remaining": 6, "maximum": 12, "cycle_end": "2027-01-09"},
         "portrait": "portrait.jpg"}
        """.utf8).write(to: holder)
        let console = Console.capturing()
        let rc = CommandRunner.run(DLIssue.self, ["issue", "--issuer", world.issuer, "--holder", holder.path, "--format", "terminal"], console: console)
        #expect(rc == 0, "\(console.stderr)")
        #expect(console.stdout.contains("▀") && console.stdout.contains("\u{1b}[0m"))
        try Data("{\"family_name\": 3}".utf8).write(to: holder)
        let bad = Console.capturing()
        #expect(CommandRunner.run(DLIssue.self, ["issue", "--issuer", world.issuer, "--holder", holder.path], console: bad) == 2)
        #expect(bad.stderr.contains("holder file"))
    }

    @Test("a credential left pending by an interrupted run is reported by the next command")
    func pendingReported() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let issuer = try DL1IssuerOpen.open(world.issuer)
        _ = try issuer.registry.reserve(.init(documentNumber: "INTERRUPTED", licence: Fixture.factory.licence(), signerKid: try issuer.primarySigner().kid,
                                              issuedAt: Fixture.now, expiresAt: Fixture.now + 60), settings: issuer.settings)
        let (rc, console) = world.issue(output: world.folder.appendingPathComponent("next.png").path)
        #expect(rc == 0)
        #expect(console.stderr.contains("INTERRUPTED") && console.stderr.contains("pending"))
    }
}

import DL1Issuer
import DL1IssuerTestSupport

/// Opens an issuer folder made by the CLI.
enum DL1IssuerOpen {
    static func open(_ path: String) throws -> Issuer { try Issuer.open(at: URL(fileURLWithPath: path)) }
}
