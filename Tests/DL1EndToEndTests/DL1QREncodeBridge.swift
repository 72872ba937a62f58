import DL1QREncode

/// Encodes a text as a QR matrix at ECC M (tests render it themselves).
enum DL1QREncodeBridge {
    static func matrix(_ text: String) throws -> QRCodeMatrix {
        try QRCodeMatrix(encoding: text, errorCorrection: .medium)
    }
}
