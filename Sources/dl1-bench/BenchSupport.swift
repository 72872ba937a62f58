import DL1Crypto
import DL1Format
import DL1Verifier
import DL1TestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Shared pieces of the benchmarks: a throw-away PKI with a code and a status list, timing,
/// peak memory, and running reference tools.
enum BenchSupport {
    struct Fixture {
        let pki: TestPKI
        let code: String
        let token: [UInt8]
        let verifier: Verifier
        /// A DL2 presentation of a typical bound credential, made at `now`.
        let presentation: String
        let device: P256PrivateKey
    }

    static let now: Int64 = 1_790_000_000

    static func fixture() throws -> Fixture {
        let pki = try TestPKI(rootFrom: now - 100 * 86_400, signerFrom: now - 10 * 86_400, signerUntil: now + 300 * 86_400)
        let factory = CodeFactory(now: now)
        let code = try factory.text(factory.claims(), signer: pki.signer)
        let token = try factory.statusToken(signer: pki.signer, capacity: 1_000_000)
        let verifier = Verifier(trustStore: pki.trustStore(), statusTokens: [try StatusListToken(bytes: token)], options: .init(clock: { now }))
        // The same typical licence bound to a device key, presented by that device now (FORMAT §7).
        let device = try P256PrivateKey()
        var bound = factory.claims()
        bound.holderKey = HolderKey(device.publicKey)!
        let presentation = try factory.presentation(credential: try factory.cose(bound, signer: pki.signer), time: UInt64(now), device: device)
        return Fixture(pki: pki, code: code, token: token, verifier: verifier, presentation: presentation, device: device)
    }

    /// Seconds taken by `body`.
    static func time(_ body: () throws -> Void) rethrows -> Double {
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        try body()
        clock_gettime(CLOCK_MONOTONIC, &end)
        return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    }

    /// Peak resident set of this process (KiB) and of its finished children (KiB).
    static func peakRSS() -> (selfKiB: Int, childrenKiB: Int) {
        var me = rusage(), children = rusage()
        getrusage(RUSAGE_SELF.rawValue, &me)
        getrusage(RUSAGE_CHILDREN.rawValue, &children)
        return (me.ru_maxrss, children.ru_maxrss)
    }

    /// Runs a command and returns its standard output (nil when it cannot run or fails).
    @discardableResult
    static func run(_ path: String, _ arguments: [String], quiet: Bool = true) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = quiet ? FileHandle.nullDevice : FileHandle.standardError
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs a command with its standard input from a file (or none) and its standard output
    /// into a file; its standard error is dropped. The exit status, or -1 when it cannot run.
    @discardableResult
    static func run(_ path: String, _ arguments: [String], stdin: URL?, stdout: URL) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        guard FileManager.default.createFile(atPath: stdout.path, contents: nil),
              let output = FileHandle(forWritingAtPath: stdout.path) else { return -1 }
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        if let stdin {
            guard let input = FileHandle(forReadingAtPath: stdin.path) else { return -1 }
            process.standardInput = input
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Seconds per run of a command run `runs` times in a row by one shell loop (output
    /// dropped): starting the loop once costs this process's Process tens of milliseconds, which
    /// the loop spreads over every run. Compare with the same loop over /bin/true.
    static func loopTime(_ path: String, _ arguments: [String], runs: Int) -> Double {
        let loop = "for ((i = 0; i < \(runs); i++)); do \"$@\" > /dev/null 2>&1; done"
        return time { run("/bin/bash", ["-c", loop, "loop", path] + arguments) } / Double(runs)
    }

    /// `openssl speed -seconds 3 ecdsap256`: (sign/s, verify/s).
    static func opensslSpeed(seconds: Int = 3, multi: Int? = nil) -> (sign: Double, verify: Double)? {
        var arguments = ["speed", "-seconds", "\(seconds)"]
        if let multi { arguments += ["-multi", "\(multi)"] }
        guard let output = run("/usr/bin/openssl", arguments + ["ecdsap256"]) else { return nil }
        for line in output.split(separator: "\n") where line.contains("nistp256") {
            let numbers = line.split(separator: " ").compactMap { Double($0) }
            if numbers.count >= 2 { return (numbers[numbers.count - 2], numbers[numbers.count - 1]) }
        }
        return nil
    }

    /// Executables built beside this benchmark (release).
    static func sibling(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
