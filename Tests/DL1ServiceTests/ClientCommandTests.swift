import DL1CommandSupport
import DL1Crypto
import DL1Issuer
import DL1IssuerTestSupport
import DL1ServiceClient
import DL1TestSupport
import DL1Verifier
import DL1VerifyCommand
import DL1WalletCommand
import Foundation
import Testing

/// Runs a command on its own thread: the commands block on their client calls, which must not
/// take a thread of the concurrency pool that the in-process server also needs.
func runCommand<C: ParsableCommandRunner>(_ type: C.Type, _ arguments: [String]) async -> (Int32, Console) {
    await withCheckedContinuation { continuation in
        Thread {
            let console = Console.capturing()
            let code = C.runCaptured(arguments, console: console)
            continuation.resume(returning: (code, console))
        }.start()
    }
}

/// The in-process runner of a CLI root command.
protocol ParsableCommandRunner {
    static func runCaptured(_ arguments: [String], console: Console) -> Int32
}
extension DLWallet: ParsableCommandRunner {
    static func runCaptured(_ arguments: [String], console: Console) -> Int32 { CommandRunner.run(DLWallet.self, arguments, console: console) }
}
extension DLVerify: ParsableCommandRunner {
    static func runCaptured(_ arguments: [String], console: Console) -> Int32 {
        arguments.first == "sync" ? CommandRunner.run(SyncCommand.self, Array(arguments.dropFirst()), console: console)
                                  : CommandRunner.run(DLVerify.self, arguments, console: console)
    }
}

@Suite("dl-wallet and dl-verify against the service")
struct ClientCommandTests {
    @Test("dl-wallet enrol and refresh, dl-verify sync and --cache: messages and exit codes, refusals named")
    func commands() async throws {
        let s = try await ServiceWorld.start()
        defer { Task { await s.stop() } }
        let folder = Fixture.temporaryFolder()
        let wallet = folder.appendingPathComponent("wallet").path
        let trust = s.issuer.directory.trustFolder.path
        let cache = folder.appendingPathComponent("handheld").path
        let code = try s.licenceWithCode()
        try s.service.publishNow()

        var (rc, console) = await runCommand(DLVerify.self, ["--trust", trust, "--cache", cache, "--text", "DL1:X"])
        #expect(rc == 2 && console.stderr.contains("was never synced") && console.stderr.contains("dl-verify sync --from URL --cache \(cache)"))

        (rc, console) = await runCommand(DLWallet.self, ["init", wallet])
        #expect(rc == 0 && console.stdout.contains("dl-wallet enrol"))
        (rc, console) = await runCommand(DLWallet.self, ["enrol", wallet, "--server", s.baseURL, "--code", "0000-0000-0000-0000"])
        #expect(rc == 1 && console.stderr.contains("(no-enrolment-code)"), "\(console.stderr)")
        (rc, console) = await runCommand(DLWallet.self, ["enrol", wallet, "--server", s.baseURL, "--code", code.code, "--trust", trust])
        #expect(rc == 0 && console.stdout.hasPrefix("Enrolled: credential "), "\(console.stderr)")
        (rc, console) = await runCommand(DLWallet.self, ["refresh", wallet, "--server", s.baseURL])
        #expect(rc == 0 && console.stdout.hasPrefix("Refreshed: credential "), "\(console.stderr)")
        (rc, console) = await runCommand(DLWallet.self, ["refresh", wallet, "--server", "ftp://example"])
        #expect(rc == 2 && console.stderr.contains("is not an http or https URL"))

        (rc, console) = await runCommand(DLVerify.self, ["sync", "--from", s.baseURL, "--cache", cache, "--trust", trust])
        #expect(rc == 0 && console.stdout.contains("updated: 1 status list(s)"), "\(console.stdout) \(console.stderr)")
        (rc, console) = await runCommand(DLVerify.self, ["sync", "--from", s.baseURL, "--cache", cache, "--trust", trust])
        #expect(rc == 0 && console.stdout.contains("is fresh"))
        let at = Instant.iso(s.clock.now)
        let presentation = folder.appendingPathComponent("p.txt").path
        (rc, console) = await runCommand(DLWallet.self, ["present", wallet, "--format", "txt", "--output", presentation, "--at", at])
        #expect(rc == 0)
        let text = try String(contentsOfFile: presentation, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        (rc, console) = await runCommand(DLVerify.self, ["--trust", trust, "--cache", cache, "--at", at, "--text", text])
        #expect(rc == 0 && console.stdout.hasPrefix("VALID") && console.stderr.contains("status data from \(s.baseURL)"), "\(console.stdout)\(console.stderr)")

        try s.issuer.revoke(code.documentNumber, reason: "fraud")
        (rc, console) = await runCommand(DLWallet.self, ["refresh", wallet, "--server", s.baseURL])
        #expect(rc == 1 && console.stderr.contains("(credential-revoked)"))
    }
}
