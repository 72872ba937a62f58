import ArgumentParser
import DL1Compression
import DL1Crypto
import DL1Format
import DL1Issuer
import DL1QREncode
import DL1Raster
import DL1TestSupport
import DL1Verifier
import Foundation

/// Prints `key value` lines, then this process's peak memory.
func report(_ values: [(String, Any)]) {
    for (key, value) in values { print("\(key) \(value)") }
    let rss = BenchSupport.peakRSS()
    print("rss_kib \(rss.selfKiB)")
    print("children_rss_kib \(rss.childrenKiB)")
}

/// Whole-process times of `dl-verify` and `zbarimg` on the same images, and `dl-verify --text` start-up.
struct ProcessBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "process", abstract: "Image → verdict and start-up, whole process, beside zbarimg.")
    @Option(help: "Runs per measurement.") var runs = 30

    func run() throws {
        let fixture = try BenchSupport.fixture()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dl1-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("trust"), withIntermediateDirectories: true)
        try Data(fixture.pki.root.certificate.pem()).write(to: folder.appendingPathComponent("trust/root.pem"))
        try Data(fixture.pki.signer.certificate.pem()).write(to: folder.appendingPathComponent("trust/ds.pem"))
        let clean = QRRenderer(matrix: try QRCodeMatrix(encoding: fixture.code)).image(scale: 8)
        let png = folder.appendingPathComponent("code.png"), jpeg = folder.appendingPathComponent("photo.jpg")
        try Data(PNGCodec.encode(clean)).write(to: png)
        try Data(JPEGCodec.encode(PhotoSimulator().photograph(clean), quality: 80)).write(to: jpeg)
        let verify = BenchSupport.sibling("dl-verify")
        let at = Instant.iso(BenchSupport.now)
        let trust = folder.appendingPathComponent("trust").path
        func mean(_ path: String, _ arguments: [String], expect: String) -> Double {
            guard (BenchSupport.run(path, arguments) ?? "").contains(expect) else { return .nan }
            return BenchSupport.time { for _ in 0..<runs { BenchSupport.run(path, arguments) } } / Double(runs)
        }
        let common = ["--trust", trust, "--at", at, "--allow-unknown-status"]
        // What starting any process costs from here (Foundation's Process), for reference.
        let spawn = BenchSupport.time { for _ in 0..<runs { BenchSupport.run("/bin/true", []) } } / Double(runs)
        report([
            ("spawn_ms", spawn * 1000),
            ("dlverify_png_ms", mean(verify, common + [png.path], expect: "VALID") * 1000),
            ("zbarimg_png_ms", mean("/usr/bin/zbarimg", ["-q", "--raw", "--nodbus", png.path], expect: "DL1:") * 1000),
            ("dlverify_jpeg_ms", mean(verify, common + [jpeg.path], expect: "VALID") * 1000),
            ("zbarimg_jpeg_ms", mean("/usr/bin/zbarimg", ["-q", "--raw", "--nodbus", jpeg.path], expect: "DL1:") * 1000),
            ("dlverify_text_ms", mean(verify, common + ["--text", fixture.code], expect: "VALID") * 1000),
        ] + startUp(verify))
    }

    /// Start-up alone (`dl-verify --help` beside `zbarimg --version`), each run `runs` times by
    /// one shell loop, less the same loop over /bin/true; the three loops alternate for three
    /// rounds and the medians are kept.
    func startUp(_ verify: String) -> [(String, Any)] {
        guard (BenchSupport.run(verify, ["--help"]) ?? "").contains("USAGE") else { return [] }
        var help: [Double] = [], version: [Double] = [], none: [Double] = []
        for _ in 0..<3 {
            none.append(BenchSupport.loopTime("/bin/true", [], runs: runs))
            help.append(BenchSupport.loopTime(verify, ["--help"], runs: runs))
            version.append(BenchSupport.loopTime("/usr/bin/zbarimg", ["--version"], runs: runs))
        }
        let median = { (values: [Double]) in values.sorted()[1] * 1000 }
        return [("loop_true_ms", median(none)), ("dlverify_help_ms", median(help) - median(none)),
                ("zbarimg_version_ms", median(version) - median(none))]
    }
}

