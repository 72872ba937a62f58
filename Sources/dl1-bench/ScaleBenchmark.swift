import ArgumentParser
import DL1Crypto
import DL1Format
import DL1Issuer
import DL1TestSupport
import DL1Verifier
import Foundation

/// `dl1-bench scale`: many licences into one PostgreSQL registry from several processes, then
/// lifecycle changes from several processes, then every status list published; checks that no
/// index was given twice and that every change shows in the published lists. Prints one
/// `key value` line per figure (scripts/bench-scale makes the table).
struct ScaleBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scale", abstract: "Licences, changes and publication at scale on PostgreSQL, several processes.")

    @Option(help: ArgumentHelp("The PostgreSQL server; a fresh database is made on it (password: DL_REGISTRY_PASSWORD).", valueName: "URL"))
    var postgres: String
    @Option(help: "Licences to issue, in all.") var licences = 10_000_000
    @Option(help: "Lifecycle changes (renew, points, suspend, revoke in turn), in all.") var changes = 100_000
    @Option(help: "Processes issuing (and changing) at once.") var processes = 2
    @Option(help: "Credentials per registry transaction.") var group = 1000
    @Option(help: "Entries per status list.") var capacity = 1_000_000
    @Option(help: ArgumentHelp("Where the issuer folder goes.", valueName: "DIR")) var folder: String?

    func run() throws {
        let root = (folder.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory).appendingPathComponent("dl1-scale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try PostgresAddress(url: postgres, password: ProcessInfo.processInfo.environment[Issuer.registryPasswordVariable])
        let database = try server.creatingDatabase("dl1_scale_\(UInt32.random(in: 0...UInt32.max))")
        var settings = IssuerSettings(country: "CN", authorityCode: "CN-31", authorityName: "上海市公安局交通警察总队",
                                      statusURIBase: "https://dl.example/CN-31/status", statusListCapacity: capacity)
        settings.registryAddress = database.url
        let issuerFolder = root.appendingPathComponent("issuer")
        _ = try Issuer.create(at: issuerFolder, settings: settings)

        func workers(_ arguments: (Int) -> [String]) throws -> Double {
            try BenchSupport.time {
                let children = try (0..<processes).map { p -> Process in
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
                    process.arguments = ["scale-worker", "--issuer", issuerFolder.path] + arguments(p)
                    try process.run()
                    return process
                }
                for child in children { child.waitUntilExit() }
                guard children.allSatisfy({ $0.terminationStatus == 0 }) else { throw ValidationError("a worker failed") }
            }
        }
        let perProcess = licences / processes
        let issueTime = try workers { p in ["--prefix", "S\(p)-", "--issue", "\(perProcess)", "--group", "\(group)"] }
        let changeFiles = (0..<processes).map { root.appendingPathComponent("changes-\($0).txt").path }
        let changeTime = try workers { p in ["--prefix", "S\(p)-", "--change", "\(changes / processes)", "--of", "\(perProcess)",
                                             "--record", changeFiles[p], "--seed", "\(p + 1)"] }

        let issuer = try Issuer.open(at: issuerFolder)
        var published: [PublishedStatusList] = []
        let publishTime = try BenchSupport.time { published = try issuer.publishStatusLists() }
        let peak = BenchSupport.peakRSS()
        var lists: [String: StatusList] = [:]
        for token in published { lists[token.uri] = try StatusListToken(bytes: token.token).inflateList() }

        // Every change shows in the published lists.
        var checked = 0, wrong = 0
        for file in changeFiles {
            for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") {
                let parts = line.split(separator: " ")
                let number = String(parts[0]), expected = UInt8(parts[1])!
                let credentials = try issuer.registry.credentials(documentNumber: number)
                guard let latest = credentials.last else { wrong += 1; continue }
                if lists[latest.list.uri]?[latest.index] != expected { wrong += 1 }
                if parts[2] == "renew", let old = credentials.dropLast().last, lists[old.list.uri]?[old.index] != CredentialStatus.superseded.rawValue { wrong += 1 }
                checked += 1
            }
        }
        let findings = try issuer.registry.check()
        let size: Int = try issuer.registry.databaseSize()
        let count = try issuer.registry.credentialCount()
        let events = try issuer.registry.eventCount(kind: "issued")
        let rows: [(String, Double)] = [
            ("licences", Double(count)), ("issued_events", Double(events)), ("processes", Double(processes)),
            ("issue_s", issueTime), ("issue_per_s", Double(perProcess * processes) / issueTime),
            ("changes", Double(checked)), ("change_s", changeTime), ("change_per_s", Double(checked) / changeTime),
            ("lists", Double(published.count)), ("publish_s", publishTime),
            ("status_list_bytes", Double(published.reduce(0) { $0 + $1.token.count })),
            ("database_bytes", Double(size)), ("changes_wrong", Double(wrong)), ("check_findings", Double(findings.count)),
            ("publisher_peak_rss_kib", Double(peak.selfKiB)), ("worker_peak_rss_kib", Double(peak.childrenKiB)),
            ("openssl_sign", BenchSupport.opensslSpeed()?.sign ?? 0),
        ]
        for (name, value) in rows { print(name, value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)) }
        for finding in findings.prefix(10) { print("finding", finding) }
        if wrong > 0 || !findings.isEmpty || count < perProcess * processes { throw ExitCode(1) }
    }
}

/// One process of `dl1-bench scale`: issues licences PREFIX0… through the issuance core (reserve
/// a group, sign each, mark the group written; no files), or applies changes to them.
struct ScaleWorker: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scale-worker", abstract: "One process of dl1-bench scale.", shouldDisplay: false)
    @Option var issuer: String
    @Option var prefix: String
    @Option var issue = 0
    @Option var group = 1000
    @Option var change = 0
    @Option var of = 0
    @Option var record: String?
    @Option var seed = 1

    func run() throws {
        let issuer = try Issuer.open(at: URL(fileURLWithPath: self.issuer))
        var licence = CodeFactory(now: 0).licence()
        licence.issueDate = CalendarDate(iso8601: "2020-05-01")!
        licence.issuingAuthority = issuer.settings.authorityName
        licence.issuingCountry = issuer.settings.country
        try IssuanceCore.issue(issuer, licence: licence, prefix: prefix, count: issue, group: group)
        guard change > 0, of > 0, let record else { return }
        var generator = SplitMix(seed: UInt64(seed))
        var chosen = Set<Int>()
        var lines: [String] = []
        while chosen.count < min(change, of) {
            let i = Int.random(in: 0..<of, using: &generator)
            guard chosen.insert(i).inserted else { continue }
            let number = "\(prefix)\(i)"
            switch chosen.count % 4 {
            case 0:
                _ = try issuer.renew(number, expiryDate: CalendarDate(iso8601: "2040-01-01")!, lifetime: .seconds(86_400), output: nil)
                lines.append("\(number) \(CredentialStatus.valid.rawValue) renew")
            case 1:
                _ = try issuer.changePoints(number, .deduct(1, reason: "scale"), lifetime: .seconds(86_400), output: nil)
                lines.append("\(number) \(CredentialStatus.valid.rawValue) points")
            case 2:
                try issuer.suspend(number, reason: "scale")
                lines.append("\(number) \(CredentialStatus.suspended.rawValue) suspend")
            default:
                try issuer.revoke(number, reason: "scale")
                lines.append("\(number) \(CredentialStatus.invalid.rawValue) revoke")
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: record, atomically: true, encoding: .utf8)
    }
}
