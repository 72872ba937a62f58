internal import CPNG

/// PNG through libpng's simplified API, which converts any PNG to 8-bit grey and needs no setjmp.
public enum PNGCodec {
    /// The PNG signature.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

    /// Decodes a PNG of any colour type to grey, refusing images above `maxPixels` pixels.
    public static func decode(_ bytes: [UInt8], maxPixels: Int) throws(ImageError) -> GreyImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let begun = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard begun != 0 else { throw ImageError("PNG: \(message(&image))") }
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= maxPixels else {
            throw ImageError("PNG: the image is \(width)×\(height) pixels, more than the \(maxPixels) this reader accepts")
        }
        image.format = UInt32(PNG_FORMAT_GRAY)
        var pixels = [UInt8](repeating: 0, count: width * height)
        let finished = pixels.withUnsafeMutableBytes {
            png_image_finish_read(&image, nil, $0.baseAddress, Int32(width), nil)
        }
        guard finished != 0 else { throw ImageError("PNG: \(message(&image))") }
        return GreyImage(width: width, height: height, pixels: pixels)
    }

    /// Encodes a grey image as PNG.
    public static func encode(_ grey: GreyImage) throws(ImageError) -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(grey.width)
        image.height = UInt32(grey.height)
        image.format = UInt32(PNG_FORMAT_GRAY)
        defer { png_image_free(&image) }
        // One pass into a buffer that fits any grey image of this size (raw rows with their
        // filter bytes, plus zlib and chunk overhead); libpng says how much it needed if not.
        let raw = grey.height * (grey.width + 1)
        var size = raw + raw / 100 + 4096
        for _ in 0..<2 {
            var out = [UInt8](repeating: 0, count: size)
            var written = size
            let ok = out.withUnsafeMutableBytes { outBuf in
                grey.pixels.withUnsafeBytes {
                    png_image_write_to_memory(&image, outBuf.baseAddress, &written, 0, $0.baseAddress, Int32(grey.width), nil)
                }
            }
            if ok != 0 { return Array(out.prefix(written)) }
            guard written > size else { break }
            size = written
            image.warning_or_error = 0
        }
        throw ImageError("PNG: \(message(&image))")
    }

    private static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}
