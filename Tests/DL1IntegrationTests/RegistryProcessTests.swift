import DL1Format
@testable import DL1Issuer
import DL1Raster
import DL1Verifier
import DL1TestSupport
import Foundation
import GRDB
import Testing

/// The registry under real processes: a batch killed part-way and run again, two `dl-issue`
/// processes on one registry at once, and a registry made by an older schema.
@Suite("Registry integrity with real processes", .serialized, .tags(.slow))
struct RegistryProcessTests {
    /// The `dl-issue` executable built beside this test bundle.
    static var dlIssue: URL? {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug").standardizedFileURL]
        return candidates.map { $0.appendingPathComponent("dl-issue") }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    static func start(_ arguments: [String]) throws -> Process {
        let binary = try #require(dlIssue, "dl-issue is not built next to the tests: run 'swift build --build-tests'")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func run(_ arguments: [String], killAfter: Double? = nil) throws -> Int32 {
        let process = try start(arguments)
        if let killAfter {
            Thread.sleep(forTimeInterval: killAfter)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func makeIssuer(_ folder: URL) throws -> String {
        let path = folder.appendingPathComponent("issuer").path
        #expect(try run(["init", path, "--country", "CN", "--authority-code", "CN-31", "--authority-name", "Test"]) == 0)
        try Data("portrait".utf8).write(to: folder.appendingPathComponent("p.jpg"))
        return path
    }

    static func csv(_ prefix: String, count: Int) -> String {
        var text = "document_number,family_name,birth_date,expiry_date,categories,portrait\n"
        for i in 0..<count { text += "\(prefix)\(i),王,1985-05-05,2031-01-01,C1:2020-01-01,p.jpg\n" }
        return text
    }

    @Test("a batch killed with SIGKILL at 20 random points, run again each time, issues every row exactly once; every code verifies")
    func killAndRerun() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = try Self.makeIssuer(folder)
        let input = folder.appendingPathComponent("rows.csv")
        try Data(Self.csv("K", count: 120).utf8).write(to: input)
        let out = folder.appendingPathComponent("out").path
        let arguments = ["batch", "--issuer", issuer, "--input", input.path, "--output-dir", out, "--group", "7"]
        // Kill points from a fixed seed, so a failure can be reproduced.
        var seed: UInt64 = 0x5eed
        for _ in 0..<20 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            _ = try Self.run(arguments, killAfter: 0.05 + Double(seed >> 40) / Double(1 << 24) * 0.25)
        }
        #expect(try Self.run(arguments) == 0)
        #expect(try Self.run(arguments) == 0, "a further run finds nothing to do")
        let opened = try Issuer.open(at: URL(fileURLWithPath: issuer))
        #expect(try opened.registry.credentialCount() == 120)
        #expect(try opened.registry.pending().isEmpty)
        #expect(try opened.registry.credentialsWithoutEvent() == 0)
        #expect(try opened.registry.integrityCheck().isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".png") }
        #expect(files.count == 120)
        let trust = try TrustStore.load(directory: opened.directory.trustFolder)
        let tokens = try opened.statusListTokens().map { try StatusListToken(bytes: $0.token) }
        let verifier = Verifier(trustStore: trust, statusTokens: tokens)
        var ids = Set<[UInt8]>()
        for file in files {
            let scan = try verifier.verify(imageBytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent(file))))
            #expect(scan.results.map(\.verdict) == [.valid], "\(file)")
            if let id = scan.results.first?.claims?.credentialID { ids.insert(id) }
        }
        #expect(ids.count == 120)
    }

    @Test("two dl-issue processes issuing 500 licences each on one registry both succeed, with unique indices")
    func twoProcesses() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = try Self.makeIssuer(folder)
        for name in ["a", "b"] {
            try Data(Self.csv(name.uppercased(), count: 500).utf8).write(to: folder.appendingPathComponent("\(name).csv"))
        }
        let processes = try ["a", "b"].map { name in
            try Self.start(["batch", "--issuer", issuer, "--input", folder.appendingPathComponent("\(name).csv").path,
                            "--output-dir", folder.appendingPathComponent("out-\(name)").path, "--format", "txt", "--group", "20"])
        }
        for process in processes { process.waitUntilExit() }
        let codes = processes.map(\.terminationStatus)
        #expect(codes == [0, 0])
        let opened = try Issuer.open(at: URL(fileURLWithPath: issuer))
        #expect(try opened.registry.credentialCount() == 1000)
        #expect(try opened.registry.eventCount(kind: "issued") == 1000)
        let records = try opened.registry.latestCredentials()
        #expect(Set(records.map { "\($0.list.uri)#\($0.index)" }).count == 1000)
        #expect(try opened.registry.integrityCheck().isEmpty)
    }

    @Test("a registry made by schema v1 opens, migrates, gets an identity and keeps its credentials")
    func migration() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("old.sqlite")
        let queue = try DatabaseQueue(path: url.path)
        try SQLiteStore.migrator.migrate(queue, upTo: "v1")
        let licence = Fixture.factory.licence()
        try queue.write { db in
            try db.execute(sql: "INSERT INTO status_list (name, uri, capacity, bits) VALUES ('statuslist-1', 'https://x/1', 100, 2)")
            try db.execute(sql: """
                INSERT INTO credential (cti, document_number, list_id, idx, status, state, licence, signer_kid, iat, exp, created_at)
                VALUES (?, ?, 1, 5, 0, 'written', ?, ?, 1, 2, 1)
                """, arguments: [Data(repeating: 1, count: 16), licence.documentNumber, Data(CBOREncoder.encode(licence.cbor)), Data(repeating: 2, count: 8)])
            try db.execute(sql: "INSERT INTO event (cti, document_number, kind, at) VALUES (?, ?, 'issued', 1)",
                           arguments: [Data(repeating: 1, count: 16), licence.documentNumber])
        }
        try queue.close()
        let (registry, adopted) = try Registry.open(.sqlite(url), expected: nil, access: .readWrite, at: 1)
        #expect(adopted?.schemaVersion == Registry.schemaVersion, "a registry from before identities is given one")
        #expect(try registry.identity() == adopted)
        let records = try registry.credentials(documentNumber: licence.documentNumber)
        #expect(records.count == 1 && records.first?.licence == licence && records.first?.batchKey == nil)
        #expect(try registry.events(documentNumber: licence.documentNumber).map(\.kind) == ["issued"])
        // The index pool built by the migration hands out exactly the 99 free indices, then says full.
        let settings = IssuerSettings(country: "CN", authorityCode: "CN-31", authorityName: "T", statusURIBase: "https://x", statusListCapacity: 100)
        let more = try registry.reserve(batch: (0..<99).map { i in
            Registry.NewCredential(documentNumber: "M\(i)", licence: licence, signerKid: [UInt8](repeating: 2, count: 8), issuedAt: 1, expiresAt: 2)
        }, settings: settings)
        #expect(Set(more.map(\.index)) == Set((0..<100).map(UInt64.init)).subtracting([5]))
        #expect(try registry.lists().count == 1)
        let next = try registry.reserve(.init(documentNumber: "M100", licence: licence, signerKid: [UInt8](repeating: 2, count: 8), issuedAt: 1, expiresAt: 2),
                                        settings: settings)
        #expect(next.list.uri == "https://x/2", "a full list starts a new one")
    }
}
