import DL1Raster
import DL1Scanner
import DL1Verifier

/// Verifies each new code as it comes into view of a camera: a code is verified when it
/// appears, not again while it stays in view, and again if it comes back after leaving.
struct CameraSession {
    let source: FrameSource
    let verifier: Verifier
    let request: Verifier.Request
    let printer: ResultPrinter
    let sourceName: String
    /// Stop after the first code.
    let once: Bool
    /// Frames a code may be missing from before it counts as gone (about a second of video).
    var forgetAfter = 30
    /// Each frame gets zbar as is, then inverted (dark-mode screens), then zxing-cpp (a code held
    /// at an angle; cheap); the heavier steps are for photos.
    var reader = CodeReader(steps: [.asIs, .inverted, .zxing])

    /// Runs until the source fails (or, with `once`, until the first code), adding each
    /// verdict to `outcome`. Returns the source's error, if it failed.
    func run(outcome: inout ExitOutcome) -> Camera.CameraError? {
        var watcher = CodeWatcher(forgetAfter: forgetAfter)
        var frameNumber = 0
        while true {
            let frame: GreyImage
            do { frame = try source.nextFrame() } catch { return error }
            frameNumber += 1
            for code in watcher.newCodes(reader.read(frame).codes, frame: frameNumber) {
                let result = verifier.verify(codeBytes: code, request: request)
                outcome.add(result)
                printer.print(result, source: sourceName)
                if once { return nil }
            }
        }
    }
}
