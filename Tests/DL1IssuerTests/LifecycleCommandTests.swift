import DL1CommandSupport
import DL1IssueCommand
import DL1Verifier
import DL1VerifyCommand
import DL1TestSupport
import DL1IssuerTestSupport
import Foundation
import Testing

/// The lifecycle from the command line: each command's exit code, and refusals that change nothing.
@Suite("dl-issue lifecycle commands")
struct LifecycleCommandTests {
    func run(_ arguments: [String]) -> (Int32, Console) {
        let console = Console.capturing()
        return (CommandRunner.run(DLIssue.self, arguments, console: console), console)
    }

    @Test("renew, points, suspend, reinstate, revoke, show and list from the CLI; the verifier follows the published list")
    func walkThrough() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let n = "310101199001011234", issuer = ["--issuer", world.issuer]
        let status = world.folder.appendingPathComponent("status").path
        func publish() { #expect(run(["status-list"] + issuer + ["--output-dir", status]).0 == 0) }
        func verdict(_ file: String) -> String {
            let (_, console) = world.verify(["--trust", world.trust, "--status", world.status, "--text",
                                             (try? String(contentsOfFile: file, encoding: .utf8))?.trimmingCharacters(in: .newlines) ?? ""])
            return String(console.stdout.prefix { $0 != "\n" })
        }
        let renewed = world.folder.appendingPathComponent("renewed.txt").path
        #expect(run(["renew", n] + issuer + ["--expiry-date", "2038-05-01", "--output", renewed]).0 == 0)
        publish()
        #expect(world.verify(["--trust", world.trust, "--status", world.status, world.png]).1.stdout.hasPrefix("SUPERSEDED"))
        #expect(verdict(renewed) == "VALID")
        let phone = world.folder.appendingPathComponent("phone.txt").path
        #expect(run(["points", n] + issuer + ["--deduct", "12", "--reason", "speeding", "--output", phone]).0 == 0)
        publish()
        #expect(verdict(phone) == "SUSPENDED")
        #expect(run(["reinstate", n] + issuer).0 == 0)
        publish()
        #expect(verdict(phone) == "VALID")
        #expect(run(["revoke", n] + issuer + ["--reason", "fraud"]).0 == 0)
        publish()
        #expect(verdict(phone) == "REVOKED")
        let (showCode, show) = run(["show", n] + issuer + ["--json"])
        #expect(showCode == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "INVALID")
        let kinds = (object["events"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
        #expect(kinds == ["issued", "superseded", "renewed", "points", "suspended", "reinstated", "revoked"])
        let (listCode, list) = run(["list"] + issuer + ["--status", "revoked"])
        #expect(listCode == 0 && list.stdout.hasPrefix(n))
    }

    @Test("unknown numbers, impossible dates, foreign categories and contradictory flags: exit 2, nothing changes")
    func refusals() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let n = "310101199001011234", issuer = ["--issuer", world.issuer]
        let cases: [[String]] = [
            ["renew", "NOPE"] + issuer + ["--expiry-date", "2038-01-01"],
            ["renew", n] + issuer + ["--expiry-date", "2038-02-30"],
            ["change-category", n] + issuer + ["--add", "Z9:2020-01-01"],
            ["change-category", n] + issuer + ["--add", "B2:2020-01-01", "--remove", "B2"],
            ["change-category", n] + issuer,
            ["points", n] + issuer + ["--deduct", "3"],
            ["points", n] + issuer + ["--deduct", "3", "--reason", "x", "--restore", "1"],
            ["points", n] + issuer + ["--deduct", "3", "--reason", "x", "--output", "/nonexistent/x.png"],
            ["suspend", n] + issuer,
            ["reinstate", n] + issuer,
            ["list"] + issuer + ["--status", "lost"],
            ["batch"] + issuer + ["--input", "rows.xlsx", "--output-dir", "x"],
        ]
        for arguments in cases {
            let (code, console) = run(arguments)
            #expect(code == 2, "\(arguments): \(console.stderr)")
            #expect(!console.stderr.isEmpty)
        }
        let (_, show) = run(["show", n] + issuer)
        #expect(show.stdout.contains("VALID") && show.stdout.contains("12/12"))
        #expect(show.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("  20") }.count == 1, "one event: issued")
    }
}
