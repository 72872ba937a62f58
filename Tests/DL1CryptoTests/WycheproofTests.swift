import DL1Crypto
import Foundation
import Testing

/// Every case of Wycheproof's ECDSA P-256/SHA-256 P1363 (raw r‖s) file with its expected result.
@Suite("ECDSA P-256: Wycheproof P1363 vectors")
struct WycheproofTests {
    struct File: Decodable {
        let numberOfTests: Int
        let testGroups: [Group]
    }

    struct Group: Decodable {
        let publicKeyDer: String
        let tests: [Case]
    }

    struct Case: Decodable {
        let tcId: Int
        let comment: String
        let msg: String
        let sig: String
        let result: String
    }

    static func load() throws -> File {
        let url = try #require(Bundle.module.url(forResource: "Vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json", withExtension: nil))
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = hex.makeIterator()
        while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
        return out
    }

    @Test("every case gives its expected result")
    func allCases() throws {
        let file = try Self.load()
        var checked = 0
        for group in file.testGroups {
            let key = try P256PublicKey(spkiDER: Self.bytes(group.publicKeyDer))
            for test in group.tests {
                let valid = key.isValidSignature(Self.bytes(test.sig), for: Self.bytes(test.msg))
                #expect(valid == (test.result == "valid"), "tcId \(test.tcId): \(test.comment)")
                checked += 1
            }
        }
        #expect(checked == file.numberOfTests)
    }
}
