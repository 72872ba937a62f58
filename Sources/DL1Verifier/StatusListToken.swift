import DL1Compression
import DL1Crypto
import DL1Format

/// A parsed Status List Token (FORMAT §3): its COSE_Sign1 and claims, the list still compressed.
///
/// Parsing checks the structure and the header rules (typ included) but does not inflate the
/// list: anyone can write a token whose small `lst` inflates to 32 MiB, so the list is inflated
/// only once the token's signature and signer have been checked, by ``Verifier``, within its
/// ``Verifier/Options/statusDataBudget``. Whether the token may be used for a given code is
/// decided there too.
public struct StatusListToken: Sendable {
    /// The token's COSE_Sign1.
    public let sign1: COSESign1
    /// The kid of the document signer that signed it.
    public let kid: [UInt8]
    /// Its claims (`lst` still compressed).
    public let claims: StatusListClaims
    /// SHA-256 of the bytes it was parsed from: a verifier loads identical tokens once.
    public let digest: [UInt8]

    /// Why bytes are not a usable Status List Token.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        /// What failed.
        public enum Kind: Sendable, Hashable {
            /// The bytes are not a well-formed DL1 Status List Token (COSE, header or claims).
            case structure
            /// The list does not inflate: not a zlib stream, bytes after it, or over the limit.
            case list
        }
        /// What failed (``Kind/structure`` unless told otherwise).
        public let kind: Kind
        /// The explanation.
        public let description: String

        /// An error of `kind` explained by `description`.
        public init(kind: Kind = .structure, description: String) {
            self.kind = kind
            self.description = description
        }
    }

    /// Parses the raw bytes of a `.cwt` file (without inflating its list).
    public init(bytes: [UInt8]) throws(ParseError) {
        try self.init(bytes: bytes, digest: SHA256.hash(bytes))
    }

    /// Parses bytes whose SHA-256 the caller already computed (to skip duplicates first).
    init(bytes: [UInt8], digest: [UInt8]) throws(ParseError) {
        do {
            sign1 = try COSESign1(decoding: bytes)
            kid = try DL1Header.validate(sign1, expectedType: DL1Header.statusListType)
            guard sign1.signature.count == 64 else { throw ParseError(description: "the signature is not 64 bytes") }
            guard let payload = sign1.payload else { throw ParseError(description: "the payload is detached") }
            claims = try StatusListClaims(payload: payload)
        } catch let error as ParseError {
            throw error
        } catch {
            throw ParseError(description: "not a DL1 Status List Token: \(error)")
        }
        self.digest = digest
    }

    /// Inflates the list, refusing more than `limit` bytes (never more than the 32 MiB cap of
    /// FORMAT §3, whatever `limit` says). This costs up to `limit` bytes of memory for a forged
    /// token as much as for a genuine one: check the signature first, as ``Verifier`` does.
    public func inflateList(limit: Int = Zlib.statusListLimit) throws(ParseError) -> StatusList {
        do { return try inflate(limit: limit) } catch {
            throw ParseError(kind: .list, description: "the status list does not inflate: \(error)")
        }
    }

    /// ``inflateList(limit:)`` with zlib's own failure, so a caller can tell "over `limit`" apart.
    func inflate(limit: Int) throws(Zlib.Failure) -> StatusList {
        StatusList(bits: claims.bits, bytes: try Zlib.decompress(claims.compressedList, limit: max(0, min(limit, Zlib.statusListLimit))))
    }
}

/// A Status List Token that a ``Verifier`` does not use, or uses only as a list without entries,
/// and why (FORMAT §3: an unusable token is ignored as if absent).
public struct StatusTokenWarning: Sendable, Hashable, CustomStringConvertible {
    /// Why.
    public enum Kind: Sendable, Hashable {
        /// Its signature does not verify with a certificate of its kid, or its signer fails the
        /// checks (chain, ds, validity, withdrawn, at its iat): ignored, its list never inflated.
        case untrusted
        /// Its signer is trusted but its list does not inflate (not zlib, trailing bytes, over
        /// the 32 MiB cap): ignored.
        case badList
        /// The verifier's budget for inflated lists (``Verifier/Options/statusDataBudget``) was
        /// spent before its turn: its list was not inflated, and for a code whose newest list it
        /// is, it answers as a list without that code's entry (so STATUS_UNKNOWN, never a status
        /// more favourable than the skipped list could give).
        case overBudget
    }
    /// Why.
    public let kind: Kind
    /// The token's position among those given to the verifier.
    public let index: Int
    /// The explanation (English, naming the token by its URI and iat once its signature verified).
    public let description: String
}
