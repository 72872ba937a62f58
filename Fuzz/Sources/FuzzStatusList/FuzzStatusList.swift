import DL1Format
import DL1Verifier

/// libFuzzer entry: any bytes as a Status List Token (parsing, the 32 MiB inflation cap, lookups).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let list = try? StatusListToken(bytes: bytes).inflateList() {
        for index in [0, 1, 7, UInt64(list.count), UInt64.max] { _ = list[index].flatMap(CredentialStatus.init(rawValue:)) }
    }
    _ = try? StatusListClaims(payload: bytes)
    return 0
}
