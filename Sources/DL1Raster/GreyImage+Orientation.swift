extension GreyImage {
    /// The image turned and mirrored as `orientation` says, so that it is seen upright.
    public func oriented(_ orientation: ExifOrientation) -> GreyImage {
        if orientation == .up { return self }
        let swaps = [.leftMirrored, .right, .rightMirrored, .left].contains(orientation)
        let w = swaps ? height : width, h = swaps ? width : height
        var out = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                // (x, y) in the upright result comes from (sx, sy) in the stored pixels.
                let sx: Int, sy: Int
                switch orientation {
                case .up: (sx, sy) = (x, y)
                case .upMirrored: (sx, sy) = (width - 1 - x, y)
                case .down: (sx, sy) = (width - 1 - x, height - 1 - y)
                case .downMirrored: (sx, sy) = (x, height - 1 - y)
                case .leftMirrored: (sx, sy) = (y, x)
                case .right: (sx, sy) = (y, height - 1 - x)
                case .rightMirrored: (sx, sy) = (width - 1 - y, height - 1 - x)
                case .left: (sx, sy) = (width - 1 - y, x)
                }
                out[y * w + x] = pixels[sy * width + sx]
            }
        }
        return GreyImage(width: w, height: h, pixels: out)
    }
}
