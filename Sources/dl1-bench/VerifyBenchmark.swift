import ArgumentParser
import DL1Verifier
import Foundation

/// `dl1-bench verify`: code text → verdict (full checks, status list loaded), on one core and
/// on all cores, beside `openssl speed ecdsap256` verify/s measured in the same run.
struct VerifyBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Verify throughput, one core and all cores, beside openssl.")

    @Option(help: "Codes per measurement.") var codes = 100_000
    @Flag(help: "Skip the openssl reference (for profiling).") var noReference = false

    func run() throws {
        let fixture = try BenchSupport.fixture()
        precondition(fixture.verifier.verify(text: fixture.code).verdict == .valid)
        let one = BenchSupport.time { for _ in 0..<codes { _ = fixture.verifier.verify(text: fixture.code) } }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let perCore = codes / cores
        let all = BenchSupport.time {
            DispatchQueue.concurrentPerform(iterations: cores) { _ in
                for _ in 0..<perCore { _ = fixture.verifier.verify(text: fixture.code) }
            }
        }
        let reference = noReference ? nil : BenchSupport.opensslSpeed()
        let referenceMulti = noReference ? nil : BenchSupport.opensslSpeed(multi: cores)
        print("verify_one_core \(Double(codes) / one)")
        print("verify_all_cores \(Double(perCore * cores) / all) \(cores)")
        print("openssl_verify \(reference?.verify ?? 0)")
        print("openssl_verify_multi \(referenceMulti?.verify ?? 0)")
        let rss = BenchSupport.peakRSS()
        print("rss_kib \(rss.selfKiB)")
    }
}
