import DL1QREncode
import DL1Raster
import DL1TestSupport
@testable import DL1VerifyServer
import Foundation
import Testing

/// The counter checked by outside tools: schemathesis against the OpenAPI document, and the
/// page in headless Chromium (photo upload and a fake camera), with screenshots kept.
@Suite("Counter with outside tools", .tags(.slow))
struct CounterToolTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var underCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    /// schemathesis: `DL1_SCHEMATHESIS`, the virtual environment `scripts/setup` makes, or PATH.
    static var schemathesis: String? {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"] ?? "/root"
        let candidates = [environment["DL1_SCHEMATHESIS"], "\(home)/.cache/dl1-test-tools/venv/bin/schemathesis"].compactMap { $0 }
            + (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/schemathesis" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Where the page's screenshots are kept after the run (named in the closing note).
    static var screenshotFolder: URL {
        ProcessInfo.processInfo.environment["DL1_SCREENSHOTS"].map { URL(fileURLWithPath: $0) }
            ?? repo.appendingPathComponent(".build/test-artifacts/counter-page")
    }

    @Test("schemathesis finds no server error and no answer outside the OpenAPI document")
    func schemathesisRun() async throws {
        guard let st = Self.schemathesis else {
            if Self.underCI { Issue.record("schemathesis is not installed: scripts/setup installs it into ~/.cache/dl1-test-tools/venv") }
            else { print("skipped: schemathesis is not installed (scripts/setup installs it)") }
            return
        }
        let w = try await CounterWorld.start(profile: .police)
        defer { Task { await w.stop() } }
        // positive_data_acceptance is left out: a well-formed photo without a QR code is valid
        // input by the schema, and is rightly answered 422 no-code.
        let run = try await ProcessRun.run(st, ["run", Self.repo.appendingPathComponent("openapi/dl-verify-serve.json").path, "--url", w.baseURL,
                                                "--checks", "all", "--exclude-checks", "positive_data_acceptance", "--max-examples", "60",
                                                "--generation-deterministic", "--request-timeout", "30", "--no-color"], in: w.folder, timeout: 300)
        #expect(run.status == 0, "schemathesis: \(run.output.suffix(4000))")
        #expect(run.output.contains("passed"))
        // And the server is still fine afterwards.
        #expect(try await w.request(.GET, "/v1/health").status == 200)
    }

    @Test("The page in headless Chromium: a valid and a revoked photo, and the camera, with screenshots")
    func page() async throws {
        guard let chromium = Self.chromium else {
            if Self.underCI { Issue.record("chromium is not installed: scripts/setup installs Debian's chromium") }
            else { print("skipped: chromium is not installed (scripts/setup installs it)") }
            return
        }
        let w = try await CounterWorld.start(profile: .rental) { $0.clientRate = 20; $0.clientBurst = 40 }
        defer { Task { await w.stop() } }
        let inputs = w.folder.appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        let valid = try CounterWorld.code(), revoked = try CounterWorld.code(index: CounterWorld.revokedIndex)
        try Data(try CounterWorld.png(valid)).write(to: inputs.appendingPathComponent("valid.png"))
        try Data(try CounterWorld.png(revoked)).write(to: inputs.appendingPathComponent("revoked.png"))
        try Data(try Self.y4m(valid)).write(to: inputs.appendingPathComponent("camera.y4m"))
        let out = Self.screenshotFolder
        try? FileManager.default.removeItem(at: out)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let run = try await ProcessRun.run("/usr/bin/env", ["python3", Self.repo.appendingPathComponent("scripts/browser-check.py").path,
                                                            "--chromium", chromium, "--url", w.baseURL + "/",
                                                            "--valid-png", inputs.appendingPathComponent("valid.png").path,
                                                            "--revoked-png", inputs.appendingPathComponent("revoked.png").path,
                                                            "--camera-y4m", inputs.appendingPathComponent("camera.y4m").path,
                                                            "--out", out.path, "--width", "390", "--height", "844", "--timeout", "120"], timeout: 180)
        try #require(run.status == 0, "browser-check.py: \(run.output.suffix(3000))")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.output.suffix(2000))")
        for (scenario, verdict) in [("valid", "VALID"), ("revoked", "REVOKED"), ("camera", "VALID")] {
            let seen = report[scenario] as? [String: Any] ?? [:]
            #expect(seen["state"] as? String == "done" && seen["verdict"] as? String == verdict, "\(scenario): \(seen)")
            let fields = seen["fields"] as? String ?? ""
            // The rental profile: the name and categories, never the document number or points.
            #expect(fields.contains("张") && fields.contains("C1") && !fields.contains("310101199001011234"), "\(scenario): \(fields)")
            let shot = try #require(seen["screenshot"] as? String)
            let (width, height) = try Self.pngSize(shot)
            #expect(width == 390 && height == 844, "\(scenario): \(width)×\(height)")
        }
        #expect((report["revoked"] as? [String: Any])?["reason"] as? String == "The licence has been revoked by the issuing authority.")
        // The camera sent frames without a code (422 no-code) before the one with it, then stopped.
        let camera = report["camera"] as? [String: Any] ?? [:]
        #expect(camera["camera_stopped"] as? Bool == true)
        #expect((report["network_errors"] as? [String])?.contains { $0.contains("422") } == true, "\(report["network_errors"] ?? "")")
        #expect((report["console_errors"] as? [Any])?.isEmpty == true, "\(report["console_errors"] ?? "")")
        #expect((report["csp_violations"] as? [Any])?.isEmpty == true, "\(report["csp_violations"] ?? "")")
    }

    /// A 640×480 YUV4MPEG2 clip at 10 frames/s: `blank` frames of an empty grey room, then
    /// `withCode` frames with the code in the middle (Chromium loops it), so the page must send
    /// frames without a code before one with it.
    static func y4m(_ text: String, blank: Int = 20, withCode: Int = 10) throws -> [UInt8] {
        let code = QRRenderer(matrix: try QRCodeMatrix(encoding: text)).image(scale: 4)
        let width = 640, height = 480
        let empty = [UInt8](repeating: 170, count: width * height)
        var luma = empty
        let left = (width - code.width) / 2, top = (height - code.height) / 2
        for y in 0..<code.height { for x in 0..<code.width { luma[(top + y) * width + left + x] = code.pixels[y * code.width + x] } }
        let chroma = [UInt8](repeating: 128, count: width * height / 2)
        var clip = Array("YUV4MPEG2 W\(width) H\(height) F10:1 Ip A1:1 C420jpeg\n".utf8)
        for frame in 0..<(blank + withCode) { clip += Array("FRAME\n".utf8) + (frame < blank ? empty : luma) + chroma }
        return clip
    }

    /// A PNG file's width and height, from its IHDR chunk.
    static func pngSize(_ path: String) throws -> (Int, Int) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        try #require(bytes.count > 24 && bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "\(path) is not a PNG")
        func be32(_ i: Int) -> Int { bytes[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }
}

/// A child process run to its end (or killed at the timeout), its output collected.
struct ProcessRun {
    let status: Int32
    let stdout: String
    let stderr: String
    var output: String { stdout + "\n" + stderr }

    static func run(_ executable: String, _ arguments: [String], in folder: URL? = nil, timeout: Double) async throws -> ProcessRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // SIGTERM first (browser-check.py then stops its Chromium), SIGKILL 5 s later.
        let pid = process.processIdentifier
        let killer = DispatchWorkItem {
            guard process.isRunning else { return }
            kill(pid, SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + 5) { if process.isRunning { kill(pid, SIGKILL) } }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        // Read both pipes to their ends off the concurrency pool (a full pipe would block the child).
        async let stdout = Task.detached { out.fileHandleForReading.readDataToEndOfFile() }.value
        async let stderr = Task.detached { err.fileHandleForReading.readDataToEndOfFile() }.value
        let (o, e) = await (stdout, stderr)
        process.waitUntilExit()
        killer.cancel()
        return ProcessRun(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}
