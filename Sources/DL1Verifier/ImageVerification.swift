import DL1Raster
import DL1Scanner

/// The outcome of verifying an image: one result per QR code found (empty when none was).
public struct ImageVerification: Sendable {
    /// One result per QR code, in the order the reader found them.
    public let results: [VerificationResult]
    /// The image's width in pixels after decoding: upright (EXIF orientation applied) and
    /// scaled down when the photo is above 20 megapixels.
    public let width: Int
    /// The image's height in pixels, on the same terms as ``width``.
    public let height: Int
    /// Which step of the reader found the codes (nil when none did).
    public let step: CodeReader.Step?

    /// Whether the image held no QR code at all.
    public var foundNoCode: Bool { results.isEmpty }
}

extension Verifier {
    /// The largest image file verified (a phone's photo is well under 20 MB).
    public static let maxImageBytes = 64 * 1024 * 1024

    /// Verifies every QR code in a PNG or JPEG image. Throws only when the bytes are not a
    /// readable image (or more than ``maxImageBytes``); a picture without a code gives an empty
    /// result list. Memory stays bounded: photos above 20 megapixels are scaled, not refused.
    public func verify(imageBytes: [UInt8], request: Request = Request(), at instant: Int64? = nil,
                       reader: CodeReader = CodeReader()) throws(ImageError) -> ImageVerification {
        guard imageBytes.count <= Self.maxImageBytes else { throw ImageError("the image is larger than 64 MiB") }
        let image = try ImageDecoder.decode(imageBytes)
        let now = instant ?? options.clock()
        let (codes, step) = reader.read(image)
        let results = codes.map { verify(codeBytes: $0, request: request, at: now) }
        return ImageVerification(results: results, width: image.width, height: image.height, step: step)
    }

    /// Verifies the bytes a QR code held: its text, or MALFORMED (prefix) when it is not text.
    public func verify(codeBytes: [UInt8], request: Request = Request(), at instant: Int64? = nil) -> VerificationResult {
        let now = instant ?? options.clock()
        guard let text = String(validating: codeBytes, as: UTF8.self) else {
            return VerificationResult(verdict: .malformed, explanation: .notText, layer: .prefix, verifiedAt: now)
        }
        return verify(text: text, request: request, at: now)
    }
}
