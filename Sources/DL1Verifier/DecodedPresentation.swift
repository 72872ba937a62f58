import DL1Compression
import DL1Format

/// A DL2 presentation's text taken apart (FORMAT §7.3 step 1): prefix, Base45, zlib, the
/// presentation array, then the bound credential inside it through the §5.1–5.2 layers.
/// Nothing here is trusted yet: ``Verifier`` checks the issuer's and the holder's signatures.
public struct DecodedPresentation: Sendable {
    /// The presentation: credential bytes, time and holder signature.
    public let presentation: Presentation
    /// The bound credential it carries.
    public let credential: DecodedCode

    /// Decodes a `DL2:` text, stopping at the first layer that fails.
    public init(text: String) throws(DecodedCode.Failure) {
        guard text.utf8.starts(with: Presentation.prefix.utf8) else {
            throw DecodedCode.Failure(layer: .prefix, detail: "the text does not start with \"DL2:\"")
        }
        let compressed: [UInt8]
        do { compressed = try Base45.decode(Substring(text.utf8.dropFirst(Presentation.prefix.utf8.count))) }
        catch { throw DecodedCode.Failure(layer: .base45, detail: error.description) }
        let bytes: [UInt8]
        do { bytes = try Zlib.decompress(compressed, limit: Zlib.codeLimit) }
        catch { throw DecodedCode.Failure(layer: .zlib, detail: error.description) }
        do { presentation = try Presentation(decoding: bytes) }
        catch { throw DecodedCode.Failure(layer: .presentation, detail: error.description) }
        // FORMAT §7.2: the credential's COSE_Sign1 as the issuer made it, tagged 18 (0xd2).
        guard presentation.credential.first == 0xd2 else {
            throw DecodedCode.Failure(layer: .cose, detail: "the credential in a presentation must be a COSE_Sign1 tagged 18")
        }
        credential = try DecodedCode(boundCredential: presentation.credential)
    }
}
