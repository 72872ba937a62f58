/// Simple pixel operations used to help a QR reader on hard photos.
extension GreyImage {
    /// Light and dark swapped (for light-on-dark codes on screens).
    public func inverted() -> GreyImage {
        GreyImage(width: width, height: height, pixels: pixels.map { 255 - $0 })
    }

    /// Half the size in each direction, each pixel the mean of a 2×2 block.
    public func halved() -> GreyImage? {
        let w = width / 2, h = height / 2
        guard w >= 16, h >= 16 else { return nil }
        var out = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            let row0 = 2 * y * width, row1 = row0 + width
            for x in 0..<w {
                let sum = Int(pixels[row0 + 2 * x]) + Int(pixels[row0 + 2 * x + 1]) + Int(pixels[row1 + 2 * x]) + Int(pixels[row1 + 2 * x + 1])
                out[y * w + x] = UInt8(sum / 4)
            }
        }
        return GreyImage(width: w, height: h, pixels: out)
    }

    /// Levels stretched so the 1st and 99th percentiles become black and white (poor light).
    public func contrastStretched() -> GreyImage {
        var histogram = [Int](repeating: 0, count: 256)
        for p in pixels { histogram[Int(p)] += 1 }
        let cut = pixels.count / 100
        var low = 0, high = 255, seen = 0
        for v in 0..<256 { seen += histogram[v]; if seen > cut { low = v; break } }
        seen = 0
        for v in stride(from: 255, through: 0, by: -1) { seen += histogram[v]; if seen > cut { high = v; break } }
        guard high > low else { return self }
        let scale = 255.0 / Double(high - low)
        let table = (0..<256).map { UInt8(max(0, min(255, (Double($0 - low) * scale).rounded()))) }
        return GreyImage(width: width, height: height, pixels: pixels.map { table[Int($0)] })
    }
}