/// Issuance: sign + encode + registry commit (grouped), without and with PNG output, beside openssl sign/s.
struct IssuanceBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "issuance", abstract: "Credentials per second, text and PNG output, beside openssl sign/s.")
    @Option(help: "Credentials per measurement.") var credentials = 2000
    @Option(help: "Credentials per registry transaction (the batch command's default).") var group = 500
    @Option(help: ArgumentHelp("Where the issuer and the output files go (default: the system's temporary folder).", valueName: "DIR"))
    var folder: String?
    @Option(help: ArgumentHelp("Keep the registry in a fresh database on this PostgreSQL server (password: DL_REGISTRY_PASSWORD).", valueName: "URL"))
    var postgres: String?
    @Flag(help: "Measure only sign + encode + registry commit (no output files), e.g. under a profiler.")
    var coreOnly = false

    func run() throws {
        let folder = (self.folder.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory).appendingPathComponent("dl1-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var settings = IssuerSettings(country: "CN", authorityCode: "CN-31", authorityName: "上海市公安局交通警察总队",
                                      statusURIBase: "https://dl.example/CN-31/status")
        if let postgres {
            let server = try PostgresAddress(url: postgres, password: ProcessInfo.processInfo.environment[Issuer.registryPasswordVariable])
            settings.registryAddress = try server.creatingDatabase("dl1_bench_\(UInt32.random(in: 0...UInt32.max))").url
        }
        let issuer = try Issuer.create(at: folder.appendingPathComponent("issuer"), settings: settings)
        var licence = CodeFactory(now: 0).licence()
        licence.issueDate = CalendarDate(iso8601: "2020-05-01")!
        func rows(_ prefix: String, _ n: Int) -> [BatchRow] {
            (0..<n).map { i in
                var l = licence
                l.documentNumber = "\(prefix)\(i)"
                return BatchRow(line: i + 1, key: "\(prefix)\(i)", licence: .success(l))
            }
        }
        // Sign + encode + registry commit, no output files: `group` credentials per transaction,
        // and the CPU time this process used for them (the rest of a core's time it waited).
        let cpuBefore = IssuanceCore.cpuSeconds()
        let core = try BenchSupport.time {
            try IssuanceCore.issue(issuer, licence: licence, prefix: "C", count: credentials, group: group)
        }
        let coreCPU = IssuanceCore.cpuSeconds() - cpuBefore
        guard !coreOnly else {
            return report([("issue_core_per_s", Double(credentials) / core), ("core_cpu_us_per_credential", coreCPU / Double(credentials) * 1e6)])
        }
        var summary = BatchSummary()
        let text = try BenchSupport.time {
            summary = try issuer.issueBatch(rows("T", credentials), into: folder.appendingPathComponent("txt"), format: .text,
                                            errorCorrection: .medium, scale: 8, lifetime: .seconds(86_400), groupSize: group)
        }
        precondition(summary.issued == credentials)
        let pngCount = max(1, credentials / 4)
        let png = try BenchSupport.time {
            summary = try issuer.issueBatch(rows("P", pngCount), into: folder.appendingPathComponent("png"), format: .png,
                                            errorCorrection: .medium, scale: 8, lifetime: .seconds(86_400), groupSize: group)
        }
        // The reference: the same file system calls for as many 400-byte files in the same
        // place (open exclusive, write, close, rename), with nothing else: what the disk allows.
        let reference = folder.appendingPathComponent("reference")
        try FileManager.default.createDirectory(at: reference, withIntermediateDirectories: true)
        let filesPerSecond = Double(credentials) / BenchSupport.time {
            let bytes = [UInt8](repeating: 0x41, count: 400)
            for i in 0..<credentials {
                let temporary = reference.appendingPathComponent(".t\(i)").path
                let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
                rename(temporary, reference.appendingPathComponent("R\(i).txt").path)
            }
            sync()
        }
        report([("issue_core_per_s", Double(credentials) / core), ("files_per_s", filesPerSecond), ("issue_text_per_s", Double(credentials) / text), ("issue_png_per_s", Double(pngCount) / png),
                ("openssl_sign", BenchSupport.opensslSpeed()?.sign ?? 0),
                ("core_cpu_us_per_credential", coreCPU / Double(credentials) * 1e6)])
    }
}

