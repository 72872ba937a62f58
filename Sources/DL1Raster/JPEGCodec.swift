internal import CJPEGBridge

/// JPEG through libjpeg(-turbo), behind a small C bridge that turns its longjmp errors into codes.
public enum JPEGCodec {
    /// Decodes a JPEG to grey. Images above `maxPixels` are decoded at 1/2, 1/4 or 1/8 scale
    /// (libjpeg's DCT scaling), so memory stays bounded; beyond 1/8 they are refused.
    public static func decode(_ bytes: [UInt8], maxPixels: Int) throws(ImageError) -> GreyImage {
        var out: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0, height: Int32 = 0, fullWidth: Int32 = 0, fullHeight: Int32 = 0
        var error = [CChar](repeating: 0, count: 256)
        let rc = bytes.withUnsafeBufferPointer {
            dl1_jpeg_decode_grey($0.baseAddress, $0.count, maxPixels, &out, &width, &height,
                                 &fullWidth, &fullHeight, &error, error.count)
        }
        guard rc == 0, let out else { throw ImageError("JPEG: \(text(error))") }
        defer { dl1_jpeg_free(out) }
        let pixels = Array(UnsafeBufferPointer(start: out, count: Int(width) * Int(height)))
        return GreyImage(width: Int(width), height: Int(height), pixels: pixels)
    }

    /// Encodes a grey image as a baseline JPEG of `quality` (1–100).
    public static func encode(_ image: GreyImage, quality: Int = 90) throws(ImageError) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var length: UInt = 0
        var error = [CChar](repeating: 0, count: 256)
        let rc = image.pixels.withUnsafeBufferPointer {
            dl1_jpeg_encode_grey($0.baseAddress, Int32(image.width), Int32(image.height), Int32(max(1, min(100, quality))),
                                 &out, &length, &error, error.count)
        }
        guard rc == 0, let out else { throw ImageError("JPEG: \(text(error))") }
        defer { dl1_jpeg_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
