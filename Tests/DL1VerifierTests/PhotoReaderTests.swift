import DL1Format
import DL1QREncode
import DL1Raster
import DL1Scanner
import DL1TestSupport
import DL1Verifier
import Foundation
import Testing

/// The photo reader: EXIF orientation, each retry step on the kind of picture it is for, and
/// several codes in one image.
@Suite("Photo reader: EXIF orientation and retry steps")
struct PhotoReaderTests {
    /// A clean code image (4 px modules) for `text`.
    static func code(_ text: String = "DL1:HELLO-PHOTO-READER", scale: Int = 4) throws -> GreyImage {
        QRRenderer(matrix: try QRCodeMatrix(encoding: text, errorCorrection: .medium)).image(scale: scale)
    }

    // The upright 3×2 picture 1 2 3 / 4 5 6 as each EXIF orientation stores it (EXIF 2.3, 4.6.4 A).
    static let stored: [(ExifOrientation, Int, [UInt8])] = [
        (.up, 3, [1, 2, 3, 4, 5, 6]),
        (.upMirrored, 3, [3, 2, 1, 6, 5, 4]),
        (.down, 3, [6, 5, 4, 3, 2, 1]),
        (.downMirrored, 3, [4, 5, 6, 1, 2, 3]),
        (.leftMirrored, 2, [1, 4, 2, 5, 3, 6]),
        (.right, 2, [3, 6, 2, 5, 1, 4]),
        (.rightMirrored, 2, [6, 3, 5, 2, 4, 1]),
        (.left, 2, [4, 1, 5, 2, 6, 3]),
    ]

    @Test("each of the 8 EXIF orientations turns the stored pixels upright")
    func orientations() {
        for (orientation, width, pixels) in Self.stored {
            let image = GreyImage(width: width, height: 6 / width, pixels: pixels).oriented(orientation)
            #expect(image == GreyImage(width: 3, height: 2, pixels: [1, 2, 3, 4, 5, 6]), "\(orientation)")
        }
    }

