import DL1Raster

/// Turns a clean QR raster into something like a phone photo: placed in a larger noisy scene,
/// rotated, blurred, with lower contrast and sensor noise. Deterministic (seeded), for tests.
public struct PhotoSimulator: Sendable {
    public var width = 1280
    public var height = 720
    /// Rotation in degrees.
    public var rotation = 8.0
    /// Perspective: the code leans back by this many degrees about its horizontal axis, seen
    /// from two code widths away (its far edge shorter than its near one). 0: a flat view.
    public var tilt = 0.0
    /// Size of the code in the photo relative to the photo's height.
    public var codeFraction = 0.8
    /// Levels of the darkest and lightest parts after lighting (poor light squeezes them).
    public var black = 40.0, white = 210.0
    /// Standard deviation of the added noise, in grey levels.
    public var noise = 6.0
    /// Box-blur radius in pixels (0: none).
    public var blurRadius = 1
    public var seed: UInt64 = 42

    public init() {}

    public func photograph(_ code: GreyImage) -> GreyImage {
        var rng = SplitMix(seed: seed)
        var out = [UInt8](repeating: 0, count: width * height)
        let side = Double(height) * codeFraction
        let scale = Double(code.width) / side
        let angle = rotation * .pi / 180
        let (c, s) = (cos(angle), sin(angle))
        let cx = Double(width) / 2, cy = Double(height) / 2
        for y in 0..<height {
            for x in 0..<width {
                // Map back into the code's coordinates (inverse rotation about the centre).
                let dx = Double(x) - cx, dy = Double(y) - cy
                var rx = c * dx + s * dy, ry = -s * dx + c * dy
                var visible = true
                if tilt != 0 {
                    // Undo the lean: the plane point whose pinhole projection is (rx, ry).
                    let t = tilt * .pi / 180, distance = 2 * side
                    let denominator = distance * cos(t) - ry * sin(t)
                    visible = denominator > 0
                    ry = ry * distance / denominator
                    rx = rx * (distance + ry * sin(t)) / distance
                }
                let u = rx * scale + Double(code.width) / 2
                let v = ry * scale + Double(code.height) / 2
                var level: Double
                if visible, u >= 0, v >= 0, u < Double(code.width - 1), v < Double(code.height - 1) {
                    level = Self.bilinear(code, u, v)
                } else {
                    // Cluttered background: soft stripes.
                    level = 140 + 60 * sin(Double(x) / 37) * cos(Double(y) / 23)
                }
                // Uneven light across the frame, then the camera's squeezed range.
                let light = 0.85 + 0.15 * Double(x) / Double(width)
                level = (black + (white - black) * level / 255) * light + rng.gaussian() * noise
                out[y * width + x] = UInt8(max(0, min(255, level.rounded())))
            }
        }
        let image = GreyImage(width: width, height: height, pixels: out)
        return blurRadius > 0 ? Self.boxBlur(image, radius: blurRadius) : image
    }

    static func bilinear(_ image: GreyImage, _ u: Double, _ v: Double) -> Double {
        let x0 = Int(u), y0 = Int(v)
        let fx = u - Double(x0), fy = v - Double(y0)
        let p00 = Double(image[x0, y0]), p10 = Double(image[x0 + 1, y0])
        let p01 = Double(image[x0, y0 + 1]), p11 = Double(image[x0 + 1, y0 + 1])
        return (p00 * (1 - fx) + p10 * fx) * (1 - fy) + (p01 * (1 - fx) + p11 * fx) * fy
    }

    static func boxBlur(_ image: GreyImage, radius r: Int) -> GreyImage {
        var out = image.pixels
        let w = image.width, h = image.height
        for y in 0..<h {
            for x in 0..<w {
                var sum = 0, n = 0
                for yy in max(0, y - r)...min(h - 1, y + r) {
                    for xx in max(0, x - r)...min(w - 1, x + r) { sum += Int(image.pixels[yy * w + xx]); n += 1 }
                }
                out[y * w + x] = UInt8(sum / n)
            }
        }
        return GreyImage(width: w, height: h, pixels: out)
    }
}

/// A small seeded generator (SplitMix64), so simulated photos (and the benchmarks' random
/// choices) are the same on every run.
public struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func gaussian() -> Double {
        let u1 = max(uniform(), 1e-12), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
