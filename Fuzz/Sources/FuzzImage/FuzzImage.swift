import DL1Raster
import DL1Verifier

let reader = CodeReader()

/// libFuzzer entry: image bytes (PNG, JPEG or anything) through the decoders and the QR reader,
/// with a pixel budget small enough for fuzzing speed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let image = try? ImageDecoder.decode(bytes, maxPixels: 4_000_000) {
        _ = reader.read(image)
    }
    return 0
}
