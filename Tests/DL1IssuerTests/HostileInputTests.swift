@testable import DL1CommandSupport
import DL1Crypto
import DL1Format
import DL1IssueCommand
import DL1TestSupport
import DL1Raster
import DL1Verifier
import DL1VerifyCommand
import DL1IssuerTestSupport
import Foundation
import Testing

/// Inputs a careless or hostile user gives: none may crash, hang, grow memory without bound,
/// or put control characters on an officer's screen.
@Suite("Hostile and extreme input")
struct HostileInputTests {
    let pki = Fixture.pki
    let factory = Fixture.factory
    let now = Fixture.now

    @Test("iat and exp at 2^63−1 are answered, not trapped on")
    func extremeInstants() throws {
        let verifier = try Fixture.verifier()
        let farExp = factory.claims(exp: .max)
        #expect(verifier.verify(text: try Fixture.goodCode(farExp), at: now).verdict == .valid)
        let farIat = factory.claims(iat: .max, exp: .max)
        // The chain is checked at iat (step 5, before the time checks): no certificate is valid then.
        #expect(verifier.verify(text: try Fixture.goodCode(farIat), at: now).condition == .validity)
        #expect(verifier.verify(text: try Fixture.goodCode(farIat), at: .min).condition == .validity)
        #expect(verifier.verify(text: try Fixture.goodCode(factory.claims(iat: now + 86_400)), at: .min).verdict == .notYetValid)
        #expect(verifier.verify(text: try Fixture.goodCode(), at: .max).verdict == .expiredCode)
        let token = try factory.statusToken(signer: pki.signer, iat: now, exp: .max)
        #expect(try Fixture.verifier(tokens: [token]).verify(text: try Fixture.goodCode(), at: now).verdict == .valid)
        let result = verifier.verify(text: try Fixture.goodCode(farIat), at: .min)
        #expect(result.json.serialized.contains("UNTRUSTED_SIGNER"))
        #expect(!Instant.iso(.min).isEmpty && !Instant.iso(.max).isEmpty)
    }

    @Test("a 4,000-character text and non-ASCII text are MALFORMED, quickly")
    func oddTexts() throws {
        let verifier = try Fixture.verifier()
        #expect(verifier.verify(text: "DL1:" + String(repeating: "A", count: 3996)).verdict == .malformed)
        #expect(verifier.verify(text: "DL1:驾驶证").layer == .base45)
        #expect(verifier.verify(text: "DL1:\u{0}").layer == .base45)
    }

    @Test("control characters in a signed code are shown escaped, one line per code")
    func controlCharacters() throws {
        var licence = factory.licence()
        licence.familyName = "A\nB\u{1b}[31mRED\u{202e}"
        let text = try factory.text(factory.claims(licence: licence), signer: pki.signer)
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(pki.root.certificate.pem()).write(to: folder.appendingPathComponent("root.pem"))
        try Data(pki.signer.certificate.pem()).write(to: folder.appendingPathComponent("ds.pem"))
        let console = Console.capturing(stdin: text + "\n")
        let rc = CommandRunner.run(DLVerify.self, ["--trust", folder.path, "--allow-unknown-status", "--at", Instant.iso(now), "--text", "-"], console: console)
        #expect(rc == 0)
        #expect(console.stdout.split(separator: "\n").count == 1)
        #expect(!console.stdout.contains("\u{1b}") && console.stdout.contains("\\u{1B}") && console.stdout.contains("\\u{202E}"))
        let human = Console.capturing()
        _ = CommandRunner.run(DLVerify.self, ["--trust", folder.path, "--allow-unknown-status", "--at", Instant.iso(now), "--text", text], console: human)
        #expect(!human.stdout.contains("\u{1b}") && !human.stdout.contains("\u{202e}"))
    }

