import DL1Crypto
import DL1Format
import DL1Holder
import DL1Issuer
import DL1IssuerTestSupport
import DL1ServiceAPI
@testable import DL1ServiceClient
import DL1TestSupport
import DL1Verifier
import Foundation
import Testing

@Suite("Handheld sync")
struct SyncTests {
    /// A verifier over a synced cache, at the test clock.
    func verifier(_ cache: HandheldCache, trust: URL, clock: TestClock) throws -> Verifier {
        var setup = try VerifierSetup(trustDirectory: trust)
        try setup.addBundle(file: cache.bundleFile.path)
        return setup.makeVerifier(options: .init(clock: { clock.now })).verifier
    }

    @Test("A synced handheld sees a revocation offline; within the ttl it does not ask; 304 keeps the cache", arguments: TestEngine.available)
    func revocationReachesHandheld(engine: TestEngine) async throws {
        let s = try await ServiceWorld.start(engine: engine)
        defer { Task { await s.stop() } }
        let code = try s.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(86_400), output: nil)
        try s.service.publishNow()
        let cache = HandheldCache(folder: Fixture.temporaryFolder().appendingPathComponent("cache"))
        let trust = s.issuer.directory.trustFolder
        #expect(try cache.state() == nil)

        let (first, state) = try await HandheldSync.sync(from: s.client, into: cache, trust: trust, now: s.clock.now)
        #expect(first == .updated(statusLists: 1, certificates: 2, revocationLists: 0))
        #expect(state.nextCheck == s.clock.now + s.issuer.settings.statusTimeToLive)
        #expect(try verifier(cache, trust: trust, clock: s.clock).verify(text: code.text).verdict == .valid)

        #expect(try await HandheldSync.sync(from: s.client, into: cache, trust: trust, now: s.clock.now).0 == .fresh)
        #expect(try await HandheldSync.sync(from: s.client, into: cache, trust: trust, force: true, now: s.clock.now).0 == .notModified)

        s.clock.advance(10)
        try s.issuer.revoke("310101199001011234", reason: "fraud")
        try s.service.publishNow()
        #expect(try await HandheldSync.sync(from: s.client, into: cache, trust: trust, force: true, now: s.clock.now).0
                == .updated(statusLists: 1, certificates: 2, revocationLists: 0))
        #expect(try verifier(cache, trust: trust, clock: s.clock).verify(text: code.text).verdict == .revoked)
    }

    @Test("A failed sync keeps the last good cache: service down, foreign trust, older bundle")
    func failuresKeepCache() async throws {
        let s = try await ServiceWorld.start()
        let code = try s.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(86_400), output: nil)
        try s.service.publishNow()
        let cache = HandheldCache(folder: Fixture.temporaryFolder().appendingPathComponent("cache"))
        let trust = s.issuer.directory.trustFolder
        _ = try await HandheldSync.sync(from: s.client, into: cache, trust: trust, now: s.clock.now)
        let kept = try Data(contentsOf: cache.bundleFile)
        let keptState = try Data(contentsOf: cache.stateFile)

        // Pinned to another issuer's root: every item of a new bundle is refused, nothing replaced.
        s.clock.advance(10)
        try s.issuer.suspend("310101199001011234", reason: "inquiry")
        try s.service.publishNow()
        let other = try IssuerWorld.make()
        do {
            _ = try await HandheldSync.sync(from: s.client, into: cache, trust: other.issuer.directory.trustFolder, force: true, now: s.clock.now)
            Issue.record("a bundle under another root was accepted")
        } catch {
            #expect(error.code == .rejected && error.description.contains("not issued by a pinned root"))
        }
        #expect(try Data(contentsOf: cache.bundleFile) == kept)
        try s.issuer.reinstate("310101199001011234")
        try s.service.publishNow()

        // The server stops: the cache stays, and verification goes on offline.
        await s.stop()
        let client = try ServiceClient(baseURL: s.baseURL, connectTimeout: .seconds(1))
        defer { Task { await client.shutdown() } }
        do {
            _ = try await HandheldSync.sync(from: client, into: cache, trust: trust, force: true, now: s.clock.now)
            Issue.record("a sync from a stopped service succeeded")
        } catch {
            #expect(error.code == .service && error.description.contains("the cache keeps its data"))
        }
        #expect(try Data(contentsOf: cache.bundleFile) == kept)
        #expect(try Data(contentsOf: cache.stateFile) == keptState)
        #expect(try verifier(cache, trust: trust, clock: s.clock).verify(text: code.text).verdict == .valid)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.folder.path).sorted() == ["bundle.dlb", "sync.json"])
    }

    @Test("A cache that was never synced or is damaged is a clear error; a stale one answers STATUS_UNKNOWN")
    func cacheStates() async throws {
        let s = try await ServiceWorld.start()
        defer { Task { await s.stop() } }
        let code = try s.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(86_400 * 7), output: nil)
        try s.service.publishNow()
        let folder = Fixture.temporaryFolder().appendingPathComponent("cache")
        let cache = HandheldCache(folder: folder)
        #expect(try cache.state() == nil)
        let trust = s.issuer.directory.trustFolder
        _ = try await HandheldSync.sync(from: s.client, into: cache, trust: trust, now: s.clock.now)
        s.clock.advance(s.issuer.settings.statusValidity + 600)
        #expect(try verifier(cache, trust: trust, clock: s.clock).verify(text: code.text).verdict == .statusUnknown)
        try Data("{".utf8).write(to: cache.stateFile)
        #expect(throws: SyncError.self) { try cache.state() }
    }
}
