import DL1Compression
import DL1Crypto
import DL1Format
import DL1Verifier

/// A fixed trust store: a throw-away root and signer made once; the signer's key is kept so that
/// fuzzed payloads can be signed and reach the checks after the signature (trust, time, status,
/// category, portrait).
let rootKey = try! P256PrivateKey()
let root = try! CertificateBuilder.makeRoot(key: rootKey, subject: .init(country: "CN", commonName: "Fuzz Root"), notBefore: 0, notAfter: 4_000_000_000)
let signerKey = try! P256PrivateKey()
let signer = try! CertificateBuilder.makeDocumentSigner(publicKey: signerKey.publicKey,
                                                        subject: .init(country: "CN", organizationalUnit: "CN-31", commonName: "Fuzz DS"),
                                                        root: root, rootKey: rootKey, notBefore: 0, notAfter: 4_000_000_000)
let verifier = Verifier(trustStore: TrustStore(certificates: [root, signer]), options: .init(allowUnknownStatus: true, clock: { 1_790_000_000 }))
let header = DL1Header.protectedHeader(kid: signer.kid)
let protectedBytes = CBOREncoder.encode(.map(header))
let boundHeader = DL1Header.protectedHeader(kid: signer.kid, typ: DL1Header.boundCredentialType)
let boundProtectedBytes = CBOREncoder.encode(.map(boundHeader))
let deviceKey = try! P256PrivateKey()

/// libFuzzer entry. First byte even: the rest is a code's text. Odd with bit 1 clear: the rest
/// is a claims payload, signed with the trusted signer, then verified with a category and
/// portrait asked. Odd with bit 1 set: the same payload as a bound credential in a DL2 presentation.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] & 1 == 0 {
        let result = verifier.verify(text: String(decoding: bytes, as: UTF8.self))
        if result.verdict == .valid { fatalError("an unsigned fuzzed text cannot be VALID") }
        _ = result.json.serialized
        _ = try? DecodedCode(compressed: bytes)
    } else if data[0] & 2 == 2 {
        // A bound credential (typ dl1-bound) over the fuzzed claims, signed by the trusted
        // signer and presented by a fixed device key: cnf parsing and the holder step.
        let signature = try! signerKey.sign(COSESign1.toBeSigned(protectedBytes: boundProtectedBytes, payload: bytes))
        let cose = COSESign1(protectedHeader: boundHeader, payload: bytes, signature: signature).encoded()
        let presentationSignature = try! deviceKey.sign(Presentation.toBeSigned(credential: cose, time: 1_790_000_000))
        let presentation = Presentation(credential: cose, time: 1_790_000_000, holderSignature: presentationSignature)
        let text = Presentation.prefix + Base45.encode(Zlib.compress(presentation.encoded))
        let result = verifier.verify(text: text)
        if result.verdict == .valid, result.presentation?.signedByBoundDevice != true { fatalError("VALID without the bound device's signature") }
        if result.verdict == .malformed, result.layer != .claims { fatalError("a signed bound payload failed at layer \(String(describing: result.layer))") }
        _ = result.json.serialized
    } else {
        let signature = try! signerKey.sign(COSESign1.toBeSigned(protectedBytes: protectedBytes, payload: bytes))
        let cose = COSESign1(protectedHeader: header, payload: bytes, signature: signature).encoded()
        let text = DecodedCode.text(coseBytes: cose)
        let result = verifier.verify(text: text, request: .init(category: "C1", portraitHash: SHA256.hash(bytes.prefix(8))))
        if result.verdict == .valid, result.claims == nil { fatalError("VALID without claims") }
        if result.verdict == .malformed, result.layer != .claims { fatalError("a signed payload failed at layer \(String(describing: result.layer))") }
        _ = result.json.serialized
    }
    return 0
}
