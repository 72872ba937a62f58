import DL1Format

/// libFuzzer entry: any bytes through the strict CBOR decoder, and a decoded item back out.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let item = try? CBORDecoder().decode(bytes) {
        let again = CBOREncoder.encode(item)
        // Deterministic encoding is a fixed point: decoding it and encoding again gives the same bytes.
        guard let reread = try? CBORDecoder().decode(again) else { fatalError("a deterministic encoding does not decode") }
        if CBOREncoder.encode(reread) != again { fatalError("deterministic encoding is not stable") }
        _ = try? COSESign1(decoding: bytes)
        _ = try? DL1Claims(cbor: item)
        _ = try? HandheldBundle(bytes: bytes)
    }
    return 0
}
