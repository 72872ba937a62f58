import DL1CommandSupport
import DL1Format
import DL1TestSupport
import DL1Verifier
import DL1VerifyCommand
import Foundation
import Testing

/// What `dl-verify` says about the list it used: "stale from" as the decision computes it (exp
/// plus the leeway), and a list past its ttl said to be due for a refetch; `--at=VALUE`.
@Suite("Status list freshness and --at=")
struct StatusFreshnessTests {
    let now = Fixture.now
    let factory = Fixture.factory

    /// Runs `dl-verify` in-process on a good code (signed 8 hours before the fixture's time)
    /// with one status file.
    func verify(token: [UInt8], _ extra: [String]) throws -> (Int32, Console) {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let status = folder.appendingPathComponent("s.cwt")
        try Data(token).write(to: status)
        let console = Console.capturing()
        let rc = CommandRunner.run(DLVerify.self, ["--trust", try StatusListHostileTests.trustFolder(in: folder), "--status", status.path,
                                                   "--text", try Fixture.goodCode(factory.claims(iat: now - 8 * 3600))] + extra, console: console)
        return (rc, console)
    }

    func statusLine(_ console: Console) -> String? {
        console.stdout.split(separator: "\n").first { $0.hasPrefix("  Status:") || $0.hasPrefix("  状态：") }.map(String.init)
    }

    @Test("a list past iat+ttl says it should have been refetched, in English and Chinese; stale from is exp plus the leeway")
    func refetchAndStale() throws {
        // iat 7 h ago, ttl 6 h: due 1 h ago; exp iat + 48 h.
        let iat = now - 7 * 3600
        let token = try factory.statusToken(signer: Fixture.pki.signer, iat: iat, exp: iat + 48 * 3600, ttl: 21_600)
        var (rc, console) = try verify(token: token, ["--at", Instant.iso(now)])
        #expect(rc == 0)
        #expect(statusLine(console) == "  Status:     VALID in https://dl.example/CN-31/status/1 #7; list issued 2026-06-01T05:00:00Z (7 h old), stale from 2026-06-03T05:05:00Z; past its ttl: should have been refetched by 2026-06-01T11:00:00Z")
        (rc, console) = try verify(token: token, ["--at", Instant.iso(now), "--leeway", "60", "--lang", "zh"])
        #expect(rc == 0)
        #expect(statusLine(console) == "  状态：      有效，列表 https://dl.example/CN-31/status/1 #7；列表签发于 2026-06-01T05:00:00Z (7 小时前), 过期于 2026-06-03T05:01:00Z；已超过刷新期限：应于 2026-06-01T11:00:00Z 前重新获取")
        (rc, console) = try verify(token: token, ["--at", Instant.iso(now), "--json"])
        #expect(console.stdout.contains("\"list_stale_from\":\"2026-06-03T05:05:00Z\",\"list_refetch_at\":\"2026-06-01T11:00:00Z\",\"list_refetch_overdue\":true"))
        // One second before iat + ttl: no refetch remark.
        (rc, console) = try verify(token: token, ["--at", Instant.iso(iat + 21_600 - 1)])
        #expect(statusLine(console) == "  Status:     VALID in https://dl.example/CN-31/status/1 #7; list issued 2026-06-01T05:00:00Z (5 h old), stale from 2026-06-03T05:05:00Z")
        (rc, console) = try verify(token: token, ["--at", Instant.iso(iat + 21_600 - 1), "--json"])
        #expect(console.stdout.contains("\"list_refetch_overdue\":false"))
    }

    @Test("the verifier's StatusInfo: stale from is where the decision turns the list down")
    func staleFromMatchesDecision() throws {
        let iat = now - 3600
        let token = try factory.statusToken(signer: Fixture.pki.signer, iat: iat, exp: now + 100)
        let verifier = Verifier(trustStore: Fixture.pki.trustStore(), statusTokens: [try StatusListToken(bytes: token)],
                                options: .init(leeway: 50, clock: { Fixture.now }))
        let code = try Fixture.goodCode()
        let used = verifier.verify(text: code, at: now + 149)
        #expect(used.verdict == .valid && used.status?.listStaleFrom == now + 150 && used.status?.listExpiresAt == now + 100)
        #expect(used.status?.listRefetchAt == iat + 21_600 && used.status?.listRefetchOverdue == false)
        #expect(verifier.verify(text: code, at: now + 150).verdict == .statusUnknown)
    }

    @Test("--at=VALUE works; --at=-0001-… gets the clear date error")
    func atWithEquals() throws {
        let token = try factory.statusToken(signer: Fixture.pki.signer)
        var (rc, console) = try verify(token: token, ["--at=\(Instant.iso(now))"])
        #expect(rc == 0 && console.stdout.hasPrefix("VALID\n"), "\(console.stderr)")
        (rc, console) = try verify(token: token, ["--at=-0001-01-01T00:00:00Z"])
        #expect(rc == 2)
        #expect(console.stderr.contains("--at '-0001-01-01T00:00:00Z' is not an ISO 8601 time with Z or an offset"), "\(console.stderr)")
        let help = Console.capturing()
        _ = CommandRunner.run(DLVerify.self, ["--help"], console: help)
        #expect((help.stdout + help.stderr).contains("--at=VALUE"))
    }
}
