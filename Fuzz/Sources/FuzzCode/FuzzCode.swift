import DL1Crypto
import DL1Format
import DL1Verifier

/// A fixed trust store: a throw-away root and signer made once.
let trust: TrustStore = {
    let rootKey = try! P256PrivateKey()
    let root = try! CertificateBuilder.makeRoot(key: rootKey, subject: .init(country: "CN", commonName: "Fuzz Root"), notBefore: 0, notAfter: 4_000_000_000)
    let ds = try! CertificateBuilder.makeDocumentSigner(publicKey: try! P256PrivateKey().publicKey,
                                                        subject: .init(country: "CN", organizationalUnit: "CN-31", commonName: "Fuzz DS"),
                                                        root: root, rootKey: rootKey, notBefore: 0, notAfter: 4_000_000_000)
    return TrustStore(certificates: [root, ds])
}()
let verifier = Verifier(trustStore: trust, options: .init(clock: { 1_790_000_000 }))

/// libFuzzer entry: a code's text (any bytes as UTF-8, with and without the prefix) to a verdict.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    let result = verifier.verify(text: text)
    if result.verdict == .valid { fatalError("a fuzzed code cannot be VALID without a signature by the fuzz signer") }
    _ = result.json.serialized
    // The bytes also as the zlib layer's input, and as a Base45 payload.
    _ = verifier.verify(text: DecodedCode.prefix + Base45.encode(bytes))
    _ = try? DecodedCode(compressed: bytes)
    return 0
}
