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

extension GreyImage {
    /// Black and white by comparing each pixel with the mean of the `window`×`window` square
    /// around it (Bradley and Roth's method; an integral image keeps it O(pixels)): dark where
    /// it is more than `percent`% darker than its surroundings. Relative, so it works in deep
    /// shadow as in full light: survives shadows and gradients that defeat one global threshold.
    public func adaptiveThresholded(window: Int, percent: Int = 15) -> GreyImage {
        let percent = min(99, max(0, percent))
        // The box sum must fit in 32 bits: 255 × window² < 2^32.
        let w = width, h = height, radius = min(2000, max(1, window / 2))
        // Row-major integral image with a zero first row and column; UInt32 holds 255 × 16.8M.
        var integral = [UInt32](repeating: 0, count: (w + 1) * (h + 1))
        for y in 0..<h {
            var rowSum: UInt32 = 0
            for x in 0..<w {
                rowSum &+= UInt32(pixels[y * w + x])
                integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] &+ rowSum
            }
        }
        var out = [UInt8](repeating: 255, count: w * h)
        for y in 0..<h {
            let y0 = max(0, y - radius), y1 = min(h, y + radius + 1)
            for x in 0..<w {
                let x0 = max(0, x - radius), x1 = min(w, x + radius + 1)
                // Modular arithmetic: the integral wraps above 2^32 on images over ~16.8 MP,
                // but a box's sum (at most 255 × window²) is exact when computed mod 2^32.
                let sum = Int(integral[y1 * (w + 1) + x1] &- integral[y0 * (w + 1) + x1]
                    &- integral[y1 * (w + 1) + x0] &+ integral[y0 * (w + 1) + x0])
                let count = (x1 - x0) * (y1 - y0)
                if Int(pixels[y * w + x]) * count * 100 <= sum * (100 - percent) { out[y * w + x] = 0 }
            }
        }
        return GreyImage(width: w, height: h, pixels: out)
    }

    /// Edges strengthened with an unsharp mask (the pixel minus `amount` times its 3×3 blur),
    /// which restores module edges softened by mild defocus or motion.
    public func sharpened(amount: Double = 1.0) -> GreyImage {
        let w = width, h = height
        guard w >= 3, h >= 3 else { return self }
        var out = pixels
        let k = amount.isFinite ? Int(min(16, max(0, amount)) * 256) : 256
        for y in 1..<(h - 1) {
            for x in 1..<(w - 1) {
                var sum = 0
                for dy in -1...1 { for dx in -1...1 { sum += Int(pixels[(y + dy) * w + x + dx]) } }
                let p = Int(pixels[y * w + x])
                let value = p + (k * (p - sum / 9)) / 256
                out[y * w + x] = UInt8(clamping: value)
            }
        }
        return GreyImage(width: w, height: h, pixels: out)
    }

    /// Twice the size in each direction by bilinear interpolation, for codes whose modules are
    /// only one or two pixels wide; nil when the result would exceed `maxPixels`.
    public func doubled(maxPixels: Int = 16_000_000) -> GreyImage? {
        let w = width * 2, h = height * 2
        guard w * h <= maxPixels else { return nil }
        var out = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            // Centre-aligned sampling: output pixel centres map to (x + 0.5) / 2 - 0.5.
            let fy = max(0, Double(y) / 2 - 0.25), y0 = min(Int(fy), height - 1), y1 = min(y0 + 1, height - 1), ty = fy - Double(y0)
            for x in 0..<w {
                let fx = max(0, Double(x) / 2 - 0.25), x0 = min(Int(fx), width - 1), x1 = min(x0 + 1, width - 1), tx = fx - Double(x0)
                let top = Double(pixels[y0 * width + x0]) * (1 - tx) + Double(pixels[y0 * width + x1]) * tx
                let bottom = Double(pixels[y1 * width + x0]) * (1 - tx) + Double(pixels[y1 * width + x1]) * tx
                out[y * w + x] = UInt8(clamping: Int((top * (1 - ty) + bottom * ty).rounded()))
            }
        }
        return GreyImage(width: w, height: h, pixels: out)
    }
}
