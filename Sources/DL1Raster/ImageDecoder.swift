/// Reads an image file's bytes as grey, telling PNG and JPEG apart by their signatures.
public enum ImageDecoder {
    /// The largest image handed to the reader; larger photos are scaled down to it (a
    /// 50-megapixel photo is scaled, not refused).
    public static let defaultMaxPixels = 20_000_000
    /// The largest PNG decoded at all (libpng's simple interface cannot scale while decoding,
    /// so this bounds memory: one byte per pixel).
    public static let maxPNGPixels = 120_000_000

    /// Decodes PNG or JPEG bytes to at most `maxPixels` pixels, turned upright as their EXIF
    /// orientation says; anything else is "not an image".
    public static func decode(_ bytes: [UInt8], maxPixels: Int = defaultMaxPixels) throws(ImageError) -> GreyImage {
        let stored: GreyImage
        if bytes.starts(with: PNGCodec.signature) {
            var image = try PNGCodec.decode(bytes, maxPixels: max(maxPixels, maxPNGPixels))
            while image.width * image.height > maxPixels, let smaller = image.halved() { image = smaller }
            // Halving stops short of slivers (a 1,000,000×31 PNG stays 31 megapixels).
            guard image.width * image.height <= maxPixels else {
                throw ImageError("PNG: image of \(image.width)x\(image.height) pixels is too large to read (at most \(maxPixels) pixels)")
            }
            stored = image
        } else if bytes.starts(with: [0xff, 0xd8, 0xff]) {
            stored = try JPEGCodec.decode(bytes, maxPixels: maxPixels)
        } else {
            throw ImageError("not a PNG or JPEG image")
        }
        return stored.oriented(ExifOrientation.of(bytes))
    }
}
