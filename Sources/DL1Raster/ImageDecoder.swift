/// Reads an image file's bytes as grey, telling PNG and JPEG apart by their signatures.
public enum ImageDecoder {
    /// The largest image decoded at full size (a 50-megapixel JPEG is decoded scaled down).
    public static let defaultMaxPixels = 40_000_000

    /// Decodes PNG or JPEG bytes; anything else is "not an image".
    public static func decode(_ bytes: [UInt8], maxPixels: Int = defaultMaxPixels) throws(ImageError) -> GreyImage {
        if bytes.starts(with: PNGCodec.signature) { return try PNGCodec.decode(bytes, maxPixels: maxPixels) }
        if bytes.starts(with: [0xff, 0xd8, 0xff]) { return try JPEGCodec.decode(bytes, maxPixels: maxPixels) }
        throw ImageError("not a PNG or JPEG image")
    }
}
