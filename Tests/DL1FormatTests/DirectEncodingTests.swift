import DL1Format
import Testing

/// Claims and licences are encoded straight to bytes; the tree (`cbor`) is the reference.
@Suite("CBOR written without a tree")
struct DirectEncodingTests {
    static func date(_ days: Int64) -> CalendarDate { CalendarDate(daysSinceEpoch: days) }

    static let licences: [Licence] = {
        let base = Licence(documentNumber: "310101199001011234", familyName: "王", givenName: "小明", birthDate: date(-4000),
                           issueDate: date(18_000), expiryDate: date(21_650), issuingCountry: "CN", issuingAuthority: "上海市公安局交通警察总队",
                           privileges: [DrivingPrivilege(category: "C1", issueDate: date(18_000)),
                                        DrivingPrivilege(category: "A2", issueDate: date(0), expiryDate: date(70_000), restrictions: "眼镜")],
                           portraitHash: Array(0..<32), points: Points(remaining: 12, maximum: 12, cycleEnd: date(20_000)))
        var noGivenName = base
        noGivenName.givenName = nil
        noGivenName.privileges = [DrivingPrivilege(category: "B2", issueDate: date(-1), restrictions: "")]
        var large = base
        large.documentNumber = String(repeating: "9", count: 64)
        large.familyName = String(repeating: "长", count: 100)
        large.points = Points(remaining: 0, maximum: UInt64.max, cycleEnd: date(-3_000_000))
        large.privileges = (0..<30).map { DrivingPrivilege(category: "C\($0)", issueDate: date(Int64($0) * 1_000), expiryDate: $0 % 2 == 0 ? date(3_000_000) : nil) }
        return [base, noGivenName, large]
    }()

    @Test("a licence's bytes are the tree's deterministic encoding")
    func licence() {
        for licence in Self.licences {
            #expect(licence.encoded == CBOREncoder.encode(licence.cbor))
        }
    }

    @Test("claims' bytes are the tree's deterministic encoding, plain and bound, at every integer width")
    func claims() throws {
        let keys = [HolderKey(x: Array(repeating: 0xAB, count: 32), yIsOdd: true), HolderKey(x: Array(1...32), yIsOdd: false)]
        for licence in Self.licences {
            for (iat, index) in [(Int64(0), UInt64(0)), (23, 24), (1_800_000_000, 65_535), (Int64.max - 1, UInt64.max)] {
                for holderKey in [nil] + keys {
                    let claims = DL1Claims(issuer: "CN-31", issuedAt: iat, expiresAt: iat &+ 1, credentialID: Array(repeating: 7, count: 16),
                                           status: StatusReference(index: index, uri: "https://dl.example/s/1"), licence: licence, holderKey: holderKey)
                    #expect(claims.encoded == CBOREncoder.encode(claims.cbor))
                }
            }
        }
    }

    @Test("a Sig_structure's bytes are the tree's encoding, at every length width of its byte strings")
    func toBeSigned() {
        for (protected, aad, payload) in [(0, 0, 0), (23, 0, 24), (24, 1, 255), (3, 23, 256), (255, 0, 65_535), (2, 256, 65_536)] {
            let p = [UInt8](repeating: 0xa1, count: protected), a = [UInt8](repeating: 2, count: aad), b = [UInt8](repeating: 7, count: payload)
            let tree = CBOREncoder.encode(.array([.text("Signature1"), .bytes(p), .bytes(a), .bytes(b)]))
            #expect(COSESign1.toBeSigned(protectedBytes: p, payload: b, externalAAD: a) == tree, "\(protected) \(aad) \(payload)")
        }
    }
}
