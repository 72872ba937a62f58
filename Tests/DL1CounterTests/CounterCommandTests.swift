import DL1CommandSupport
import DL1TestSupport
@testable import DL1VerifyCommand
import DL1VerifyServer
import Foundation
import Testing

/// `dl-verify serve` and `dl-verify token` as commands: what they refuse before serving, in
/// the CLI's words, and the token they print once.
@Suite("Counter commands")
struct CounterCommandTests {
    static func serve(_ arguments: [String]) -> (Int32, Console) {
        let console = Console.capturing()
        return (CommandRunner.run(ServeCommand.self, arguments, console: console), console)
    }

    @Test("Bad options and unusable data stop serve before it listens, with a clear message and exit 2")
    func refusals() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trust = folder.appendingPathComponent("trust")
        try CounterWorld.writeTrust(to: trust)
        let cases: [([String], String)] = [
            (["--trust", trust.path, "--profile", "bank"], "--profile 'bank' is not one of police, rental, insurer, employer"),
            (["--trust", trust.path, "--listen", "8080"], "--listen: '8080' is not HOST:PORT"),
            (["--trust", trust.path, "--tls-cert", "c.pem"], "--tls-cert and --tls-key go together"),
            (["--trust", trust.path, "--reload-interval", "0s"], "--reload-interval '0s' must be a duration from 1s to 1d"),
            (["--trust", trust.path, "--client-rate=-1"], "--client-rate must be 0 or more"),
            (["--trust", trust.path, "--allow-origin", "https://a.example/page"], "--allow-origin 'https://a.example/page' is not an origin"),
            (["--trust", trust.path, "--log-level", "loud"], "--log-level 'loud' is not one of"),
            (["--trust", folder.appendingPathComponent("missing").path], "missing"),
            (["--trust", trust.path, "--cache", folder.appendingPathComponent("never").path], "was never synced: run 'dl-verify sync --from URL --cache"),
            (["--trust", trust.path, "--api-tokens", folder.appendingPathComponent("none").path], "cannot read the API token file"),
        ]
        for (arguments, message) in cases {
            let (rc, console) = Self.serve(arguments)
            #expect(rc == 2 && console.stderr.contains(message), "\(arguments): \(rc) \(console.stderr)")
            #expect(console.stdout.isEmpty)
        }
        // A token file without a token is refused too: the API would be closed to everyone.
        let empty = folder.appendingPathComponent("empty").path
        try "# no tokens yet\n".write(toFile: empty, atomically: true, encoding: .utf8)
        let (rc, console) = Self.serve(["--trust", trust.path, "--api-tokens", empty])
        #expect(rc == 2 && console.stderr.contains("holds no token: add one with 'dl-verify token --file"))
    }

    @Test("token prints a new token once and stores only its hash")
    func token() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("tokens").path
        let console = Console.capturing()
        #expect(CommandRunner.run(TokenCommand.self, ["--file", file, "--label", "desk-1"], console: console) == 0)
        let token = console.stdout.trimmingCharacters(in: .newlines)
        #expect(token.hasPrefix("dl1_") && token.count == 47)
        let stored = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!stored.contains(token) && stored.hasSuffix(" desk-1\n"))
        #expect(try APITokens.load(file: file).accepts(authorization: "Bearer " + token))
        let bad = Console.capturing()
        #expect(CommandRunner.run(TokenCommand.self, ["--file", file, "--label", "desk 2"], console: bad) == 2)
        #expect(bad.stderr.contains("the label 'desk 2' must be 1 to 64 letters"))
    }
}
