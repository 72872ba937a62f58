import DL1CommandSupport
import DL1Compression
import DL1Crypto
import DL1Format
import DL1TestSupport
import DL1Verifier
import DL1VerifyCommand
import Foundation
import Testing

/// Forged and repeated status lists: a list is inflated only after its token's signature and
/// signer are checked, each distinct list once, within the verifier's budget.
@Suite("Hostile status lists and bundles")
struct StatusListHostileTests {
    let pki = Fixture.pki
    let factory = Fixture.factory
    let now = Fixture.now

    /// zlib of 32 MiB of zeros: 32 KiB that inflate to FORMAT §3's cap.
    static let zeroList = Zlib.compress([UInt8](repeating: 0, count: Zlib.statusListLimit))

    /// `genuine` with its `lst` replaced by ``zeroList`` and its old signature kept (so no longer
    /// valid); `variant` changes the signature's last bytes, so that copies are distinct tokens.
    static func forgedToken(from genuine: [UInt8], variant: Int = 0) throws -> [UInt8] {
        let sign1 = try COSESign1(decoding: genuine)
        var claims = try StatusListClaims(payload: try #require(sign1.payload))
        claims.compressedList = zeroList
        var signature = sign1.signature
        signature[62] = UInt8(truncatingIfNeeded: variant >> 8)
        signature[63] = UInt8(truncatingIfNeeded: variant)
        return COSESign1(protectedHeader: sign1.protectedHeader, payload: CBOREncoder.encode(claims.cbor), signature: signature).encoded()
    }

    /// A trust folder with the fixture's root and signer.
    static func trustFolder(in folder: URL) throws -> String {
        let trust = folder.appendingPathComponent("trust")
        try FileManager.default.createDirectory(at: trust, withIntermediateDirectories: true)
        try Data(Fixture.pki.root.certificate.pem()).write(to: trust.appendingPathComponent("root.pem"))
        try Data(Fixture.pki.signer.certificate.pem()).write(to: trust.appendingPathComponent("ds.pem"))
        return trust.path
    }

    @Test("a token with a bad signature and a 32 MiB zero list is parsed without inflating, and never inflated")
    func forgedListNotInflated() throws {
        let genuine = try factory.statusToken(signer: pki.signer)
        let forged = try Self.forgedToken(from: genuine)
        let parsed = try StatusListToken(bytes: forged)
        #expect(parsed.claims.compressedList.count < 40_000)
        let verifier = try Fixture.verifier(tokens: [forged, genuine])
        #expect(verifier.inflatedListCount == 1, "only the genuine list")
        #expect(verifier.inflatedStatusBytes == 256, "1024 two-bit entries")
        #expect(verifier.usableStatusTokenCount == 1)
        #expect(verifier.statusTokenWarnings.map(\.kind) == [.untrusted] && verifier.statusTokenWarnings[0].index == 0)
        #expect(verifier.verify(text: try Fixture.goodCode(), at: now).verdict == .valid)
        // The same zero list under a valid signature is inflated (the counter does count it).
        let signedZeros = try factory.statusToken(signer: pki.signer, uri: "https://dl.example/CN-31/status/9", capacity: Zlib.statusListLimit * 4)
        let big = try Fixture.verifier(tokens: [forged, signedZeros])
        #expect(big.inflatedListCount == 1 && big.inflatedStatusBytes == Zlib.statusListLimit)
    }

    @Test("identical tokens are parsed, verified and inflated once; distinct tokens with the same list share it")
    func duplicatesLoadedOnce() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let token = try factory.statusToken(signer: pki.signer)
        let file = folder.appendingPathComponent("s.cwt")
        try Data(token).write(to: file)
        var setup = VerifierSetup(trustStore: pki.trustStore())
        for _ in 0..<3000 { try setup.addStatusToken(file: file.path) }
        setup.addStatusToken(token, name: "bytes")
        try setup.addBundle(HandheldBundle(created: now, certificates: [], revocationLists: [], statusTokens: [token, token]).encoded, name: "b.dlb")
        #expect(setup.statusTokens.count == 1)
        let (verifier, warnings) = setup.makeVerifier(options: .init(clock: { Fixture.now }))
        #expect(warnings.isEmpty)
        #expect(verifier.usableStatusTokenCount == 1 && verifier.inflatedListCount == 1)
        // A forged file given twice: one token, counted once in the warning.
        let forged = folder.appendingPathComponent("forged.cwt")
        try Data(try Self.forgedToken(from: token)).write(to: forged)
        let console = Console.capturing()
        let rc = CommandRunner.run(DLVerify.self, ["--trust", try Self.trustFolder(in: folder), "--status", file.path, "--status", forged.path,
                                                   "--status", file.path, "--status", forged.path, "--at", Instant.iso(now),
                                                   "--text", try Fixture.goodCode()], console: console)
        #expect(rc == 0 && console.stdout.hasPrefix("VALID\n"))
        #expect(console.stderr.contains("warning: 1 status token(s) ignored"), "\(console.stderr)")
        // Two tokens (another iat) carrying the same list: one inflation.
        let older = try factory.statusToken(signer: pki.signer, iat: now - 3600)
        let shared = try Fixture.verifier(tokens: [token, older])
        #expect(shared.usableStatusTokenCount == 2 && shared.inflatedListCount == 1 && shared.inflatedStatusBytes == 256)
    }

