import ArgumentParser
import DL1Crypto
import DL1Format
import DL1Issuer
import DL1ServiceAPI
import DL1ServiceClient
import Foundation

/// `dl1-bench refresh-load`: a bounded load of device refreshes against a running
/// `dl-issue serve` (loopback only): enrols DEVICES devices (licences made through the issuer
/// library in the same folder the server serves), then CONCURRENCY clients refresh in a loop
/// for SECONDS. Prints refreshes/s and latency percentiles.
struct RefreshLoadBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "refresh-load",
                                                    abstract: "Refreshes/s and latency against a running dl-issue serve (loopback).")

    @Option(help: "The service's URL (http://127.0.0.1:PORT).") var server: String
    @Option(help: "The issuer folder the service serves (licences and enrolment codes are made in it).") var issuer: String
    @Option(help: "Devices to enrol.") var devices: Int = 32
    @Option(help: "Clients refreshing at once.") var concurrency: Int = 32
    @Option(help: "Seconds of load (at most 120).") var seconds: Double = 10

    func validate() throws {
        guard server.hasPrefix("http://127.0.0.1:") || server.hasPrefix("http://localhost:") else {
            throw ValidationError("the load runs on loopback only: give --server http://127.0.0.1:PORT")
        }
        guard (1...1000).contains(devices), (1...256).contains(concurrency), seconds > 0, seconds <= 120 else {
            throw ValidationError("--devices 1...1000, --concurrency 1...256, --seconds up to 120")
        }
    }

    func run() throws {
        let issuer = try Issuer.open(at: URL(fileURLWithPath: self.issuer))
        let client = try ServiceClient(baseURL: server)
        var enrolled: [(id: [UInt8], key: P256PrivateKey)] = []
        let today = CalendarDate(utcDayOf: issuer.clock())
        let portrait = SHA256.hash(Array("bench portrait".utf8))
        for i in 0..<devices {
            let number = "LOAD\(UInt32.random(in: 0...UInt32.max))\(i)"
            let licence = Licence(documentNumber: number, familyName: "王", givenName: nil, birthDate: CalendarDate(iso8601: "1990-01-01")!,
                                  issueDate: today, expiryDate: today.adding(days: 3650), issuingCountry: issuer.settings.country,
                                  issuingAuthority: issuer.settings.authorityName,
                                  privileges: [DrivingPrivilege(category: issuer.settings.categories[0], issueDate: today)],
                                  portraitHash: portrait, points: Points(remaining: 12, maximum: 12, cycleEnd: today.adding(days: 365)))
            _ = try issuer.issue(licence, lifetime: .seconds(86_400), output: nil)
            let code = try issuer.openEnrolment(number)
            let key = try P256PrivateKey()
            let answer = try runBlocking { () async throws(ServiceClientError) -> CredentialResponse in try await client.enrol(code: code.code, device: key) }
            enrolled.append((Hex.decode(answer.credentialId)!, key))
        }
        let devicesEnrolled = enrolled
        let duration = seconds, concurrency = self.concurrency
        let (latencies, failures, elapsed) = try runBlocking { () async throws -> ([Double], Int, Double) in
            let start = DispatchTime.now().uptimeNanoseconds
            let deadline = start + UInt64(duration * 1e9)
            return await withTaskGroup(of: ([Double], Int).self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        var latencies: [Double] = [], failures = 0, n = worker
                        while DispatchTime.now().uptimeNanoseconds < deadline {
                            let device = devicesEnrolled[n % devicesEnrolled.count]
                            n += concurrency
                            let t0 = DispatchTime.now().uptimeNanoseconds
                            do {
                                _ = try await client.refresh(credentialID: device.id, device: device.key)
                                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                            } catch { failures += 1 }
                        }
                        return (latencies, failures)
                    }
                }
                var all: [Double] = [], failed = 0
                for await (l, f) in group { all += l; failed += f }
                return (all, failed, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
        }
        try runBlocking { () async throws in await client.shutdown() }
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        print("refresh-load: \(devices) devices, \(concurrency) concurrent clients, \(String(format: "%.1f", elapsed)) s")
        print(String(format: "  refreshes/s %.0f   (each: challenge + signed refresh; %d done, %d failed)", Double(latencies.count) / elapsed, latencies.count, failures))
        print(String(format: "  latency ms  p50 %.2f   p90 %.2f   p99 %.2f   max %.2f", percentile(0.5), percentile(0.9), percentile(0.99), sorted.last ?? 0))
    }
}