/// A status list of 100,000,000 entries with 1% not VALID at random: build time, token size, lookup time.
struct LargeStatusListBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "statuslist-large", abstract: "100M-entry status list: build, size, lookup.")
    @Option(help: "Entries.") var entries = 100_000_000
    @Option(help: "Percent not VALID.") var percent = 1.0
    @Option(help: ArgumentHelp("Keep the handheld set-up (trust folder, bundle, code) in this new folder, to profile dl-verify on it.", valueName: "DIR"))
    var keep: String?

    func run() throws {
        let fixture = try BenchSupport.fixture()
        let factory = CodeFactory(now: BenchSupport.now)
        var token: [UInt8] = []
        var generator = SystemRandomNumberGenerator()
        let build = try BenchSupport.time {
            var list = StatusList(bits: 2, capacity: entries)
            let count = Int(Double(entries) * percent / 100)
            for _ in 0..<count { list.set(Int.random(in: 0..<entries, using: &generator), to: UInt8.random(in: 1...3, using: &generator)) }
            let claims = StatusListClaims(uri: "https://dl.example/CN-31/status/1", issuedAt: BenchSupport.now, expiresAt: BenchSupport.now + 86_400,
                                          timeToLive: 21_600, compressedList: Zlib.compress(list.bytes))
            token = try factory.signStatusClaims(claims, signer: fixture.pki.signer)
        }
        var parsed: StatusList?
        // Parsing and inflating, as a verifier does once the token's signature is checked.
        let parse = try BenchSupport.time { parsed = try StatusListToken(bytes: token).inflateList() }
        var hits = 0
        let lookups = 1_000_000
        let lookup = BenchSupport.time {
            for i in 0..<lookups where parsed![UInt64((i &* 2_654_435_761) % entries)] != CredentialStatus.valid.rawValue { hits += 1 }
        }
        let ready = try handheldReady(fixture: fixture, factory: factory, token: token, list: parsed!)
        report([("build_s", build), ("token_bytes", token.count), ("parse_s", parse), ("lookup_ns", lookup / Double(lookups) * 1e9), ("hits", hits),
                ("ready_signers", ready.signers), ("ready_bundle_bytes", ready.bundleBytes),
                ("ready_in_process_s", ready.inProcess), ("ready_process_s", ready.process), ("ready_spawn_s", ready.spawn)])
    }

    /// A handheld's set-up from nothing to its first verdict: a trust folder with the root, and a
    /// bundle of 1,000 signer certificates and this list; then one code at a VALID index of the
    /// list, signed by the last signer of the bundle. In this process (setup, verifier, verdict)
    /// and as a whole `dl-verify` process (less the cost of starting any process from here).
    func handheldReady(fixture: BenchSupport.Fixture, factory: CodeFactory, token: [UInt8], list: StatusList, runs: Int = 5) throws
        -> (signers: Int, bundleBytes: Int, inProcess: Double, process: Double, spawn: Double) {
        let folder = keep.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory.appendingPathComponent("dl1-bench-\(UUID().uuidString)")
        defer { if keep == nil { try? FileManager.default.removeItem(at: folder) } }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("trust"), withIntermediateDirectories: true)
        try Data(fixture.pki.root.certificate.pem()).write(to: folder.appendingPathComponent("trust/root.pem"))
        var signers = try (1..<1000).map { i in try fixture.pki.issueSigner(ou: "CN-31-\(i)").certificate.der }
        signers.append(fixture.pki.signer.certificate.der)
        let bundle = HandheldBundle(created: BenchSupport.now, certificates: signers, revocationLists: [], statusTokens: [token]).encoded
        let bundleFile = folder.appendingPathComponent("bundle.dlb")
        try Data(bundle).write(to: bundleFile)
        // An index far into the list, whose entry is VALID.
        let index = (UInt64(entries) * 3 / 4..<UInt64(entries)).first { list[$0] == CredentialStatus.valid.rawValue }!
        let code = try factory.text(factory.claims(index: index), signer: fixture.pki.signer)
        try Data((code + "\n").utf8).write(to: folder.appendingPathComponent("code.txt"))
        var verdict: Verdict?
        let inProcess = try BenchSupport.time {
            var setup = try VerifierSetup(trustDirectory: folder.appendingPathComponent("trust"))
            try setup.addBundle(file: bundleFile.path)
            verdict = setup.makeVerifier(options: .init(clock: { BenchSupport.now })).verifier.verify(text: code).verdict
        }
        guard verdict == .valid else { throw ValidationError("the handheld set-up answered \(verdict.map { "\($0)" } ?? "nothing"), not VALID") }
        let arguments = ["--trust", folder.appendingPathComponent("trust").path, "--bundle", bundleFile.path,
                         "--at", Instant.iso(BenchSupport.now), "--text", code]
        guard (BenchSupport.run(BenchSupport.sibling("dl-verify"), arguments) ?? "").contains("VALID") else {
            throw ValidationError("dl-verify did not answer VALID on the handheld set-up")
        }
        let spawn = BenchSupport.loopTime("/bin/true", [], runs: runs)
        let process = BenchSupport.loopTime(BenchSupport.sibling("dl-verify"), arguments, runs: runs)
        return (signers.count, bundle.count, inProcess, process - spawn, spawn)
    }
}

