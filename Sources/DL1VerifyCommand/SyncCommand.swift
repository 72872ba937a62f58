import ArgumentParser
import DL1CommandSupport
import DL1ServiceClient
import DL1Verifier
import Foundation

/// `dl-verify sync --from URL --cache DIR --trust DIR`: a handheld fetches what keeps its
/// verdicts true, then works offline with `dl-verify --cache DIR`.
public struct SyncCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dl-verify sync",
        abstract: "Fetch the issuing service's bundle (signers, CRLs, status lists) into a cache, verified against the pinned trust folder.",
        discussion: """
            Every item is verified against --trust before anything in the cache is replaced, and the cache is replaced \
            atomically: a failed or refused sync keeps the last good data. Within the status lists' ttl the service is \
            not asked again unless --force; otherwise the cached ETag is sent and 304 keeps the cache. \
            Exit codes: 0 the cache is up to date; 1 the service's data was refused; 2 usage, network or cache error.
            """)

    @Option(name: .long, help: ArgumentHelp("The issuing service's URL ('dl-issue serve').", valueName: "URL")) public var from: String
    @Option(name: .long, help: ArgumentHelp("The cache folder (made if missing).", valueName: "DIR")) public var cache: String
    @Option(name: .long, help: ArgumentHelp("The pinned trust folder: roots every item must chain to.", valueName: "DIR")) public var trust: String
    @Option(name: .long, help: ArgumentHelp("Trust this CA certificate (PEM) for the service's TLS instead of the system's roots.", valueName: "FILE"))
    public var ca: String?
    @Flag(name: .long, help: "Ask the service even when the cached data is within its ttl.") public var force = false

    public init() {}

    public func execute(console: Console) -> Int32 {
        let client: ServiceClient
        do { client = try ServiceClient(baseURL: from, caFile: ca) } catch {
            console.err("dl-verify sync: \(error)")
            return usageExitCode
        }
        let cache = HandheldCache(folder: URL(fileURLWithPath: self.cache))
        let trust = URL(fileURLWithPath: self.trust)
        let force = self.force
        let result = Result { () throws(SyncError) in
            try runBlocking { () async throws(SyncError) -> (HandheldSync.Outcome, HandheldCache.State) in
                defer { Task { await client.shutdown() } }
                return try await HandheldSync.sync(from: client, into: cache, trust: trust, force: force, now: Int64(Date().timeIntervalSince1970))
            }
        }
        switch result {
        case .success(let (outcome, state)):
            switch outcome {
            case .fresh: console.out("Cache \(self.cache) is fresh (fetched \(Instant.iso(state.fetchedAt))); next check after \(Instant.iso(state.nextCheck)).")
            case .notModified: console.out("Cache \(self.cache) is up to date (not modified since \(Instant.iso(state.fetchedAt))); next check after \(Instant.iso(state.nextCheck)).")
            case .updated(let lists, let certificates, let crls):
                console.out("Cache \(self.cache) updated: \(lists) status list(s), \(certificates) certificate(s), \(crls) CRL(s), verified against \(self.trust); next check after \(Instant.iso(state.nextCheck)).")
            }
            return 0
        case .failure(let error):
            console.err("dl-verify sync: \(error)")
            return error.code == .rejected ? 1 : usageExitCode
        }
    }
}
