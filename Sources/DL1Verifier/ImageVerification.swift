import DL1Raster
import DL1Scanner

/// The outcome of verifying an image: one result per QR code found (empty when none was).
public struct ImageVerification: Sendable {
    /// One result per QR code, in the order the reader found them.
    public let results: [VerificationResult]
    /// The image's size in pixels after decoding (scaled down for very large JPEGs).
    public let width: Int, height: Int
    /// Which attempt of the reader found the codes (e.g. "as is", "inverted").
    public let attempt: String?

    /// Whether the image held no QR code at all.
    public var foundNoCode: Bool { results.isEmpty }
}

extension Verifier {
    /// Verifies every QR code in a PNG or JPEG image. Throws only when the bytes are not a
    /// readable image; a picture without a code gives an empty result list.
    public func verify(imageBytes: [UInt8], request: Request = Request(), at instant: Int64? = nil) throws(ImageError) -> ImageVerification {
        let image = try ImageDecoder.decode(imageBytes)
        let now = instant ?? options.clock()
        let (codes, attempt) = CodeReader().read(image)
        let results = codes.map { bytes -> VerificationResult in
            guard let text = String(validating: bytes, as: UTF8.self) else {
                return VerificationResult(verdict: .malformed, explanation: .notText,
                                          layer: .prefix, verifiedAt: now)
            }
            return verify(text: text, request: request, at: now)
        }
        return ImageVerification(results: results, width: image.width, height: image.height, attempt: attempt)
    }
}

/// Reads QR codes from a photo: zbar on the image as it is, then a short bounded sequence of
/// helped versions (smaller, stretched contrast, inverted), stopping at the first that finds a code.
public struct CodeReader: Sendable {
    private let scanner = QRScanner()

    /// A reader with the default sequence of attempts.
    public init() {}

    /// The codes found, and the name of the attempt that found them.
    public func read(_ image: GreyImage) -> (codes: [[UInt8]], attempt: String?) {
        let found = scanner.scan(image)
        if !found.isEmpty { return (found, "as is") }
        var attempts: [(String, () -> GreyImage?)] = [
            ("contrast stretched", { image.contrastStretched() }),
            ("inverted", { image.inverted() }),
        ]
        if image.width * image.height > 1_000_000 {
            attempts.insert(("half size", { image.halved() }), at: 0)
            attempts.append(("quarter size", { image.halved()?.halved() }))
        }
        for (name, make) in attempts {
            guard let candidate = make() else { continue }
            let codes = scanner.scan(candidate)
            if !codes.isEmpty { return (codes, name) }
        }
        return ([], nil)
    }
}
