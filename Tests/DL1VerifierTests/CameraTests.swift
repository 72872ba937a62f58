import DL1CommandSupport
import DL1Raster
import DL1Scanner
@testable import DL1VerifyCommand
import DL1Verifier
import DL1TestSupport
import Foundation
import Testing

/// `dl-verify --camera`: each new code verified once as it comes into view, `--once`, and a
/// clear error naming the device when there is no camera (this machine has none).
@Suite("Camera mode")
struct CameraTests {
    /// Frames from a list; throws like an unplugged camera when the list runs out.
    final class FakeCamera: FrameSource {
        var frames: [GreyImage]
        private(set) var served = 0
        init(_ frames: [GreyImage]) { self.frames = frames }
        func nextFrame() throws(Camera.CameraError) -> GreyImage {
            guard served < frames.count else { throw Camera.CameraError(description: "the camera test stopped delivering frames") }
            served += 1
            return frames[served - 1]
        }
    }

    static func frame(_ text: String?) throws -> GreyImage {
        guard let text else { return GreyImage(width: 200, height: 200, fill: 230) }
        return try PhotoReaderTests.code(text)
    }

    func session(_ source: FakeCamera, once: Bool, console: Console, request: Verifier.Request = .init()) throws -> CameraSession {
        CameraSession(source: source, verifier: try Fixture.verifier(), request: request,
                      printer: ResultPrinter(console: console, json: true, colour: false), sourceName: "camera test", once: once, forgetAfter: 2)
    }

    @Test("a code is verified when it appears, not again while in view, and again after it left and came back")
    func eachNewCode() throws {
        let good = try Fixture.goodCode()
        let frames = try [nil, good, good, good, nil, nil, nil, good, "DL1:OTHER"].map(Self.frame)
        let source = FakeCamera(frames)
        let console = Console.capturing()
        var outcome = ExitOutcome()
        let error = try session(source, once: false, console: console).run(outcome: &outcome)
        #expect(error?.description == "the camera test stopped delivering frames")
        let verdicts = console.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .compactMap { $0?["verdict"] as? String }
        #expect(verdicts == ["VALID", "VALID", "MALFORMED"])
        #expect(outcome.code == 1)
    }

    @Test("--once stops at the first code and leaves the rest of the video unread")
    func once() throws {
        let frames = try [nil, nil, Fixture.goodCode(), nil].map(Self.frame)
        let source = FakeCamera(frames)
        let console = Console.capturing()
        var outcome = ExitOutcome()
        #expect(try session(source, once: true, console: console).run(outcome: &outcome) == nil)
        #expect(source.served == 3)
        #expect(outcome.code == 0)
        #expect(console.stdout.contains("\"source\":\"camera test\""))
    }

    @Test("what the officer asks (--category) applies to codes read by the camera")
    func request() throws {
        let console = Console.capturing()
        var outcome = ExitOutcome()
        _ = try session(FakeCamera([try Self.frame(Fixture.goodCode())]), once: true, console: console, request: .init(category: "D"))
            .run(outcome: &outcome)
        #expect(console.stdout.contains("\"verdict\":\"CATEGORY_NOT_HELD\""))
        #expect(outcome.code == 1)
    }

    @Test("the watcher's memory stays bounded over a long shift")
    func boundedMemory() {
        var watcher = CodeWatcher(forgetAfter: 30)
        for frame in 1...10_000 {
            _ = watcher.newCodes([Array("DL1:\(frame)".utf8)], frame: frame)
            #expect(watcher.rememberedCount <= 257, "frame \(frame)")
        }
        #expect(watcher.newCodes([Array("DL1:10000".utf8)], frame: 10_001).isEmpty)
        #expect(watcher.newCodes([Array("DL1:1".utf8)], frame: 10_002).count == 1)
    }

    @Test("no camera: a clear error naming the device, exit 2; misuse of --camera and --once is a usage error")
    func noCamera() throws {
        let trust = TestVectors.folder.appendingPathComponent("trust").path
        func run(_ arguments: [String]) -> (Int32, Console) {
            let console = Console.capturing()
            return (CommandRunner.run(DLVerify.self, ["--trust", trust] + arguments, console: console), console)
        }
        let (missing, a) = run(["--camera", "/dev/video-dl1-test", "--once"])
        #expect(missing == 2)
        #expect(a.stderr.contains("no camera at /dev/video-dl1-test: the device does not exist"))
        let (notCamera, b) = run(["--camera", "/dev/null"])
        #expect(notCamera == 2)
        #expect(b.stderr.contains("cannot open the camera /dev/null:"))
        #expect(run(["--once", "x.png"]).0 == 2)
        #expect(run(["--camera", "/dev/null", "x.png"]).1.stderr.contains("--camera reads codes live"))
    }
}
