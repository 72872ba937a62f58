import DL1CommandSupport
import DL1IssueCommand
import DL1TestSupport
import DL1VerifyCommand
import Foundation

/// A fresh issuer made with `dl-issue init` (in-process, on the system clock), a licence issued
/// as PNG and a status list: the common ground of the command-line tests.
public struct CLIWorld: Sendable {
    public let folder: URL
    public var issuer: String { folder.appendingPathComponent("issuer").path }
    public var trust: String { folder.appendingPathComponent("issuer/trust").path }
    public var png: String { folder.appendingPathComponent("code.png").path }
    public var status: String { folder.appendingPathComponent("status/statuslist-1.cwt").path }
    public var portrait: String { folder.appendingPathComponent("portrait.jpg").path }

    /// Why a world could not be made.
    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Makes the world; throws with the command's standard error when a step fails.
    public static func make() throws -> CLIWorld {
        let world = CLIWorld(folder: Fixture.temporaryFolder())
        let console = Console.capturing()
        guard CommandRunner.run(DLIssue.self, ["init", world.issuer, "--country", "CN", "--authority-code", "CN-31",
                                               "--authority-name", "上海市公安局交通警察总队"], console: console) == 0 else {
            throw SetupError(description: "dl-issue init failed: \(console.stderr)")
        }
        try Data("portrait bytes".utf8).write(to: URL(fileURLWithPath: world.portrait))
        let (issued, issueConsole) = world.issue(output: world.png, number: "310101199001011234")
        guard issued == 0 else { throw SetupError(description: "dl-issue issue failed: \(issueConsole.stderr)") }
        let status = Console.capturing()
        guard CommandRunner.run(DLIssue.self, ["status-list", "--issuer", world.issuer, "--output-dir",
                                               world.folder.appendingPathComponent("status").path], console: status) == 0 else {
            throw SetupError(description: "dl-issue status-list failed: \(status.stderr)")
        }
        return world
    }

    /// Issues a licence (a fresh document number each time unless one is given).
    public func issue(_ extra: [String] = [], output: String? = nil, number: String? = nil) -> (Int32, Console) {
        let console = Console.capturing()
        let code = CommandRunner.run(DLIssue.self, ["issue", "--issuer", issuer,
            "--document-number", number ?? "T\(UInt32.random(in: 10_000_000...99_999_999))", "--family-name", "张", "--given-name", "小明",
            "--birth-date", "1990-01-01", "--expiry-date", "2032-05-01",
            "--category", "C1:2020-05-01", "--category", "A2:2022-03-01:2028-03-01",
            "--portrait", portrait] + (output.map { ["--output", $0] } ?? []) + extra, console: console)
        return (code, console)
    }

    /// Runs dl-verify in-process.
    public func verify(_ arguments: [String], stdin: String = "") -> (Int32, Console) {
        let console = Console.capturing(stdin: stdin)
        return (CommandRunner.run(DLVerify.self, arguments, console: console), console)
    }
}
