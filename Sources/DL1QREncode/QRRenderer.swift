import DL1Compression
import DL1Raster

/// Draws a QR symbol as PNG, SVG or terminal text, always with a quiet zone of at least four
/// modules (FORMAT §1.1).
public struct QRRenderer: Sendable {
    /// The symbol to draw.
    public let matrix: QRCodeMatrix
    /// Light modules around the symbol.
    public var quietZone: Int = 4

    /// A renderer for `matrix`.
    public init(matrix: QRCodeMatrix) { self.matrix = matrix }

    /// Modules per side, quiet zone included.
    public var sideModules: Int { matrix.size + 2 * quietZone }

    /// A grey raster with `scale` pixels per module.
    public func image(scale: Int) -> GreyImage {
        let side = sideModules * scale
        var image = GreyImage(width: side, height: side, fill: 255)
        for y in 0..<matrix.size {
            for x in 0..<matrix.size where matrix.isDark(x: x, y: y) {
                let px = (x + quietZone) * scale, py = (y + quietZone) * scale
                for dy in 0..<scale {
                    let row = (py + dy) * side
                    for dx in 0..<scale { image.pixels[row + px + dx] = 0 }
                }
            }
        }
        return image
    }

    /// PNG bytes with `scale` pixels per module.
    public func png(scale: Int) throws(ImageError) -> [UInt8] {
        guard scale > 0, sideModules * scale <= 1 << 16 else { throw ImageError("PNG: scale \(scale) gives an image of an impossible size") }
        return bilevelPNG(scale: scale)
    }

    /// A 1-bit greyscale PNG (colour type 0, bit depth 1): one bit per pixel, 1 white and 0
    /// black, each row after filter byte 0, compressed as one zlib stream. An eighth of the
    /// data of an 8-bit image, written without a raster in between.
    func bilevelPNG(scale: Int) -> [UInt8] {
        let side = sideModules * scale
        let rowBytes = (side + 7) / 8
        var raw = [UInt8](repeating: 0xff, count: side * (rowBytes + 1))
        for y in 0..<side { raw[y * (rowBytes + 1)] = 0 }
        var row = [UInt8](repeating: 0xff, count: rowBytes)
        for my in 0..<matrix.size {
            for i in row.indices { row[i] = 0xff }
            for mx in 0..<matrix.size where matrix.isDark(x: mx, y: my) {
                let start = (mx + quietZone) * scale
                for x in start..<(start + scale) { row[x >> 3] &= ~(0x80 >> UInt8(x & 7)) }
            }
            // Pad bits past the last pixel stay 1 (white); PNG ignores them.
            let top = (my + quietZone) * scale
            for dy in 0..<scale {
                let offset = (top + dy) * (rowBytes + 1) + 1
                raw.replaceSubrange(offset..<(offset + rowBytes), with: row)
            }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
        func chunk(_ type: String, _ data: [UInt8]) {
            let typed = Array(type.utf8) + data
            png += Self.bigEndian(UInt32(data.count)) + typed + Self.bigEndian(Zlib.crc32(typed))
        }
        chunk("IHDR", Self.bigEndian(UInt32(side)) + Self.bigEndian(UInt32(side)) + [1, 0, 0, 0, 0])
        chunk("IDAT", Zlib.compress(raw, level: 6))
        chunk("IEND", [])
        return png
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    /// An SVG document, one path of unit squares per dark run, `scale` user units per module.
    public func svg(scale: Int) -> String {
        let side = sideModules
        var path = ""
        for y in 0..<matrix.size {
            var x = 0
            while x < matrix.size {
                guard matrix.isDark(x: x, y: y) else { x += 1; continue }
                let start = x
                while x < matrix.size && matrix.isDark(x: x, y: y) { x += 1 }
                path += "M\(start + quietZone) \(y + quietZone)h\(x - start)v1h-\(x - start)z"
            }
        }
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(side * scale)" height="\(side * scale)" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">
        <rect width="\(side)" height="\(side)" fill="#fff"/>
        <path fill="#000" d="\(path)"/>
        </svg>

        """
    }

    /// The symbol drawn with half-block characters, two module rows per line, in black on an
    /// explicit white background so it scans on dark and light terminals alike.
    public func terminal() -> String {
        let side = sideModules
        func dark(_ x: Int, _ y: Int) -> Bool { matrix.isDark(x: x - quietZone, y: y - quietZone) }
        var out = ""
        var y = 0
        while y < side {
            out += "\u{1b}[30;107m"
            for x in 0..<side {
                switch (dark(x, y), y + 1 < side && dark(x, y + 1)) {
                case (true, true): out += "█"
                case (true, false): out += "▀"
                case (false, true): out += "▄"
                case (false, false): out += " "
                }
            }
            out += "\u{1b}[0m\n"
            y += 2
        }
        return out
    }
}
