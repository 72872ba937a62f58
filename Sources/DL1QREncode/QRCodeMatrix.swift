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

    /// Encodes `text`, letting libqrencode choose the smallest version and alphanumeric/numeric
    /// segments for text in the QR alphanumeric set (as DL1 codes are).
    public init(encoding text: String, errorCorrection: ErrorCorrection = .medium) throws(EncodingError) {
        guard !text.isEmpty, !text.utf8.contains(0) else { throw EncodingError(description: "QR: the text is empty or contains NUL") }
        guard let code = QRcode_encodeString(text, 0, errorCorrection.level, QR_MODE_8, 1) else {
            throw EncodingError(description: "QR: the text (\(text.utf8.count) characters) does not fit in a version-40 code at level \(errorCorrection.rawValue)")
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        let data = UnsafeBufferPointer(start: code.pointee.data, count: width * width)
        self.size = width
        self.version = Int(code.pointee.version)
        self.modules = data.map { $0 & 1 == 1 }
    }

    /// Whether the module at column `x`, row `y` is dark; outside the symbol it is light.
    public func isDark(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y * size + x]
    }
}
