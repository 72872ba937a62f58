import DL1Crypto
import DL1Format
import Foundation
import Testing

/// The cose-wg examples through the generic COSE_Sign1 layer. They break DL1's closed header
/// rules on purpose (a kid in the unprotected header, other algorithms), so the DL1 layer must
/// reject every one of them while the generic layer reads them.
@Suite("COSE_Sign1: cose-wg examples")
struct COSEVectorTests {
    struct Example {
        let file: String
        let fail: Bool
        let alg: String
        let cbor: [UInt8]
        let toBeSigned: [UInt8]
        let external: [UInt8]
        let x: [UInt8], y: [UInt8]
    }

    static func load(_ file: String) throws -> Example {
        let json = try #require(VectorFiles.json("cose/\(file)") as? [String: Any])
        let input = try #require(json["input"] as? [String: Any])
        let signer = try #require((input["sign0"] ?? input["sign"]) as? [String: Any])
        let key = try #require(signer["key"] as? [String: String])
        let output = try #require(json["output"] as? [String: String])
        let intermediates = try #require(json["intermediates"] as? [String: String])
        return Example(file: file, fail: json["fail"] as? Bool ?? false, alg: signer["alg"] as? String ?? "",
                       cbor: try #require(Hex.decode(output["cbor"]!)),
                       toBeSigned: try #require(Hex.decode(intermediates["ToBeSign_hex"]!)),
                       external: Hex.decode(signer["external"] as? String ?? "") ?? [],
                       x: base64url(key["x"] ?? ""), y: base64url(key["y"] ?? ""))
    }

    static func base64url(_ s: String) -> [UInt8] {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while t.count % 4 != 0 { t += "=" }
        return [UInt8](Data(base64Encoded: t) ?? Data())
    }

    /// A P-256 key from its affine coordinates, through a DER SubjectPublicKeyInfo.
    static func key(x: [UInt8], y: [UInt8]) throws -> P256PublicKey {
        let prefix = Hex.decode("3059301306072a8648ce3d020106082a8648ce3d030107034200")!
        return try P256PublicKey(spkiDER: prefix + [0x04] + x + y)
    }

    static let es256Files = [
        "ecdsa-examples_ecdsa-sig-01.json", "sign1-tests_sign-pass-01.json", "sign1-tests_sign-pass-02.json",
        "sign1-tests_sign-pass-03.json", "sign1-tests_sign-fail-02.json", "sign1-tests_sign-fail-03.json",
        "sign1-tests_sign-fail-04.json", "sign1-tests_sign-fail-06.json", "sign1-tests_sign-fail-07.json",
    ]

    @Test("ES256 examples: structure, Sig_structure bytes and signature as expected", arguments: es256Files)
    func es256(file: String) throws {
        let example = try Self.load(file)
        let sign1 = try COSESign1(decoding: example.cbor)
        let toBeSigned = sign1.toBeSigned(externalAAD: example.external)
        if !example.fail { #expect(toBeSigned == example.toBeSigned) }
        let key = try Self.key(x: example.x, y: example.y)
        #expect(key.isValidSignature(sign1.signature, for: toBeSigned) == !example.fail)
        #expect(throws: HeaderError.self) { try DL1Header.validate(sign1) }
    }

    @Test("untagged COSE_Sign1 is accepted (sign-pass-03)")
    func untagged() throws {
        let sign1 = try COSESign1(decoding: try Self.load("sign1-tests_sign-pass-03.json").cbor)
        #expect(!sign1.wasTagged)
    }

    @Test("a wrong CBOR tag is rejected (sign-fail-01)")
    func wrongTag() throws {
        #expect(throws: COSEError.wrongTag(998)) { try COSESign1(decoding: try Self.load("sign1-tests_sign-fail-01.json").cbor) }
    }

    @Test("ES384 and ES512 examples parse but break DL1's ES256-only rule",
          arguments: ["ecdsa-examples_ecdsa-sig-02.json", "ecdsa-examples_ecdsa-sig-03.json", "ecdsa-examples_ecdsa-sig-04.json"])
    func otherAlgorithms(file: String) throws {
        let sign1 = try COSESign1(decoding: try Self.load(file).cbor)
        #expect(throws: HeaderError.self) { try DL1Header.validate(sign1) }
    }

    @Test("a header error quotes the code's own items escaped and at most 64 characters long")
    func headerErrorQuotes() {
        let kid = CBORMapEntry(.int(DL1Header.kidLabel), .bytes([UInt8](repeating: 1, count: 8)))
        let alg = CBORMapEntry(.int(DL1Header.algLabel), .int(DL1Header.es256))
        let escape = COSESign1(protectedHeader: [alg, kid, .init(.text("a\u{1B}[2Jb"), 1)], payload: [], signature: [])
        #expect(throws: HeaderError("label \"a\\u{1B}[2Jb\" is not allowed in the protected header")) { try DL1Header.validate(escape) }
        let long = COSESign1(protectedHeader: [alg, kid, .init(.text(String(repeating: "x", count: 60_000)), 1)], payload: [], signature: [])
        #expect(throws: HeaderError("label \"" + String(repeating: "x", count: 62) + "… is not allowed in the protected header")) {
            try DL1Header.validate(long)
        }
        let badAlg = COSESign1(protectedHeader: [.init(.int(DL1Header.algLabel), .text("\u{7}")), kid], payload: [], signature: [])
        #expect(throws: HeaderError("alg \"\\u{7}\" is not ES256 (-7)")) { try DL1Header.validate(badAlg) }
    }

    @Test("re-encoding a decoded COSE_Sign1 keeps the protected bytes as received")
    func protectedBytesKept() throws {
        let sign1 = try COSESign1(decoding: try Self.load("sign1-tests_sign-pass-01.json").cbor)
        #expect(sign1.protectedBytes == [0xa0])
        #expect(sign1.protectedHeader.isEmpty)
    }
}