    @Test("a FIFO named like a photo is refused at once instead of blocking; the other inputs are still verified")
    func fifo() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let fifo = world.folder.appendingPathComponent("camera-roll.png")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let (rc, console) = world.verify(["--trust", world.trust, "--status", world.status, fifo.path, world.png])
        #expect(rc == 2)
        #expect(console.stderr.contains("the image \(fifo.path) is not a regular file"))
        #expect(console.stdout.hasPrefix("VALID\n"))
    }

    @Test("a 100 MB file is refused without being read; a 50-megapixel photo is scaled, not refused")
    func hugeInputs() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let huge = world.folder.appendingPathComponent("huge.jpg")
        _ = FileManager.default.createFile(atPath: huge.path, contents: nil)
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: 100 * 1024 * 1024)
        try handle.close()
        let (rc, console) = world.verify(["--trust", world.trust, huge.path])
        #expect(rc == 2 && console.stderr.contains("larger than 64 MiB"))
        // 50 megapixels, mostly blank (a small file): decoded scaled down, answered "no code".
        let photo = try JPEGCodec.encode(GreyImage(width: 8_000, height: 6_250, fill: 230), quality: 50)
        let verifier = try Fixture.verifier()
        let scan = try verifier.verify(imageBytes: photo)
        #expect(scan.foundNoCode && scan.width * scan.height <= 20_000_000)
        let bigPNG = try PNGCodec.encode(GreyImage(width: 8_000, height: 6_250, fill: 230))
        let pngScan = try verifier.verify(imageBytes: bigPNG)
        #expect(pngScan.foundNoCode && pngScan.width * pngScan.height <= 20_000_000)
    }

    @Test("standard input lines are bounded: a huge line is cut, not kept whole")
    func longLines() throws {
        let pipe = Pipe()
        let reader = LineReader(handle: pipe.fileHandleForReading, maxLineBytes: 100)
        let writer = pipe.fileHandleForWriting
        try writer.write(contentsOf: Data((String(repeating: "X", count: 10_000) + "\nshort\r\nlast").utf8))
        try writer.close()
        #expect(reader.next()?.count == 100)
        #expect(reader.next() == "short\r")
        #expect(reader.next() == "last")
        #expect(reader.next() == nil)
    }

    @Test("dl-issue never replaces a symbolic link, a folder or a device; refuses control characters")
    func issuerOutputsAndText() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let link = world.folder.appendingPathComponent("link.png")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: world.png)
        var (rc, console) = world.issue(output: link.path)
        #expect(rc == 2 && console.stderr.contains("not a regular file"))
        #expect((try FileManager.default.attributesOfItem(atPath: link.path)[.type] as? FileAttributeType) == .typeSymbolicLink)
        (rc, console) = world.issue(output: world.folder.path + "/status")
        #expect(rc == 2)
        (rc, console) = world.issue(["--format", "txt"], output: "/dev/null")
        #expect(rc == 2 && console.stderr.contains("not a regular file"))
        (rc, console) = world.issue(["--family-name", "A\u{1b}[31m"], output: world.folder.appendingPathComponent("c.png").path)
        #expect(rc == 2 && console.stderr.contains("control"))
        (rc, console) = world.issue(["--family-name", "   "], output: world.folder.appendingPathComponent("c.png").path)
        #expect(rc == 2 && console.stderr.contains("blank"))
        (rc, console) = world.issue(["--points", "0/0"], output: world.folder.appendingPathComponent("nopoints.png").path)
        #expect(rc == 0, "FORMAT §2: a country without points writes {0, 0, expiry}: \(console.stderr)")
        (rc, console) = world.issue(["--scale", "1"], output: world.folder.appendingPathComponent("tiny.png").path)
        #expect(rc == 2)
        (rc, console) = world.issue(["--issue-date", "2099-01-01"], output: world.folder.appendingPathComponent("f.png").path)
        #expect(rc == 2 && console.stderr.contains("future"))
        (rc, console) = world.issue(["--category", "C2:2020-01-01:"], output: world.folder.appendingPathComponent("f.png").path)
        #expect(rc == 2 && console.stderr.contains("no expiry date"))
    }

    @Test("pending credentials can be listed and revoked")
    func pendingRevoke() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let issuer = try DL1IssuerOpen.open(world.issuer)
        _ = try issuer.registry.reserve(.init(documentNumber: "LOST", licence: factory.licence(), signerKid: try issuer.primarySigner().kid,
                                              issuedAt: now, expiresAt: now + 60), settings: issuer.settings)
        let list = Console.capturing()
        #expect(CommandRunner.run(DLIssue.self, ["pending", "--issuer", world.issuer], console: list) == 0)
        #expect(list.stdout.contains("LOST"))
        let revoke = Console.capturing()
        #expect(CommandRunner.run(DLIssue.self, ["pending", "--issuer", world.issuer, "--revoke"], console: revoke) == 0)
        #expect(revoke.stdout.contains("Revoked 1"))
        #expect(try issuer.registry.pending().isEmpty)
        #expect(try issuer.registry.lists().flatMap { try issuer.registry.statuses(listID: $0.id) }.map(\.status) == [1])
    }

    @Test("clear errors for a trust path that is a file, an empty --category and a bad holder file")
    func clearErrors() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        var (rc, console) = world.verify(["--trust", world.png, world.png])
        #expect(rc == 2 && console.stderr.contains("not a folder"))
        (rc, console) = world.verify(["--trust", world.trust, "--category", "", world.png])
        #expect(rc == 2)
        let holder = world.folder.appendingPathComponent("h.json")
        for (json, message) in [("[]", "JSON object"), ("{\"document_number\": \"X\", \"family_name\": \"A\", \"birth_date\": \"1990-01-01\", \"expiry_date\": \"2030-01-01\", \"driving_privileges\": [], \"points\": {\"remaining\": -1, \"maximum\": 12}}", "0 or more"),
                                ("{\"document_number\": \"X\", \"family_name\": \"A\", \"birth_date\": \"1990-01-01\", \"expiry_date\": \"2030-01-01\", \"driving_privileges\": [{\"category\": \"C1\"}]}",
                                 "driving_privileges[0].issue_date")] {
            try Data(json.utf8).write(to: holder)
            let c = Console.capturing()
            #expect(CommandRunner.run(DLIssue.self, ["issue", "--issuer", world.issuer, "--holder", holder.path], console: c) == 2)
            #expect(c.stderr.contains(message), "\(json): \(c.stderr)")
        }
    }
}
