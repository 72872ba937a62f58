import ArgumentParser
import DL1Compression
import DL1Format
import DL1Issuer
import DL1Verifier
import Foundation

/// `dl1-bench statuslist`: a registry of N credentials with a share of them not VALID, published
/// as a Status List Token: how long it takes and how big the token is.
struct StatusListBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "statuslist",
                                                    abstract: "Publish a status list of N credentials with P% not VALID: time and token size.")

    @Option(help: "Credentials in the registry.") var credentials = 1_000_000
    @Option(help: "Percent of them not VALID (revoked, suspended or superseded).") var nonValidPercent = 1.0
    @Option(help: "Credentials per registry transaction while filling it.") var group = 10_000

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dl1-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = try Issuer.create(at: folder.appendingPathComponent("issuer"),
                                       settings: .init(country: "CN", authorityCode: "CN-31", authorityName: "Bench",
                                                       statusURIBase: "https://dl.example/CN-31/status", statusListCapacity: credentials))
        let licence = CodeFactory.benchLicence
        var start = Date()
        var done = 0
        let kid = try issuer.primarySigner().kid
        var ids: [[UInt8]] = []
        ids.reserveCapacity(credentials)
        while done < credentials {
            let n = min(group, credentials - done)
            let batch = (0..<n).map { i in
                Registry.NewCredential(documentNumber: "B\(done + i)", licence: licence, signerKid: kid, issuedAt: 0, expiresAt: 1)
            }
            ids += try issuer.registry.reserve(batch: batch, settings: issuer.settings).map(\.credentialID)
            done += n
        }
        let fill = Date().timeIntervalSince(start)
        print(String(format: "filled the registry with %d credentials in %.1f s (%.0f/s)", credentials, fill, Double(credentials) / fill))
        start = Date()
        let nonValid = Int((Double(credentials) * nonValidPercent / 100).rounded())
        var chosen = Set<Int>()
        while chosen.count < nonValid { chosen.insert(Int.random(in: 0..<credentials)) }
        let statuses: [CredentialStatus] = [.invalid, .suspended, .superseded]
        try issuer.registry.setStatusesForBenchmark(chosen.map { (ids[$0], statuses[$0 % 3]) })
        print(String(format: "marked %d (%.2f%%) not VALID in %.1f s", nonValid, nonValidPercent, Date().timeIntervalSince(start)))
        var timings: [Double] = []
        var token: [UInt8] = []
        for _ in 0..<3 {
            start = Date()
            token = try issuer.statusListTokens()[0].token
            timings.append(Date().timeIntervalSince(start))
        }
        let parsed = try StatusListToken(bytes: token)
        let list = try parsed.inflateList()
        start = Date()
        var found = 0
        for id in 0..<100_000 where list[UInt64(id % credentials)] != CredentialStatus.valid.rawValue { found += 1 }
        let lookup = Date().timeIntervalSince(start) / 100_000
        print(String(format: "publish (read registry, pack, zlib, sign): best %.3f s of 3", timings.min()!))
        print("token: \(token.count) bytes (\(list.bytes.count) bytes packed, \(parsed.claims.compressedList.count) compressed)")
        print(String(format: "lookup: %.0f ns per entry", lookup * 1e9))
    }
}


extension CodeFactory {
    /// A typical licence for benchmarks.
    static var benchLicence: Licence { CodeFactory(now: 0).licence() }
}

import DL1TestSupport
