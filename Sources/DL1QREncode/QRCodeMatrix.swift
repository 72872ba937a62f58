internal import CQREncode

/// A QR symbol as a square of dark and light modules, made by libqrencode.
public struct QRCodeMatrix: Sendable, Hashable {
    /// Modules per side (without quiet zone).
    public let size: Int
    /// The QR version (1–40).
    public let version: Int
    /// Row-major modules: true is dark.
    public let modules: [Bool]

    /// Error-correction level (ISO/IEC 18004): L 7 %, M 15 %, Q 25 %, H 30 %.
    public enum ErrorCorrection: String, Sendable, CaseIterable {
        case low = "L", medium = "M", quartile = "Q", high = "H"

        var level: QRecLevel {
            switch self {
            case .low: return QR_ECLEVEL_L
            case .medium: return QR_ECLEVEL_M
            case .quartile: return QR_ECLEVEL_Q
            case .high: return QR_ECLEVEL_H
            }
        }
    }

    /// Why a text could not be encoded.
    public struct EncodingError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The explanation.
        public let description: String
    }

    /// How the text is split into QR segments.
    public enum Segmentation: Sendable {
        /// The cheapest numeric/alphanumeric split (`QRSegments`) for text in the alphanumeric
        /// set, as DL1 and DL2 codes are; libqrencode's own split for any other text.
        case optimal
        /// libqrencode's own split (`QRcode_encodeString`): a heuristic.
        case libqrencode
    }

    /// Encodes `text` in the smallest version that holds it at `errorCorrection`.
    public init(encoding text: String, errorCorrection: ErrorCorrection = .medium,
                segmentation: Segmentation = .optimal) throws(EncodingError) {
        guard !text.isEmpty, !text.utf8.contains(0) else { throw EncodingError(description: "QR: the text is empty or contains NUL") }
        let bytes = Array(text.utf8)
        let made: UnsafeMutablePointer<QRcode>?
        if segmentation == .optimal, QRSegments.isAlphanumeric(bytes) {
            // One plan per class of count widths, each distinct plan made into a symbol (masking
            // is the costly part, and for most texts the three plans are one); the smallest wins.
            var plans: [QRSegments] = []
            for versionClass in QRSegments.VersionClass.allCases {
                if let plan = QRSegments(bytes, for: versionClass), !plans.contains(where: { $0.segments == plan.segments }) {
                    plans.append(plan)
                }
            }
            var best: UnsafeMutablePointer<QRcode>?
            for plan in plans {
                guard let symbol = Self.encode(bytes, plan, errorCorrection) else { continue }
                if let current = best, current.pointee.version <= symbol.pointee.version {
                    QRcode_free(symbol)
                } else {
                    if let current = best { QRcode_free(current) }
                    best = symbol
                }
            }
            made = best
        } else {
            made = QRcode_encodeString(text, 0, errorCorrection.level, QR_MODE_8, 1)
        }
        guard let code = made else {
            throw EncodingError(description: "QR: the text (\(text.utf8.count) characters) does not fit in a version-40 code at level \(errorCorrection.rawValue)")
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        let data = UnsafeBufferPointer(start: code.pointee.data, count: width * width)
        self.size = width
        self.version = Int(code.pointee.version)
        self.modules = data.map { $0 & 1 == 1 }
    }

    /// The symbol for `bytes` coded as `plan` says, in the smallest version libqrencode finds
    /// for it; nil when it does not fit.
    private static func encode(_ bytes: [UInt8], _ plan: QRSegments, _ level: ErrorCorrection) -> UnsafeMutablePointer<QRcode>? {
        guard let input = QRinput_new2(0, level.level) else { return nil }
        defer { QRinput_free(input) }
        for segment in plan.segments {
            let mode = segment.mode == .numeric ? QR_MODE_NUM : QR_MODE_AN
            let appended = bytes[segment.range].withUnsafeBufferPointer {
                QRinput_append(input, mode, Int32($0.count), $0.baseAddress)
            }
            guard appended == 0 else { return nil }
        }
        return QRcode_encodeInput(input)
    }

    /// Whether the module at column `x`, row `y` is dark; outside the symbol it is light.
    public func isDark(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y * size + x]
    }
}
