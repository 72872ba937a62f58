import DL1Compression
import DL1Format

/// A parsed Status List Token (FORMAT §3): its COSE_Sign1, claims and inflated list.
///
/// Parsing checks the structure, the header rules (typ included) and inflates the list under
/// the 32 MiB cap; whether the token may be used for a given code is decided by ``Verifier``.
public struct StatusListToken: Sendable {
    /// The token's COSE_Sign1.
    public let sign1: COSESign1
    /// The kid of the document signer that signed it.
    public let kid: [UInt8]
    /// Its claims.
    public let claims: StatusListClaims
    /// The inflated list.
    public let list: StatusList

    /// Why bytes are not a usable Status List Token.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        /// The explanation.
        public let description: String
    }

    /// Parses the raw bytes of a `.cwt` file.
    public init(bytes: [UInt8]) throws(ParseError) {
        do {
            sign1 = try COSESign1(decoding: bytes)
            kid = try DL1Header.validate(sign1, expectedType: DL1Header.statusListType)
            guard sign1.signature.count == 64 else { throw ParseError(description: "the signature is not 64 bytes") }
            guard let payload = sign1.payload else { throw ParseError(description: "the payload is detached") }
            claims = try StatusListClaims(payload: payload)
            let bytes = try Zlib.decompress(claims.compressedList, limit: Zlib.statusListLimit)
            list = StatusList(bits: claims.bits, bytes: bytes)
        } catch let error as ParseError {
            throw error
        } catch {
            throw ParseError(description: "not a DL1 Status List Token: \(error)")
        }
    }

    /// The status of entry `index`, or nil when the list is shorter.
    public func status(at index: UInt64) -> CredentialStatus? {
        list[index].flatMap(CredentialStatus.init(rawValue:))
    }
}