/// QR versions at ECC L, M and Q for a minimal, a typical and the largest licence the issuer accepts.
struct CodeSizeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "codesize", abstract: "QR version by licence size and error correction.")

    func run() throws {
        let fixture = try BenchSupport.fixture()
        let factory = CodeFactory(now: BenchSupport.now)
        var minimal = factory.licence(privileges: [DrivingPrivilege(category: "C1", issueDate: CalendarDate(iso8601: "2020-05-01")!)])
        minimal.familyName = "李"
        minimal.givenName = nil
        minimal.issuingAuthority = "CN-31"
        let typical = factory.licence()
        // Every field at the issuer's limits, with varied characters (repeats would compress away).
        var seed: UInt32 = 1
        func cjk(_ count: Int) -> String {
            String(String.UnicodeScalarView((0..<count).map { _ in
                seed = seed &* 1_103_515_245 &+ 12_345
                return Unicode.Scalar(0x4E00 + (seed >> 8) % 20_000)!
            }))
        }
        var largest = typical
        largest.documentNumber = String((0..<64).map { i in Character(String((i * 7 + 3) % 10)) })
        largest.familyName = cjk(100)
        largest.givenName = cjk(100)
        largest.issuingAuthority = cjk(200)
        largest.privileges = IssuerSettings.chineseCategories.enumerated().map { i, category in
            DrivingPrivilege(category: category, issueDate: CalendarDate(daysSinceEpoch: 18_000 + Int64(i) * 37),
                             expiryDate: CalendarDate(daysSinceEpoch: 22_000 + Int64(i) * 41), restrictions: cjk(64))
        }
        var values: [(String, Any)] = []
        // What an issuer controls without touching the format (FORMAT §1): a short status URI
        // (`dl-issue init --public-base-url https://dl.example` gives https://dl.example/s/N) and
        // a shorter credential id (8 of the allowed 8–16 bytes).
        let shortURI = "https://dl.example/s/1"
        let shortID: [UInt8] = [0x9C, 0x41, 0xE7, 0x02, 0xB8, 0x5D, 0x13, 0xF6]
        for (name, licence) in [("minimal", minimal), ("typical", typical), ("largest", largest)] {
            let claims = factory.claims(licence: licence)
            var short = factory.claims(licence: licence, uri: shortURI)
            short.credentialID = shortID
            var bound = claims
            bound.holderKey = HolderKey(fixture.device.publicKey)!
            var shortBound = short
            shortBound.holderKey = bound.holderKey
            // The DL1 code, and a DL2 presentation of the same licence bound to a device (FORMAT §7).
            let time = UInt64(BenchSupport.now)
            let dl2 = try factory.presentation(credential: try factory.cose(bound, signer: fixture.pki.signer), time: time, device: fixture.device)
            let dl2Short = try factory.presentation(credential: try factory.cose(shortBound, signer: fixture.pki.signer), time: time, device: fixture.device)
            let texts = [(name, try factory.text(claims, signer: fixture.pki.signer)), ("dl2_\(name)", dl2),
                         ("short_\(name)", try factory.text(short, signer: fixture.pki.signer)), ("short_dl2_\(name)", dl2Short)]
            for (prefix, text) in texts {
                values.append(("\(prefix)_chars", text.count))
                for level in [QRCodeMatrix.ErrorCorrection.low, .medium, .quartile] {
                    let version = (try? QRCodeMatrix(encoding: text, errorCorrection: level).version).map(String.init) ?? "too-large"
                    let heuristic = (try? QRCodeMatrix(encoding: text, errorCorrection: level, segmentation: .libqrencode).version)
                        .map(String.init) ?? "too-large"
                    values.append(("\(prefix)_\(level.rawValue)", version))
                    values.append(("\(prefix)_\(level.rawValue)_libqrencode", heuristic))
                }
                if let plan = QRSegments(Array(text.utf8), for: .medium) {
                    values.append(("\(prefix)_numeric_segments", plan.segments.filter { $0.mode == .numeric }.count))
                    values.append(("\(prefix)_bits_v10_26", plan.bits))
                }
            }
        }
        report(values)
    }
}

extension CodeFactory {
    /// Signs status-list claims as a token (for benchmarks of large lists).
    func signStatusClaims(_ claims: StatusListClaims, signer: TestPKI.KeyPair) throws -> [UInt8] {
        let payload = CBOREncoder.encode(claims.cbor)
        let header = DL1Header.protectedHeader(kid: signer.kid, typ: DL1Header.statusListType)
        let signature = try signer.key.sign(COSESign1.toBeSigned(protectedBytes: CBOREncoder.encode(.map(header)), payload: payload))
        return COSESign1(protectedHeader: header, payload: payload, signature: signature).encoded()
    }
}
