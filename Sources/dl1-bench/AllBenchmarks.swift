import ArgumentParser
import Foundation

/// `dl1-bench all`: every row in its own process (so each row's peak memory is its own),
/// one table on standard output and in BENCHMARKS.md.
struct AllBenchmarks: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "all", abstract: "Run every benchmark and write BENCHMARKS.md.")
    @Option(help: "Where to write the table.") var output = "BENCHMARKS.md"
    @Option(help: "Codes for the verify rows (at least 100000 for the published table).") var codes = 100_000
    @Option(help: ArgumentHelp("The output of scripts/profile-verify, shown under the table.", valueName: "FILE")) var profile: String?

    func run() throws {
        let me = CommandLine.arguments[0]
        func row(_ arguments: [String]) -> [String: String] {
            var values: [String: String] = [:]
            for line in (BenchSupport.run(me, arguments) ?? "").split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1)
                if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
            }
            return values
        }
        func number(_ v: [String: String], _ k: String) -> Double { Double(v[k]?.split(separator: " ").first ?? "") ?? .nan }
        func f(_ x: Double, _ digits: Int = 0) -> String { x.isNaN ? "n/a" : String(format: "%.\(digits)f", x) }
        func mib(_ v: [String: String], children: Bool = false) -> String {
            f(number(v, children ? "children_rss_kib" : "rss_kib") / 1024, 1) + " MiB"
        }
        let verify = row(["verify", "--codes", "\(codes)"])
        let verifyProcess = row(["verify-process"])
        let process = row(["process"])
        let issuance = row(["issuance"])
        let large = row(["statuslist-large"])
        let size = row(["codesize"])
        let one = number(verify, "verify_one_core"), all = number(verify, "verify_all_cores")
        let ref = number(verify, "openssl_verify"), refMulti = number(verify, "openssl_verify_multi")
        let cores = verify["verify_all_cores"]?.split(separator: " ").last.map(String.init) ?? "?"
        var lines = [
            "| # | measure | DL1 | reference (same run) | ratio | target | peak RSS |",
            "|---|---|---|---|---|---|---|",
            "| 1 | verify, code text → verdict, 1 core, \(codes) codes | \(f(one)) /s | openssl speed ecdsap256: \(f(ref)) verify/s | \(f(one / ref, 2))× | ≥ 0.95× | \(mib(verify)) |",
            "| 1b | verify, `dl-verify --json --text -` over \(verifyProcess["process_codes"] ?? "?") codes, whole process, 1 core (median of \(verifyProcess["process_rounds"] ?? "?") alternating rounds) | \(f(number(verifyProcess, "cli_json_per_s"))) /s | openssl speed ecdsap256: \(f(number(verifyProcess, "openssl_verify"))) verify/s | \(f(number(verifyProcess, "cli_json_ratio"), 2))× | ≥ 0.9× | \(mib(verifyProcess, children: true)) (children) |",
            "| 1c | the same with `--quiet` (exit status only) | \(f(number(verifyProcess, "cli_quiet_per_s"))) /s | the same | \(f(number(verifyProcess, "cli_quiet_ratio"), 2))× | — | same |",
            "| 1d | verify through the C library (Examples/c, gcc -O2, libdlverify.so), 1 thread | \(f(number(verifyProcess, "c_library_per_s"))) /s | the same | \(f(number(verifyProcess, "c_library_ratio"), 2))× | ≥ 0.95× | same |",
            "| 2 | verify, all \(cores) cores | \(f(all)) /s (scaling \(f(all / one, 2))×) | openssl -multi \(cores): \(f(refMulti)) verify/s | \(f(all / refMulti, 2))× | — | \(mib(verify)) |",
            "| 2b | verify a DL2 presentation (issuer and holder signatures), 1 core, \(codes / 2) presentations | \(f(number(verify, "verify_dl2_one_core"))) /s | openssl speed ecdsap256: \(f(ref)) verify/s | \(f(number(verify, "verify_dl2_one_core") / ref, 2))× | ≥ 0.45× | \(mib(verify)) |",
            "| 2c | where DL2's time goes, µs per presentation | decode \(f(number(verify, "dl2_decode_us"), 1)) (DL1: \(f(number(verify, "dl1_decode_us"), 1))), of which the device key off its compressed point \(f(number(verify, "dl2_key_read_us"), 1)); holder signature \(f(number(verify, "dl2_holder_signature_us"), 1)) | one openssl verify: \(f(1e6 / ref, 1)) | — | — | — |",
        ]
        // Whole-process times less the cost of starting any process (/bin/true) from the benchmark.
        let spawn = number(process, "spawn_ms")
        let png = number(process, "dlverify_png_ms") - spawn, zpng = number(process, "zbarimg_png_ms") - spawn
        let jpg = number(process, "dlverify_jpeg_ms") - spawn, zjpg = number(process, "zbarimg_jpeg_ms") - spawn
        lines.append("| 3a | image → verdict, 680×680 PNG (whole dl-verify process) | \(f(png, 1)) ms | zbarimg -q --raw --nodbus: \(f(zpng, 1)) ms | \(f(png / zpng, 2))× | ≤ 1.0× | \(mib(process, children: true)) (children) |")
        lines.append("| 3b | image → verdict, 1280×720 JPEG photo | \(f(jpg, 1)) ms | zbarimg: \(f(zjpg, 1)) ms | \(f(jpg / zjpg, 2))× | ≤ 1.0× | same |")
        let core = number(issuance, "issue_core_per_s"), text = number(issuance, "issue_text_per_s")
        let pngRate = number(issuance, "issue_png_per_s"), sign = number(issuance, "openssl_sign")
        lines.append("| 4a | issuance: sign + encode + registry commit (groups of 100) | \(f(core)) /s | openssl sign: \(f(sign)) /s | \(f(core / sign, 2))× | ≥ 0.5× | \(mib(issuance)) |")
        lines.append("| 4b | issuance as `dl-issue batch` does it, one .txt file per licence | \(f(text)) /s | openssl sign: \(f(sign)) /s | \(f(text / sign, 3))× | — | same |")
        lines.append("| 4c | issuance with PNG output | \(f(pngRate)) /s | openssl sign: \(f(sign)) /s | \(f(pngRate / sign, 3))× | — | same |")
        let bytes = number(large, "token_bytes")
        lines.append("| 5 | status list, 100,000,000 entries, 1% not VALID at random | build \(f(number(large, "build_s"), 2)) s, token \(f(bytes / 1_000_000, 2)) MB, parse \(f(number(large, "parse_s"), 2)) s, lookup \(f(number(large, "lookup_ns"))) ns | draft-ietf-oauth-status-list table: 1.3 MB | \(f(bytes / 1_300_000, 2))× size | — | \(mib(large)) |")
        lines.append("| 5b | a handheld's set-up to its first verdict: trust folder (the root) + a bundle of \(large["ready_signers"] ?? "?") signers and the row-5 list (\(f(number(large, "ready_bundle_bytes") / 1_000_000, 2)) MB) | whole dl-verify process \(f(number(large, "ready_process_s"), 3)) s; in a process \(f(number(large, "ready_in_process_s"), 3)) s | — | — | ≤ 0.5 s | \(mib(large)) |")
        // QR versions: the optimal numeric/alphanumeric split beside libqrencode's own, and with
        // what an issuer can shorten without a format change (status URI, credential id).
        func versions(_ key: String) -> String {
            ["L", "M", "Q"].map { level in
                let optimal = size["\(key)_\(level)"] ?? "?", heuristic = size["\(key)_\(level)_libqrencode"] ?? "?"
                return optimal == heuristic ? "\(level) \(optimal)" : "\(level) \(optimal) (libqrencode's split: \(heuristic))"
            }.joined(separator: ", ")
        }
        let sizeTargets = ["minimal": "≤ 11 at M", "typical": "≤ 13 at M", "largest": "—"]
        for name in ["minimal", "typical", "largest"] {
            lines.append("| 6 | QR version, \(name) licence (\(size["\(name)_chars"] ?? "?") characters; status URI https://dl.example/CN-31/status/1, 16-byte cti) | \(versions(name)) | — | — | \(sizeTargets[name]!) | \(mib(size)) |")
            lines.append("| 6 | the same, status URI https://dl.example/s/1 and an 8-byte cti (\(size["short_\(name)_chars"] ?? "?") characters) | \(versions("short_\(name)")) | — | — | \(sizeTargets[name]!) | same |")
        }
        for name in ["minimal", "typical", "largest"] {
            let key = "dl2_\(name)"
            lines.append("| 6b | QR version, DL2 presentation of a \(name) licence (\(size["\(key)_chars"] ?? "?") characters) | \(versions(key)) | — | — | \(name == "typical" ? "≤ 18 at M" : "—") | \(mib(size)) |")
            lines.append("| 6b | the same, short status URI and 8-byte cti (\(size["short_\(key)_chars"] ?? "?") characters) | \(versions("short_\(key)")) | — | — | — | same |")
        }
        lines.append("| 7 | start-up: dl-verify --text, whole process | \(f(number(process, "dlverify_text_ms") - spawn, 1)) ms | /bin/true from the same harness: \(f(spawn, 1)) ms (subtracted in rows 3 and 7) | — | — | \(mib(process, children: true)) (children) |")
        let help = number(process, "dlverify_help_ms"), version = number(process, "zbarimg_version_ms")
        lines.append("| 7b | start-up alone: dl-verify --help (one shell loop of runs, less the same loop over /bin/true: \(f(number(process, "loop_true_ms"), 1)) ms) | \(f(help, 1)) ms | zbarimg --version, the same way: \(f(version, 1)) ms | \(f(help / version, 2))× | ≤ 1.0× | same |")
        let table = lines.joined(separator: "\n")
        print(table)
        var machine = "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory / 1_073_741_824) GiB"
        if let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8).split(separator: "\n").first(where: { $0.hasPrefix("model name") }) {
            machine += ", " + (cpu.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "")
        }
        let document = """
        # Benchmarks

        Measured \(ISO8601DateFormatter().string(from: Date())) on \(machine), by `scripts/bench` \
        (`swift build -c release` then `dl1-bench all`). Every row runs in its own process; the
        reference figures come from the same run. Rows 1–2 verify a typical code (two categories,
        a CJK name) with full checks and a 1,000,000-entry status list loaded.

        \(table)
        """
        var page = document + "\n"
        if let profile {
            page += """

            ## Where a verification's time goes

            Instructions counted by valgrind's callgrind inside `Verifier.verify(text:)` (so the load of \
            the machine does not change them), by `scripts/profile-verify`, in the same run:

            ```
            \(try String(contentsOfFile: profile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
            ```

            """
        }
        try Data(page.utf8).write(to: URL(fileURLWithPath: output))
    }
}
