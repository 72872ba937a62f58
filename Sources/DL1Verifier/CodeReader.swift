import DL1Raster
import DL1Scanner

/// Reads QR codes from a photo: zbar on the image as it is, then a bounded sequence of helped
/// versions of the same frame, stopping at the first step that finds a code.
///
/// The order follows what each step bought on the generated benchmark set (`scripts/bench-images`
/// and `dl1-bench images`): inversion rescues the most codes, then the adaptive threshold,
/// sharpening and doubling; the scale pyramid comes last because it rescued none there.
public struct CodeReader: Sendable {
    /// One way of helping zbar.
    public enum Step: String, Sendable, CaseIterable, Codable {
        /// The frame as decoded.
        case asIs = "as is"
        /// Light and dark swapped: light-on-dark codes on dark-mode screens.
        case inverted = "inverted"
        /// Levels stretched to the full range (dim or washed-out photos).
        case contrastStretched = "contrast stretched"
        /// Local (adaptive) threshold: shadows, gradients, uneven light, heavy noise.
        case adaptiveThreshold = "adaptive threshold"
        /// Unsharp mask: mild blur, and small codes in large photos.
        case sharpened = "sharpened"
        /// Twice the size (small images only): codes whose modules are one or two pixels.
        case doubleSize = "double size"
        /// Half size (large photos only): averages away noise and JPEG blocking.
        case halfSize = "half size"
        /// A quarter size (very large photos only): large, blurred or noisy codes.
        case quarterSize = "quarter size"
    }

    /// The steps tried, in order.
    public let steps: [Step]
    private let scanner = QRScanner()

    /// Photos above this many pixels get the half-size step, and above twice it the
    /// quarter-size step.
    public static let largeImagePixels = 2_000_000
    /// Photos up to this many pixels get the double-size step. The ranges overlap on purpose:
    /// a 2–2.5 MP photo may hold a small code (doubling helps) or a large noisy one (halving helps).
    public static let smallImagePixels = 2_500_000

    /// A reader trying `steps` in order (by default all of them).
    public init(steps: [Step] = Step.allCases) { self.steps = steps }

    /// The codes found, and the step that found them.
    public func read(_ image: GreyImage) -> (codes: [[UInt8]], step: Step?) {
        for step in steps {
            guard let candidate = Self.prepare(image, for: step) else { continue }
            let codes = scanner.scan(candidate)
            if !codes.isEmpty { return (codes, step) }
        }
        return ([], nil)
    }

    /// The image a step hands to zbar, or nil when the step does not apply to this image.
    public static func prepare(_ image: GreyImage, for step: Step) -> GreyImage? {
        let pixels = image.width * image.height
        switch step {
        case .asIs:
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
