import ArgumentParser
import DL1TestSupport
import DL1Verifier
import Foundation

/// `dl1-bench verify-process`: the verifier as officers and integrators run it, beside
/// `openssl speed ecdsap256` verify/s: the `dl-verify` process over many codes read from its
/// standard input (`--json`, and `--quiet`), and the C library (Examples/c/dlverify_example.c
/// built with gcc -O2 against the release libdlverify.so). The same typical code and
/// 1,000,000-entry status list as `verify`. Whole processes, start-up included.
///
/// This kind of machine drifts by a quarter within a minute, so the measurements alternate for
/// a few rounds and each figure is the median of the rounds (a ratio: the median of the
/// rounds' ratios, each against the openssl run of its own round).
struct VerifyProcessBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-process",
        abstract: "dl-verify over many codes (--json, --quiet) and the C library, beside openssl verify/s, in alternating rounds.")

    @Option(help: "Codes per measurement.") var codes = 20_000
    @Option(help: "Rounds (medians are reported).") var rounds = 3

    func run() throws {
        let fixture = try BenchSupport.fixture()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dl1-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let trust = folder.appendingPathComponent("trust")
        try FileManager.default.createDirectory(at: trust, withIntermediateDirectories: true)
        try Data(fixture.pki.root.certificate.pem()).write(to: trust.appendingPathComponent("root.pem"))
        try Data(fixture.pki.signer.certificate.pem()).write(to: trust.appendingPathComponent("ds.pem"))
        let status = folder.appendingPathComponent("status.cwt")
        try Data(fixture.token).write(to: status)
        let input = folder.appendingPathComponent("codes.txt")
        try Data(String(repeating: fixture.code + "\n", count: codes).utf8).write(to: input)
        let output = folder.appendingPathComponent("answers")
        let at = String(BenchSupport.now)
        let common = ["--trust", trust.path, "--status", status.path, "--at", Instant.iso(BenchSupport.now)]

        // One dl-verify process over every code: codes/s, after checking every answer.
        let verify = BenchSupport.sibling("dl-verify")
        func cli(_ mode: String) throws -> Double {
            var exit: Int32 = -1
            let seconds = BenchSupport.time { exit = BenchSupport.run(verify, common + [mode, "--text", "-"], stdin: input, stdout: output) }
            let answers = try String(contentsOf: output, encoding: .utf8)
            let valid = mode == "--json" ? answers.components(separatedBy: "\"verdict\":\"VALID\"").count - 1 : codes
            guard exit == 0, valid == codes else {
                throw ValidationError("dl-verify \(mode) did not answer VALID for every code (exit \(exit), \(valid) of \(codes))")
            }
            return Double(codes) / seconds
        }

        // The C example against the release library, when the library and gcc are there.
        let example = try buildExample(in: folder)
        func cLibrary() throws -> Double {
            guard let example else { return .nan }
            let line = BenchSupport.run(example.path, ["--trust", trust.path, "--status", status.path, "--at", at,
                                                       "--text", fixture.code, "--bench", "\(codes)"]) ?? ""
            guard let rate = line.split(separator: " ").dropLast().last.flatMap({ Double($0) }), line.hasSuffix("codes/s\n") else {
                throw ValidationError("the C example did not report a rate: \(line)")
            }
            return rate
        }

        var json: [Double] = [], quiet: [Double] = [], c: [Double] = [], openssl: [Double] = []
        for _ in 0..<rounds {
            json.append(try cli("--json"))
            quiet.append(try cli("--quiet"))
            c.append(try cLibrary())
            guard let reference = BenchSupport.opensslSpeed(seconds: 2)?.verify else { throw ValidationError("openssl speed did not run") }
            openssl.append(reference)
        }
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        func ratio(_ values: [Double]) -> Double { median(zip(values, openssl).map { $0 / $1 }) }
        report([("process_codes", codes), ("process_rounds", rounds),
                ("cli_json_per_s", median(json)), ("cli_json_ratio", ratio(json)),
                ("cli_quiet_per_s", median(quiet)), ("cli_quiet_ratio", ratio(quiet)),
                ("c_library_per_s", median(c)), ("c_library_ratio", ratio(c)),
                ("openssl_verify", median(openssl))])
    }

    /// Examples/c/dlverify_example.c built with gcc -O2 against the libdlverify.so beside this
    /// benchmark (scripts/bench builds it); nil when either is missing.
    func buildExample(in folder: URL) throws -> URL? {
        let library = URL(fileURLWithPath: BenchSupport.sibling("libdlverify.so")).deletingLastPathComponent()
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let source = root.appendingPathComponent("Examples/c/dlverify_example.c")
        guard FileManager.default.fileExists(atPath: library.appendingPathComponent("libdlverify.so").path),
              FileManager.default.fileExists(atPath: source.path) else { return nil }
        let example = folder.appendingPathComponent("dlverify_example")
        let status = BenchSupport.run("/usr/bin/env", ["gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-pthread", "-o", example.path, source.path,
                                                      "-I", root.appendingPathComponent("Sources/CDLVerify/include").path,
                                                      "-L", library.path, "-ldlverify", "-Wl,-rpath,\(library.path)"],
                                       stdin: nil, stdout: folder.appendingPathComponent("gcc.out"))
        guard status == 0 else { throw ValidationError("gcc could not build the C example") }
        return example
    }
}