    /// An APP1 Exif segment holding one Orientation entry, in either byte order.
    static func exifSegment(_ value: Int, littleEndian: Bool) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { littleEndian ? [UInt8(v & 0xff), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xff)] }
        func u32(_ v: Int) -> [UInt8] { littleEndian ? u16(v & 0xffff) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xffff) }
        let tiff = (littleEndian ? [0x49, 0x49] : [0x4d, 0x4d]) + u16(42) + u32(8) + u16(1)
            + u16(0x0112) + u16(3) + u32(1) + u16(value) + u16(0) + u32(0)
        let body = Array("Exif".utf8) + [0, 0] + tiff
        return [0xff, 0xe1, UInt8((body.count + 2) >> 8), UInt8((body.count + 2) & 0xff)] + body
    }

    /// `jpeg` with an Exif segment inserted right after SOI.
    static func withExif(_ jpeg: [UInt8], orientation: Int, littleEndian: Bool = false) -> [UInt8] {
        Array(jpeg.prefix(2)) + exifSegment(orientation, littleEndian: littleEndian) + Array(jpeg.dropFirst(2))
    }

    @Test("a mirrored front-camera photo is turned back (both byte orders) and still read")
    func mirroredPhoto() throws {
        let upright = try Self.code()
        let mirrored = GreyImage(width: upright.width, height: upright.height, pixels: (0..<upright.height).flatMap { y in
            (0..<upright.width).map { x in upright[upright.width - 1 - x, y] }
        })
        let jpeg = try JPEGCodec.encode(mirrored, quality: 95)
        for littleEndian in [false, true] {
            let tagged = Self.withExif(jpeg, orientation: 2, littleEndian: littleEndian)
            #expect(ExifOrientation.of(tagged) == .upMirrored)
            let decoded = try ImageDecoder.decode(tagged)
            // Back to the upright pixels, up to JPEG's loss.
            let difference = zip(decoded.pixels, upright.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) } / upright.pixels.count
            #expect(difference < 4)
            #expect(CodeReader().read(decoded).codes == [Array("DL1:HELLO-PHOTO-READER".utf8)])
        }
    }

    @Test("a sideways portrait photo (orientation 6) is turned upright: width and height swap")
    func sideways() throws {
        let image = GreyImage(width: 40, height: 20, fill: 200)
        let tagged = Self.withExif(try JPEGCodec.encode(image), orientation: 6)
        let decoded = try ImageDecoder.decode(tagged)
        #expect(decoded.width == 20 && decoded.height == 40)
    }

    @Test("a PNG eXIf chunk is honoured too")
    func pngExif() throws {
        var png = try PNGCodec.encode(GreyImage(width: 30, height: 10, fill: 128))
        let tiff = Array(Self.exifSegment(8, littleEndian: true).dropFirst(10))
        let chunk = Array("eXIf".utf8) + tiff
        let length = [UInt8(tiff.count >> 24), UInt8((tiff.count >> 16) & 0xff), UInt8((tiff.count >> 8) & 0xff), UInt8(tiff.count & 0xff)]
        let crc = Self.crc32(chunk)
        png.insert(contentsOf: length + chunk + [UInt8(crc >> 24), UInt8((crc >> 16) & 0xff), UInt8((crc >> 8) & 0xff), UInt8(crc & 0xff)], at: 33)
        #expect(ExifOrientation.of(png) == .left)
        let decoded = try ImageDecoder.decode(png)
        #expect(decoded.width == 10 && decoded.height == 30)
    }

    @Test("hostile EXIF: truncated segments, offsets past the end, a looping IFD count, an unknown value → upright, no crash")
    func hostileExif() throws {
        let jpeg = try JPEGCodec.encode(GreyImage(width: 8, height: 8, fill: 90))
        var cases: [[UInt8]] = [[0xff, 0xd8], [0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0x45], Self.withExif(jpeg, orientation: 9)]
        var bad = Self.exifSegment(6, littleEndian: false)
        bad[14...17] = [0xff, 0xff, 0xff, 0xf0]  // IFD offset far past the end
        cases.append(Array(jpeg.prefix(2)) + bad + Array(jpeg.dropFirst(2)))
        var loop = Self.exifSegment(6, littleEndian: false)
        loop[18...19] = [0xff, 0xff]  // 65,535 entries claimed, none of them the orientation
        loop[20...21] = [0x01, 0x00]
        cases.append(Array(jpeg.prefix(2)) + loop + Array(jpeg.dropFirst(2)))
        for bytes in cases { #expect(ExifOrientation.of(bytes) == .up) }
        #expect(try ImageDecoder.decode(Self.withExif(jpeg, orientation: 9)).width == 8)
    }

    @Test("a JPEG one pixel over the limit at 1/2 scale is decoded at 1/4, not refused (libjpeg rounds scaled sizes up)")
    func jpegScaleRounding() throws {
        let jpeg = try JPEGCodec.encode(GreyImage(width: 2001, height: 1001, fill: 120), quality: 50)
        let image = try JPEGCodec.decode(jpeg, maxPixels: 500_000)
        #expect(image.width == 501 && image.height == 251)
    }

    /// A progressive JPEG of 16×16 grey pixels (up to its last scan; EOI follows), and one of
    /// its AC scans (Huffman table and SOS), which libjpeg takes again and again with a warning.
    static let progressive = Array(Data(base64Encoded: "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/wgALCAAQABABAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQAAAAEP/8QAFBABAAAAAAAAAAAAAAAAAAAAIP/aAAgBAQABBQIf/8QAFBABAAAAAAAAAAAAAAAAAAAAIP/aAAgBAQAGPwIf/8QAFBABAAAAAAAAAAAAAAAAAAAAIP/aAAgBAQABPyEf/9oACAEBAAAAEA//xAAUEAEAAAAAAAAAAAAAAAAAAAAg/9oACAEBAAE/EB8=")!)
    static let acScan = Array(Data(base64Encoded: "/8QAFBABAAAAAAAAAAAAAAAAAAAAIP/aAAgBAQABPxAf")!)

    @Test("a tiny progressive JPEG that declares 65500×65500 pixels is refused at once, not decoded into gigabytes of coefficients")
    func progressiveMemory() throws {
        var huge = Self.progressive + [0xff, 0xd9]
        let sof = try #require((0..<huge.count - 1).first { huge[$0] == 0xff && huge[$0 + 1] == 0xc2 })
        huge[(sof + 5)...(sof + 8)] = [0xff, 0xdc, 0xff, 0xdc]
        #expect(throws: ImageError("JPEG: image of 65500x65500 pixels needs more than 256 MiB to decode")) { try ImageDecoder.decode(huge) }
        // The same file at its true size decodes.
        #expect(try ImageDecoder.decode(Self.progressive + [0xff, 0xd9]).width == 16)
    }

    @Test("a PNG sliver that halving cannot bring under the pixel bound is refused, not read at its full size")
    func pngSliver() throws {
        let sliver = try PNGCodec.encode(GreyImage(width: 40_000, height: 20, fill: 255))
        #expect(throws: ImageError("PNG: image of 40000x20 pixels is too large to read (at most 500000 pixels)")) {
            try ImageDecoder.decode(sliver, maxPixels: 500_000)
        }
        #expect(try ImageDecoder.decode(try PNGCodec.encode(GreyImage(width: 4_000, height: 200, fill: 255)), maxPixels: 500_000).width == 2_000)
    }

    @Test("a JPEG with more scans than any photo has (100) is refused; 100 are decoded")
    func scanLimit() throws {
        // The file has 6 scans of its own.
        let within = Self.progressive + Array([[UInt8]](repeating: Self.acScan, count: 94).joined()) + [0xff, 0xd9]
        #expect(try ImageDecoder.decode(within).width == 16)
        let over = Self.progressive + Array([[UInt8]](repeating: Self.acScan, count: 95).joined()) + [0xff, 0xd9]
        #expect(throws: ImageError("JPEG: more than 100 scans")) { try ImageDecoder.decode(over) }
    }

    @Test("light-on-dark (a dark-mode screen) is found by the inversion step")
    func inverted() throws {
        let found = CodeReader().read(try Self.code().inverted())
        #expect(found.codes.count == 1)
        #expect(found.step == .inverted)
    }

    @Test("a shadow across the code (light falling from 12 to 240 over a soft edge) defeats zbar; the adaptive threshold step reads it")
    func unevenLight() throws {
        let code = try Self.code()
        var shadowed = code
        for y in 0..<code.height {
            for x in 0..<code.width {
                let light = 12 + 228 * max(0, min(1, (Double(x) / Double(code.width) - 0.5) / 0.15 + 0.5))
                let ink = Double(code[x, y]) / 255  // 1 on paper, 0 on a module
                shadowed[x, y] = UInt8(max(0, min(255, ink * light + (1 - ink) * light * 0.35)))
            }
        }
        #expect(QRScanner().scan(shadowed).isEmpty, "zbar reads this directly: the test proves nothing")
        let found = CodeReader().read(shadowed)
        #expect(found.codes.count == 1)
        #expect(found.step == .adaptiveThreshold)
        #expect(CodeReader(steps: CodeReader.Step.allCases.filter { $0 != .adaptiveThreshold }, givesUpAfter: nil).read(shadowed).codes.isEmpty)
    }

    @Test("a licence-sized code photographed at 40 degrees defeats zbar and every zbar step; the second reader, zxing-cpp, reads it")
    func steepAngle() throws {
        // As many characters as a typical licence's code (version 15 at M).
        let text = "DL1:" + String(repeating: "6BFOXN*TS0BI$ZDFRH", count: 30)
        var camera = PhotoSimulator()
        camera.tilt = 40
        camera.rotation = 12
        camera.codeFraction = 0.9
        let photo = camera.photograph(try Self.code(text))
        let zbarOnly = CodeReader(steps: CodeReader.Step.allCases.filter { $0 != .zxing })
        #expect(zbarOnly.read(photo).codes.isEmpty, "zbar reads this photo: the test proves nothing")
        let found = CodeReader().read(photo)
        #expect(found.codes == [Array(text.utf8)])
        #expect(found.step == .zxing)
    }

    @Test("zxing-cpp on its own: exact bytes of a clean code, nothing on a blank frame")
    func secondReader() throws {
        let text = "DL1:ZXING-SECOND-READER"
        let scan = ZXingScanner().scan(try Self.code(text))
        #expect(scan == ZXingScanner.Scan(codes: [Array(text.utf8)], failure: nil))
        let blank = ZXingScanner().scan(GreyImage(width: 640, height: 480, fill: 200))
        #expect(blank == ZXingScanner.Scan(codes: [], failure: nil))
    }

    @Test("a picture without a code: the reader gives up after sharpening, unless told to try every step")
    func givingUp() throws {
        let blank = GreyImage(width: 1200, height: 900, fill: 180)
        var tried: [CodeReader.Step] = []
        #expect(CodeReader().read(blank, tried: &tried).codes.isEmpty)
        #expect(tried == [.asIs, .inverted, .zxing, .adaptiveThreshold, .sharpened])
        tried = []
        #expect(CodeReader(givesUpAfter: nil).read(blank, tried: &tried).codes.isEmpty)
        // 1.08 MP: double size applies, half and quarter size do not.
        #expect(tried == [.asIs, .inverted, .zxing, .adaptiveThreshold, .sharpened, .contrastStretched, .doubleSize])
        // Until zxing-cpp has looked, the reader does not give up.
        tried = []
        _ = CodeReader(steps: [.asIs, .sharpened, .zxing, .inverted], givesUpAfter: .sharpened).read(blank, tried: &tried)
        #expect(tried == [.asIs, .sharpened, .zxing, .inverted])
        // A clean code is read at the first step, whatever the rule.
        tried = []
        #expect(CodeReader().read(try Self.code(), tried: &tried).step == .asIs)
        #expect(tried == [.asIs])
    }

    @Test("each step's image: sizes as promised, and steps that do not apply are skipped")
    func stepImages() throws {
        let small = try Self.code(scale: 2)
        #expect(CodeReader.prepare(small, for: .halfSize) == nil)
        #expect(CodeReader.prepare(small, for: .quarterSize) == nil)
        #expect(CodeReader.prepare(small, for: .doubleSize)?.width == small.width * 2)
        let large = GreyImage(width: 3000, height: 2000, fill: 255)
        #expect(CodeReader.prepare(large, for: .halfSize)?.width == 1500)
        #expect(CodeReader.prepare(large, for: .quarterSize)?.width == 750)
        #expect(CodeReader.prepare(large, for: .doubleSize) == nil)
        #expect(CodeReader.prepare(large, for: .adaptiveThreshold)?.width == 1500)
        for step in CodeReader.Step.allCases {
            let found = CodeReader(steps: [step]).read(try Self.code())
            if step == .doubleSize || step == .asIs || step == .sharpened || step == .contrastStretched || step == .adaptiveThreshold || step == .zxing {
                #expect(found.codes.count == 1, "\(step) loses a clean code")
            }
        }
    }

    @Test("two codes in one image: each is read and verified")
    func twoCodes() throws {
        let a = try Self.code("DL1:FIRST-CODE"), b = try Self.code("DL1:SECOND-CODE")
        var canvas = GreyImage(width: a.width + b.width + 40, height: max(a.height, b.height) + 20, fill: 255)
        for y in 0..<a.height { for x in 0..<a.width { canvas[x + 10, y + 10] = a[x, y] } }
        for y in 0..<b.height { for x in 0..<b.width { canvas[x + a.width + 30, y + 10] = b[x, y] } }
        let scan = try Fixture.verifier().verify(imageBytes: try PNGCodec.encode(canvas))
        #expect(scan.results.count == 2)
        #expect(scan.results.allSatisfy { $0.verdict == .malformed && $0.layer == .base45 })
        #expect(scan.step == .asIs)
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
