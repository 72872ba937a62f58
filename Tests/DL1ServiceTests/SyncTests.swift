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

    @Test("A bundle that would take the cache back is named item by item: a status list dropped or older, a root's CRL dropped or older")
    func rollbacks() throws {
        let pki = Fixture.pki, factory = Fixture.factory, t = Fixture.now
        func token(_ uri: String, _ iat: Int64) throws -> [UInt8] { try factory.statusToken(signer: pki.signer, uri: uri, iat: iat) }
        func crl(_ at: Int64) throws -> [UInt8] {
            try CertificateRevocationList.make(root: pki.root.certificate, rootKey: pki.root.key, number: UInt64(at), entries: [],
                                               thisUpdate: at, nextUpdate: at + 86_400).der
        }
        func bundle(_ tokens: [[UInt8]], _ crls: [[UInt8]] = []) -> HandheldBundle {
            HandheldBundle(created: t, certificates: [], revocationLists: crls, statusTokens: tokens)
        }
        let a = "https://dl.example/CN-31/status/1", b = "https://dl.example/CN-31/status/2"
        let cached = bundle([try token(a, t), try token(b, t - 60), try token(b, t)], [try crl(t)])
        let roots = [pki.root.certificate]
        // Newer or the same: nothing goes back.
        #expect(HandheldSync.rollbacks(from: cached, to: cached, roots: roots).isEmpty)
        #expect(HandheldSync.rollbacks(from: cached, to: bundle([try token(a, t + 1), try token(b, t)], [try crl(t + 5)]), roots: roots).isEmpty)
        // Older tokens (still valid) and an older CRL, or items left out.
        #expect(HandheldSync.rollbacks(from: cached, to: bundle([try token(a, t - 1), try token(b, t - 60)], [try crl(t - 3600)]), roots: roots) == [
            "the status list \(a) was issued on \(Instant.iso(t - 1)), before the cached one (\(Instant.iso(t)))",
            "the status list \(b) was issued on \(Instant.iso(t - 60)), before the cached one (\(Instant.iso(t)))",
            "the CRL of \(pki.root.certificate.subject) was issued on \(Instant.iso(t - 3600)), before the cached one (\(Instant.iso(t)))",
        ])
        #expect(HandheldSync.rollbacks(from: cached, to: bundle([try token(b, t)]), roots: roots) == [
            "the status list \(a) is no longer in it",
            "the CRL of \(pki.root.certificate.subject) is no longer in it",
        ])
    }

    @Test("A bundle with a newer 'created' but an older, still valid status list is refused; the cache keeps its data")
    func rolledBack() async throws {
        let s = try await ServiceWorld.start()
        defer { Task { await s.stop() } }
        let code = try s.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(86_400), output: nil)
        try s.service.publishNow()
        let cache = HandheldCache(folder: Fixture.temporaryFolder().appendingPathComponent("cache"))
        let trust = s.issuer.directory.trustFolder
        _ = try await HandheldSync.sync(from: s.client, into: cache, trust: trust, now: s.clock.now)
        var old = try HandheldBundle(bytes: Array(try Data(contentsOf: cache.bundleFile)))
        // The licence is revoked and the handheld learns it.
        s.clock.advance(60)
        try s.issuer.revoke("310101199001011234", reason: "fraud")
        try s.service.publishNow()
        _ = try await HandheldSync.sync(from: s.client, into: cache, trust: trust, force: true, now: s.clock.now)
        #expect(try verifier(cache, trust: trust, clock: s.clock).verify(text: code.text).verdict == .revoked)
        let kept = try Data(contentsOf: cache.bundleFile), keptState = try Data(contentsOf: cache.stateFile)
        // A peer replays the bundle from before the revocation as if made later.
        old.created = s.clock.now + 10
        let port = try Self.peer(serving: old.encoded)
        let client = try ServiceClient(baseURL: "http://127.0.0.1:\(port.number)", connectTimeout: .seconds(2), timeout: .seconds(5))
        defer { Task { await client.shutdown() }; port.stop() }
        do {
            _ = try await HandheldSync.sync(from: client, into: cache, trust: trust, force: true, now: s.clock.now)
            Issue.record("a rolled-back bundle was accepted")
        } catch {
            #expect(error.code == .rejected && error.description.contains("would take the cache back: the status list") && error.description.contains("before the cached one"), "\(error)")
        }
        #expect(try Data(contentsOf: cache.bundleFile) == kept)
        #expect(try Data(contentsOf: cache.stateFile) == keptState)
        #expect(try verifier(cache, trust: trust, clock: s.clock).verify(text: code.text).verdict == .revoked)
    }

    /// A peer on a loopback port that answers every request with `body` as a bundle, promising
    /// `contentLength` bytes (by default the body's length) and hanging up after the body.
    static func peer(serving body: [UInt8], contentLength: Int? = nil) throws -> (number: Int, stop: () -> Void) {
        let script = """
            import socket, sys
            body = open(sys.argv[1], 'rb').read()
            length = int(sys.argv[2])
            server = socket.socket(); server.bind(('127.0.0.1', 0)); server.listen(4)
            print(server.getsockname()[1], flush=True)
            while True:
                connection, _ = server.accept()
                connection.recv(65536)
                connection.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Type: application/cbor\\r\\nETag: "peer"\\r\\nContent-Length: %d\\r\\n\\r\\n' % length + body)
                connection.close()
            """
        let file = Fixture.temporaryFolder().appendingPathComponent("bundle.dlb")
        try Data(body).write(to: file)
        let peer = Process()
        peer.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        peer.arguments = ["-c", script, file.path, String(contentLength ?? body.count)]
        let output = Pipe()
        peer.standardOutput = output
        try peer.run()
        // SIGKILL: a child may inherit SIGTERM ignored (signal handling set up by a service).
        let stop = { kill(peer.processIdentifier, SIGKILL); peer.waitUntilExit() }
        var line = ""
        while !line.hasSuffix("\n") {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { break }
            line += String(decoding: byte, as: UTF8.self)
        }
        guard let number = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else { stop(); throw CancellationError() }
        return (number, stop)
    }

    @Test("A download cut off part-way keeps the last good cache")
    func cutOff() async throws {
        let s = try await ServiceWorld.start()
        defer { Task { await s.stop() } }
        _ = try s.issuer.issue(IssuerWorld.licence(), lifetime: .seconds(86_400), output: nil)
        try s.service.publishNow()
        let cache = HandheldCache(folder: Fixture.temporaryFolder().appendingPathComponent("cache"))
        let trust = s.issuer.directory.trustFolder
        _ = try await HandheldSync.sync(from: s.client, into: cache, trust: trust, now: s.clock.now)
        let kept = try Data(contentsOf: cache.bundleFile), keptState = try Data(contentsOf: cache.stateFile)

        // A peer that promises a large bundle, sends the first 1,000 bytes of a real one, and hangs up.
        let bundle = try await s.raw(.GET, "/v1/bundle").body
        let port = try Self.peer(serving: Array(bundle.prefix(1000)), contentLength: 100_000)
        let client = try ServiceClient(baseURL: "http://127.0.0.1:\(port.number)", connectTimeout: .seconds(2), timeout: .seconds(5))
        defer { Task { await client.shutdown() }; port.stop() }
        do {
            _ = try await HandheldSync.sync(from: client, into: cache, trust: trust, force: true, now: s.clock.now)
            Issue.record("a cut-off download was accepted")
        } catch {
            #expect(error.code == .service, "\(error)")
        }
        #expect(try Data(contentsOf: cache.bundleFile) == kept)
        #expect(try Data(contentsOf: cache.stateFile) == keptState)
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
