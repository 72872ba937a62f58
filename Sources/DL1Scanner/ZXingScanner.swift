internal import CZXing
import DL1Raster

/// Finds QR codes in a grey image with zxing-cpp, the second reader: it locates codes that
/// zbar misses (strong perspective, heavier blur), and returns each code's exact bytes.
public struct ZXingScanner: Sendable {
    /// What one pass found.
    public struct Scan: Sendable, Equatable {
        /// The data of every QR code read, in zxing-cpp's order.
        public var codes: [[UInt8]]
        /// The message of a failure inside zxing-cpp, when there was one (then `codes` is empty).
        public var failure: String?

        public init(codes: [[UInt8]], failure: String?) {
            self.codes = codes
            self.failure = failure
        }
    }

    /// How hard zxing-cpp tries.
    public struct Effort: OptionSet, Sendable, Hashable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// More scan lines and finder-pattern candidates.
        public static let harder = Effort(rawValue: Int32(DL1_ZXING_TRY_HARDER))
        /// The frame turned by 90 degrees as well.
        public static let rotate = Effort(rawValue: Int32(DL1_ZXING_TRY_ROTATE))
        /// Smaller copies of large frames as well.
        public static let downscale = Effort(rawValue: Int32(DL1_ZXING_TRY_DOWNSCALE))
        /// zxing-cpp's own default (what its ReadBarcode does unless told otherwise).
        public static let all: Effort = [.harder, .rotate, .downscale]
    }

    /// The effort every scan uses.
    public let effort: Effort

    /// A scanner for QR codes only.
    public init(effort: Effort = .all) { self.effort = effort }

    /// The QR codes zxing-cpp finds in `image`.
    public func scan(_ image: GreyImage) -> Scan {
        var found = dl1_zxing_codes()
        var message = [CChar](repeating: 0, count: 256)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            message.withUnsafeMutableBufferPointer { err in
                dl1_zxing_read(pixels.baseAddress, Int32(image.width), Int32(image.height), Int32(image.width),
                               effort.rawValue, &found, err.baseAddress, err.count)
            }
        }
        defer { dl1_zxing_free(&found) }
        guard status == 0 else {
            let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            return Scan(codes: [], failure: text)
        }
        var codes: [[UInt8]] = []
        codes.reserveCapacity(found.count)
        for index in 0..<found.count {
            let offset = found.offsets[index], length = found.lengths[index]
            codes.append(Array(UnsafeBufferPointer(start: found.data + offset, count: length)))
        }
        return Scan(codes: codes, failure: nil)
    }
}
