/// A COSE_Sign1 structure (RFC 9052 §4.2): one signer, one signature.
///
/// The protected header and the payload are kept as the exact byte strings received, because
/// the signature covers those bytes, not any re-encoding of them.
public struct COSESign1: Sendable, Hashable {
    /// The CBOR tag of COSE_Sign1.
    public static let tag: UInt64 = 18

    /// The protected header's serialized map, exactly as received (empty means an empty map).
    public let protectedBytes: [UInt8]
    /// The protected header, decoded.
    public let protectedHeader: [CBORMapEntry]
    /// The unprotected header.
    public let unprotectedHeader: [CBORMapEntry]
    /// The payload bytes, or nil for a detached payload.
    public let payload: [UInt8]?
    /// The signature bytes (for ECDSA: raw `r || s`).
    public let signature: [UInt8]
    /// Whether the item carried the COSE_Sign1 tag (18).
    public let wasTagged: Bool

    /// A structure from its parts; the protected header is serialized deterministically.
    public init(protectedHeader: [CBORMapEntry], unprotectedHeader: [CBORMapEntry] = [],
                payload: [UInt8]?, signature: [UInt8]) {
        self.protectedHeader = protectedHeader
        self.protectedBytes = protectedHeader.isEmpty ? [] : CBOREncoder.encode(.map(protectedHeader))
        self.unprotectedHeader = unprotectedHeader
        self.payload = payload
        self.signature = signature
        self.wasTagged = true
    }

    /// Decodes a COSE_Sign1, tagged 18 or untagged; any other tag is rejected.
    public init(decoding bytes: [UInt8], decoder: CBORDecoder = CBORDecoder()) throws(COSEError) {
        let item: CBOR
        do { item = try decoder.decode(bytes) } catch { throw .notCBOR(error) }
        var body = item
        var tagged = false
        if case .tagged(let tag, let inner) = item {
            guard tag == Self.tag else { throw .wrongTag(tag) }
            body = inner
            tagged = true
        }
        guard case .array(let parts) = body, parts.count == 4 else {
            throw .wrongShape("a COSE_Sign1 is an array of four items")
        }
        guard case .bytes(let protectedBytes) = parts[0] else {
            throw .wrongShape("the protected header must be a byte string")
        }
        var protectedHeader: [CBORMapEntry] = []
        if !protectedBytes.isEmpty {
            let decoded: CBOR
            do { decoded = try decoder.decode(protectedBytes) } catch { throw .protectedHeader(error) }
            guard case .map(let entries) = decoded else {
                throw .wrongShape("the protected header must encode a map")
            }
            protectedHeader = entries
        }
        guard case .map(let unprotected) = parts[1] else {
            throw .wrongShape("the unprotected header must be a map")
        }
        let payload: [UInt8]?
        switch parts[2] {
        case .bytes(let b): payload = b
        case .null: payload = nil
        default: throw .wrongShape("the payload must be a byte string or null")
        }
        guard case .bytes(let signature) = parts[3] else {
            throw .wrongShape("the signature must be a byte string")
        }
        self.protectedBytes = protectedBytes
        self.protectedHeader = protectedHeader
        self.unprotectedHeader = unprotected
        self.payload = payload
        self.signature = signature
        self.wasTagged = tagged
    }

    /// The bytes a signer signs: `["Signature1", protected, external_aad, payload]`.
    public static func toBeSigned(protectedBytes: [UInt8], payload: [UInt8],
                                  externalAAD: [UInt8] = []) -> [UInt8] {
        // Written straight to bytes (every verification makes one): the same encoding as the
        // tree `["Signature1", protected, external_aad, payload]` through CBOREncoder.
        var writer = CBORWriter(capacity: 32 + protectedBytes.count + externalAAD.count + payload.count)
        writer.arrayHeader(4)
        writer.text("Signature1")
        writer.byteString(protectedBytes)
        writer.byteString(externalAAD)
        writer.byteString(payload)
        return writer.bytes
    }

    /// The bytes this structure's signature covers (the payload must be attached).
    ///
    /// The protected bytes are used exactly as received, with one exception RFC 9052 §3 allows
    /// and the cose-wg examples test ("sign-pass-01"): a protected header that encodes an empty
    /// map counts as the zero-length byte string. A DL1 protected header is never empty.
    public func toBeSigned(externalAAD: [UInt8] = []) -> [UInt8] {
        Self.toBeSigned(protectedBytes: protectedHeader.isEmpty ? [] : protectedBytes, payload: payload ?? [], externalAAD: externalAAD)
    }

    /// The structure serialized, tagged 18.
    public func encoded() -> [UInt8] {
        let body: CBOR = .array([.bytes(protectedBytes), .map(unprotectedHeader),
                                 payload.map { .bytes($0) } ?? .null, .bytes(signature)])
        return CBOREncoder.encode(.tagged(Self.tag, body))
    }

    /// A protected-header value by integer label.
    public func protectedValue(_ label: Int64) -> CBOR? {
        protectedHeader.first(where: { $0.key == .int(label) })?.value
    }
}

/// Why bytes are not a well-formed COSE_Sign1.
public enum COSEError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes are not one well-formed CBOR item.
    case notCBOR(CBORError)
    /// The item carries a tag other than 18.
    case wrongTag(UInt64)
    /// The item is not a COSE_Sign1 of the right shape.
    case wrongShape(String)
    /// The protected header's bytes are not well-formed CBOR.
    case protectedHeader(CBORError)

    public var description: String {
        switch self {
        case .notCBOR(let e): return "COSE: not a well-formed CBOR item: \(e)"
        case .wrongTag(let t): return "COSE: tag \(t) is not COSE_Sign1 (18)"
        case .wrongShape(let s): return "COSE: \(s)"
        case .protectedHeader(let e): return "COSE: the protected header is not well-formed: \(e)"
        }
    }
}
