import ArgumentParser
import DL1Crypto
import DL1Format
import DL1Verifier
import Foundation

/// `dl1-bench verify`: code text → verdict (full checks, status list loaded), on one core and
/// on all cores, beside `openssl speed ecdsap256` verify/s measured in the same run.
struct VerifyBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Verify throughput, one core and all cores, beside openssl.")

    @Option(help: "Codes per measurement.") var codes = 100_000
    @Flag(help: "Skip the openssl reference (for profiling).") var noReference = false
    @Flag(help: "Only the one-core DL1 loop, nothing else (for scripts/profile-verify under callgrind).") var loopOnly = false

    func run() throws {
        let fixture = try BenchSupport.fixture()
        precondition(fixture.verifier.verify(text: fixture.code).verdict == .valid)
        let one = BenchSupport.time { for _ in 0..<codes { _ = fixture.verifier.verify(text: fixture.code) } }
        if loopOnly {
            print("verify_one_core \(Double(codes) / one)")
            return
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let perCore = codes / cores
        let all = BenchSupport.time {
            DispatchQueue.concurrentPerform(iterations: cores) { _ in
                for _ in 0..<perCore { _ = fixture.verifier.verify(text: fixture.code) }
            }
        }
        precondition(fixture.verifier.verify(text: fixture.presentation).verdict == .valid)
        let dl2 = BenchSupport.time { for _ in 0..<codes / 2 { _ = fixture.verifier.verify(text: fixture.presentation) } }
        // Where a DL2 verification's time goes beyond DL1's: decoding the presentation (with the
        // credential inside, its device key read off the curve), and the holder's signature.
        let n = codes / 10
        let decode = BenchSupport.time { for _ in 0..<n { _ = try? DecodedPresentation(text: fixture.presentation) } }
        let decoded = try DecodedPresentation(text: fixture.presentation)
        let point = decoded.credential.claims.holderKey!.compressedPoint
        let keyRead = BenchSupport.time { for _ in 0..<n { _ = try? P256PublicKey(compressedPoint: point) } }
        let message = Presentation.toBeSigned(credential: decoded.presentation.credential, time: decoded.presentation.time)
        let holderCheck = BenchSupport.time { for _ in 0..<n { _ = decoded.credential.holderPublicKey!.isValidSignature(decoded.presentation.holderSignature, for: message) } }
        let dl1Decode = BenchSupport.time { for _ in 0..<n { _ = try? DecodedCode(text: fixture.code) } }
        print("dl2_decode_us \(decode / Double(n) * 1e6)")
        print("dl2_key_read_us \(keyRead / Double(n) * 1e6)")
        print("dl2_holder_signature_us \(holderCheck / Double(n) * 1e6)")
        print("dl1_decode_us \(dl1Decode / Double(n) * 1e6)")
        let reference = noReference ? nil : BenchSupport.opensslSpeed()
        let referenceMulti = noReference ? nil : BenchSupport.opensslSpeed(multi: cores)
        print("verify_one_core \(Double(codes) / one)")
        print("verify_all_cores \(Double(perCore * cores) / all) \(cores)")
        print("verify_dl2_one_core \(Double(codes / 2) / dl2)")
        print("openssl_verify \(reference?.verify ?? 0)")
        print("openssl_verify_multi \(referenceMulti?.verify ?? 0)")
        let rss = BenchSupport.peakRSS()
        print("rss_kib \(rss.selfKiB)")
    }
}
