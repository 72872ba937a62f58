/// The EXIF Orientation tag (0x0112) of a photo: how the stored pixels must be turned to be
/// seen upright. Phones store portrait photos sideways and front-camera photos mirrored; a
/// mirrored QR code cannot be read, so the reader applies the orientation first.
public enum ExifOrientation: Int, Sendable, CaseIterable {
    /// Stored upright (also the answer when a file has no EXIF data).
    case up = 1
    /// Mirrored left to right.
    case upMirrored = 2
    /// Turned 180°.
    case down = 3
    /// Mirrored top to bottom.
    case downMirrored = 4
    /// Mirrored along the main diagonal (transposed).
    case leftMirrored = 5
    /// Must be turned 90° clockwise to be upright.
    case right = 6
    /// Mirrored along the other diagonal (transversed).
    case rightMirrored = 7
    /// Must be turned 90° anticlockwise to be upright.
    case left = 8

    /// The orientation recorded in a JPEG's APP1 "Exif" segment or a PNG's eXIf chunk; `.up`
    /// when there is none or it cannot be read. Reads at most the first 1 MiB of the file and
    /// bounds every offset, so a hostile file cannot make it read out of range.
    public static func of(_ bytes: [UInt8]) -> ExifOrientation {
        let head = bytes.prefix(1 << 20)
        let tiff: ArraySlice<UInt8>?
        if head.starts(with: [0xff, 0xd8]) { tiff = jpegExif(head) }
        else if head.starts(with: PNGCodec.signature) { tiff = pngExif(head) }
        else { tiff = nil }
        guard let tiff, let value = orientationTag(in: tiff) else { return .up }
        return ExifOrientation(rawValue: value) ?? .up
    }

    /// The TIFF block of the first APP1 segment that starts with "Exif\0\0".
    private static func jpegExif(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var i = bytes.startIndex + 2
        while i + 4 <= bytes.endIndex, bytes[i] == 0xff {
            let marker = bytes[i + 1]
            if marker == 0xff { i += 1; continue }  // fill byte before a marker
            if marker == 0xd8 || (0xd0...0xd7).contains(marker) || marker == 0x01 { i += 2; continue }
            if marker == 0xda || marker == 0xd9 { return nil }  // image data starts: no EXIF before it
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 2, i + 2 + length <= bytes.endIndex else { return nil }
            let body = bytes[(i + 4)..<(i + 2 + length)]
            if marker == 0xe1, body.starts(with: Array("Exif".utf8) + [0, 0]) { return body.dropFirst(6) }
            i += 2 + length
        }
        return nil
    }

    /// The body of a PNG eXIf chunk (a TIFF block), if one comes before the image data.
    private static func pngExif(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var i = bytes.startIndex + 8
        while i + 8 <= bytes.endIndex {
            let length = (0..<4).reduce(0) { $0 << 8 | Int(bytes[i + $1]) }
            let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
            guard length >= 0, length <= bytes.endIndex - i - 12 else { return nil }
            if type == "eXIf" { return bytes[(i + 8)..<(i + 8 + length)] }
            if type == "IDAT" || type == "IEND" { return nil }
            i += 12 + length
        }
        return nil
    }

    /// The Orientation value in IFD0 of a TIFF block, honouring its byte order.
    private static func orientationTag(in tiff: ArraySlice<UInt8>) -> Int? {
        let t = Array(tiff)
        guard t.count >= 8 else { return nil }
        let little: Bool
        switch (t[0], t[1]) {
        case (0x49, 0x49): little = true
        case (0x4d, 0x4d): little = false
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= t.count else { return nil }
            return little ? Int(t[at]) | Int(t[at + 1]) << 8 : Int(t[at]) << 8 | Int(t[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for entry in 0..<min(count, 512) {
            let at = ifd + 2 + entry * 12
            guard let tag = u16(at) else { return nil }
            if tag == 0x0112 { return u16(at + 8) }
        }
        return nil
    }
}