    @Test("over the status-data budget, later tokens are skipped with a warning; skipping never makes an answer more favourable")
    func budget() throws {
        let uri2 = "https://dl.example/CN-31/status/2"
        let newest = try factory.statusToken(signer: pki.signer, capacity: 4096, iat: now - 60)          // 1024 bytes
        let older = try factory.statusToken(signer: pki.signer, uri: uri2, entries: [1: .invalid], capacity: 4096, iat: now - 3600)
        var setup = VerifierSetup(trustStore: pki.trustStore())
        setup.addStatusToken(older, name: "older.cwt")
        setup.addStatusToken(newest, name: "newest.cwt")
        let (verifier, warnings) = setup.makeVerifier(options: .init(clock: { Fixture.now }, statusDataBudget: 1500))
        #expect(verifier.inflatedStatusBytes == 1024 && verifier.inflatedListCount == 1 && verifier.usableStatusTokenCount == 1)
        #expect(verifier.statusTokenWarnings.map(\.kind) == [.overBudget] && verifier.statusTokenWarnings[0].index == 0)
        #expect(warnings == ["older.cwt: the status token for \(uri2) issued \(Instant.iso(now - 3600)) is skipped: the verifier's budget of 1500 bytes for inflated status lists is spent (codes for which it is the newest list get no status from it)"])
        #expect(verifier.verify(text: try Fixture.goodCode(), at: now).verdict == .valid)
        let onSkipped = verifier.verify(text: try Fixture.goodCode(factory.claims(index: 1, uri: uri2)), at: now)
        #expect(onSkipped.verdict == .statusUnknown && onSkipped.status?.listIssuedAt == now - 3600)
        // The default budget holds both.
        let roomy = setup.makeVerifier(options: .init(clock: { Fixture.now }))
        #expect(roomy.warnings.isEmpty && roomy.verifier.inflatedStatusBytes == 2048)
        #expect(roomy.verifier.verify(text: try Fixture.goodCode(factory.claims(index: 1, uri: uri2)), at: now).verdict == .revoked)
        #expect(Verifier.Options().statusDataBudget == 256 * 1024 * 1024)
        // Two lists of the same iat, the second skipped: VALID in the first is not enough.
        let tieValid = try factory.statusToken(signer: pki.signer, capacity: 4096, iat: now - 60)
        let tieRevoked = try factory.statusToken(signer: pki.signer, entries: [7: .invalid], capacity: 4096, iat: now - 60)
        let tied = Verifier(trustStore: pki.trustStore(), statusTokens: try [tieValid, tieRevoked].map { try StatusListToken(bytes: $0) },
                            options: .init(allowUnknownStatus: true, clock: { Fixture.now }, statusDataBudget: 1500))
        #expect(tied.statusTokenWarnings.map(\.kind) == [.overBudget])
        let result = tied.verify(text: try Fixture.goodCode(), at: now)
        #expect(result.verdict == .valid && result.status?.value == nil && result.status?.unknownAllowed == true)
        // A list over FORMAT's 32 MiB cap is a bad list, not a budget matter.
        let sign1 = try COSESign1(decoding: tieValid)
        var claims = try StatusListClaims(payload: try #require(sign1.payload))
        claims.compressedList = Zlib.compress([UInt8](repeating: 0, count: Zlib.statusListLimit + 1))
        let payload = CBOREncoder.encode(claims.cbor)
        let signature = try pki.signer.key.sign(COSESign1.toBeSigned(protectedBytes: sign1.protectedBytes, payload: payload))
        let tooBig = COSESign1(protectedHeader: sign1.protectedHeader, payload: payload, signature: signature).encoded()
        let capped = try Fixture.verifier(tokens: [tooBig])
        #expect(capped.statusTokenWarnings.map(\.kind) == [.badList] && capped.inflatedStatusBytes == 0)
        #expect(capped.statusTokenWarnings[0].description.contains("does not inflate"))
    }

    /// The `dl-verify` executable built beside this test bundle.
    static var dlVerify: URL? {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug").standardizedFileURL]
        return candidates.map { $0.appendingPathComponent("dl-verify") }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    @Test("a 9.8 MB bundle of 300 forged tokens with 32 MiB zero lists: the real dl-verify answers, its peak memory stays under 200 MB")
    func forgedBundleProcess() throws {
        let binary = try #require(Self.dlVerify, "dl-verify is not built next to the tests: run 'swift build --build-tests'")
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let genuine = try factory.statusToken(signer: pki.signer)
        let forged = try (0..<300).map { try Self.forgedToken(from: genuine, variant: $0) }
        let bundleFile = folder.appendingPathComponent("forged.dlb")
        try Data(HandheldBundle(created: now - 3600, certificates: [], revocationLists: [], statusTokens: forged + [genuine]).encoded).write(to: bundleFile)
        #expect(try FileManager.default.attributesOfItem(atPath: bundleFile.path)[.size] as? Int ?? 0 > 9_000_000)

        let process = Process()
        process.executableURL = binary
        process.arguments = ["--trust", try Self.trustFolder(in: folder), "--bundle", bundleFile.path, "--at", Instant.iso(now), "--text", "-"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // A hung or runaway child is stopped, and then fails the checks below.
        DispatchQueue.global().asyncAfter(deadline: .now() + 120) { if process.isRunning { process.terminate() } }
        nonisolated(unsafe) var stdout = Data()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { stdout = output.fileHandleForReading.readDataToEndOfFile(); drained.signal() }
        // The setup's warnings come out before the first code is read from standard input: the
        // process is then still alive, its bundle fully loaded, and its peak is measurable.
        var stderr = Data()
        while !String(decoding: stderr, as: UTF8.self).contains("status token(s) ignored") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            stderr += chunk
        }
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let peakKiB = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
        input.fileHandleForWriting.write(Data((try Fixture.goodCode() + "\n").utf8))
        try input.fileHandleForWriting.close()
        stderr += errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        drained.wait()
        let errorText = String(decoding: stderr, as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(errorText)")
        #expect(String(decoding: stdout, as: UTF8.self).hasPrefix("VALID\t"))
        #expect(errorText.contains("dl-verify: warning: 300 status token(s) ignored: they could not be verified against the trust store"))
        let peak = try #require(peakKiB, "VmHWM not found in /proc/\(process.processIdentifier)/status")
        #expect(peak < 200 * 1024, "peak resident memory \(peak) KiB")
    }
}
