import DL1Raster
import DL1Scanner

/// Reads QR codes from a photo: zbar on the image as it is, then a bounded sequence of helped
/// versions of the same frame and a second reader, stopping at the first step that finds a code.
///
/// zbar stays the first reader. The order, and where the reader gives up, follow what each step
/// reads and costs on the generated benchmark set (`scripts/bench-images` and `dl1-bench images`,
/// which runs and times every step on every image and so compares orders exactly): inversion
/// rescues the most codes zbar misses, then zxing-cpp (codes at an angle, heavier blur; and
/// cheap), then the adaptive threshold and sharpening. When those have read nothing, the
/// reader gives up: the remaining steps (contrast stretch, doubling, the scale pyramid) read
/// nothing on that set that an earlier step did not, and a picture without any code would pay
/// for each of them. A reader with `givesUpAfter: nil` tries them all.
public struct CodeReader: Sendable {
    /// One way of reading the frame: zbar on a helped version of it, or the second reader.
    public enum Step: String, Sendable, CaseIterable, Codable {
        /// The frame as decoded.
        case asIs = "as is"
        /// Light and dark swapped: light-on-dark codes on dark-mode screens.
        case inverted = "inverted"
        /// The second reader, zxing-cpp, on the frame as decoded: codes seen at an angle,
        /// heavier blur, heavy noise.
        case zxing = "zxing-cpp"
        /// Local (adaptive) threshold: shadows, gradients, uneven light, heavy noise.
        case adaptiveThreshold = "adaptive threshold"
        /// Unsharp mask: mild blur, and small codes in large photos.
        case sharpened = "sharpened"
        /// Levels stretched to the full range (dim or washed-out photos).
        case contrastStretched = "contrast stretched"
        /// Twice the size (small images only): codes whose modules are one or two pixels.
        case doubleSize = "double size"
        /// Half size (large photos only): averages away noise and JPEG blocking.
        case halfSize = "half size"
        /// A quarter size (very large photos only): large, blurred or noisy codes.
        case quarterSize = "quarter size"
    }

    /// The steps tried, in order.
    public let steps: [Step]
    /// The reader stops after this step when no step so far has read a code, zxing-cpp included
    /// (it must come earlier in `steps`: until zxing-cpp has looked at the frame, the reader
    /// never gives up); nil: every step is tried.
    public let givesUpAfter: Step?

    /// Photos above this many pixels get the half-size step, and above twice it the
    /// quarter-size step.
    public static let largeImagePixels = 2_000_000
    /// Photos up to this many pixels get the double-size step. The ranges overlap on purpose:
    /// a 2–2.5 MP photo may hold a small code (doubling helps) or a large noisy one (halving helps).
    public static let smallImagePixels = 2_500_000

    /// A reader trying `steps` in order (by default all of them), giving up after `givesUpAfter`
    /// once zxing-cpp has read nothing either.
    public init(steps: [Step] = Step.allCases, givesUpAfter: Step? = .sharpened) {
        self.steps = steps
        self.givesUpAfter = givesUpAfter
    }

    /// The codes found, and the step that found them.
    public func read(_ image: GreyImage) -> (codes: [[UInt8]], step: Step?) {
        var tried: [Step] = []
        return read(image, tried: &tried)
    }

    /// The codes found, and the step that found them; `tried` receives the steps run, in order
    /// (steps that do not apply to the image's size are not run).
    public func read(_ image: GreyImage, tried: inout [Step]) -> (codes: [[UInt8]], step: Step?) {
        var zxingLooked = false
        for step in steps {
            if let candidate = Self.prepare(image, for: step) {
                tried.append(step)
                let codes = Self.scan(candidate, for: step)
                if !codes.isEmpty { return (codes, step) }
                zxingLooked = zxingLooked || step == .zxing
            }
            if zxingLooked && step == givesUpAfter { break }
        }
        return ([], nil)
    }

    /// The codes the reader of `step` finds in the image `prepare` made for it.
    public static func scan(_ prepared: GreyImage, for step: Step) -> [[UInt8]] {
        switch step {
        case .zxing: return ZXingScanner().scan(prepared).codes
        default: return QRScanner().scan(prepared)
        }
    }

    /// The image a step hands to its reader, or nil when the step does not apply to this image.
    public static func prepare(_ image: GreyImage, for step: Step) -> GreyImage? {
        let pixels = image.width * image.height
        switch step {
        case .asIs, .zxing:
            return image
        case .halfSize:
            return pixels > largeImagePixels ? image.halved() : nil
        case .contrastStretched:
            return image.contrastStretched()
        case .adaptiveThreshold:
            // Work at most at about 4 MP: the window is what matters, not full resolution.
            var working = image
            while working.width * working.height > 2 * largeImagePixels, let smaller = working.halved() { working = smaller }
            let window = min(101, max(15, min(working.width, working.height) / 10)) | 1
            return working.adaptiveThresholded(window: window)
        case .inverted:
            return image.inverted()
        case .sharpened:
            return image.sharpened()
        case .doubleSize:
            return pixels <= smallImagePixels ? image.doubled() : nil
        case .quarterSize:
            return pixels > 2 * largeImagePixels ? image.halved()?.halved() : nil
        }
    }
}
