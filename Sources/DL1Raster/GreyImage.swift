/// An 8-bit greyscale raster, row-major, one byte per pixel (0 black, 255 white).
public struct GreyImage: Sendable, Hashable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width * height` pixels.
    public var pixels: [UInt8]

    /// An image from its pixels, which must number `width * height`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height, "pixel count must match the size")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A blank image of one grey level.
    public init(width: Int, height: Int, fill: UInt8 = 255) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: fill, count: width * height))
    }

    /// The pixel at (x, y).
    public subscript(x: Int, y: Int) -> UInt8 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }
}

/// Why bytes could not be read or written as an image.
public struct ImageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The explanation.
    public let description: String

    /// An error with its explanation.
    public init(_ description: String) { self.description = description }
}
