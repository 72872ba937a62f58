/// The closed header rules of FORMAT §1.5, applied on top of a well-formed ``COSESign1``.
public enum DL1Header {
    /// COSE algorithm ES256 (ECDSA P-256 with SHA-256).
    public static let es256: Int64 = -7
    /// Header labels: alg, kid, typ.
    public static let algLabel: Int64 = 1, kidLabel: Int64 = 4, typLabel: Int64 = 16
    /// The typ of a Status List Token.
    public static let statusListType = "application/statuslist+cwt"
    /// The typ of a holder-bound credential (FORMAT §7.1).
    public static let boundCredentialType = "dl1-bound"
    /// Length of a kid: the first 8 bytes of SHA-256 over the DS certificate's DER.
    public static let kidLength = 8

    /// The protected header of a code (`typ` nil) or a status token (`typ` set).
    public static func protectedHeader(kid: [UInt8], typ: String? = nil) -> [CBORMapEntry] {
        var entries: [CBORMapEntry] = [.init(.int(algLabel), .int(es256)), .init(.int(kidLabel), .bytes(kid))]
        if let typ { entries.append(.init(.int(typLabel), .text(typ))) }
        return entries
    }

    /// Checks the rules and returns the kid. `expectedType` nil means a code (no typ allowed).
    public static func validate(_ sign1: COSESign1, expectedType: String? = nil) throws(HeaderError) -> [UInt8] {
        if let label = sign1.unprotectedHeader.first?.key {
            if label == .int(algLabel) { throw HeaderError("alg is in the unprotected header") }
            throw HeaderError("the unprotected header must be empty but holds label \(shown(label))")
        }
        guard let alg = sign1.protectedValue(algLabel) else { throw HeaderError("alg (label 1) is missing") }
        guard alg == .int(es256) else { throw HeaderError("alg \(shown(alg)) is not ES256 (-7)") }
        guard let kidItem = sign1.protectedValue(kidLabel) else { throw HeaderError("kid (label 4) is missing from the protected header") }
        guard let kid = kidItem.byteString, kid.count == kidLength else {
            throw HeaderError("kid must be a byte string of exactly \(kidLength) bytes")
        }
        var allowed: Set<CBOR> = [.int(algLabel), .int(kidLabel)]
        if let expectedType {
            guard let typ = sign1.protectedValue(typLabel) else { throw HeaderError("typ (label 16) is missing") }
            guard typ == .text(expectedType) else { throw HeaderError("typ \(shown(typ)) is not \"\(expectedType)\"") }
            allowed.insert(.int(typLabel))
        }
        if let extra = sign1.protectedHeader.first(where: { !allowed.contains($0.key) }) {
            throw HeaderError("label \(shown(extra.key)) is not allowed in the protected header")
        }
        return kid
    }
}

extension DL1Header {
    /// An item of a code's header as an error quotes it: the code's own bytes, so control
    /// characters escaped and at most 64 characters (a label may be 60 KB long).
    static func shown(_ item: CBOR) -> String {
        let text = TextSafety.sanitized(item.description)
        return text.count <= 64 ? text : text.prefix(63) + "…"
    }

    /// The rules for a code's header, plain or bound: returns the kid and whether the typ says
    /// `dl1-bound`. Any other typ is a breach.
    public static func validateCode(_ sign1: COSESign1) throws(HeaderError) -> (kid: [UInt8], bound: Bool) {
        if sign1.protectedValue(typLabel) != nil {
            return (try validate(sign1, expectedType: boundCredentialType), true)
        }
        return (try validate(sign1), false)
    }
}

/// A breach of the header rules: MALFORMED, layer `header`.
public struct HeaderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, in words.
    public let description: String

    /// An error with its explanation.
    public init(_ description: String) { self.description = description }
}
