import DL1Format
import Testing

@Suite("Base45: RFC 9285")
struct Base45Tests {
    @Test("the RFC's examples encode and decode", arguments: [
        ("AB", "BB8"), ("Hello!!", "%69 VD92EX0"), ("base-45", "UJCLQE7W581"), ("ietf!", "QED8WEX0"),
    ])
    func examples(plain: String, encoded: String) throws {
        #expect(Base45.encode(Array(plain.utf8)) == encoded)
        #expect(try Base45.decode(encoded) == Array(plain.utf8))
    }

    @Test("every byte value round-trips")
    func allBytes() throws {
        let bytes = (0...255).map(UInt8.init) + [0xff, 0xff, 0x00]
        #expect(try Base45.decode(Base45.encode(bytes)) == bytes)
        #expect(try Base45.decode("") == [])
    }

    @Test("characters outside the alphabet are rejected: lower case, line ends, non-ASCII")
    func badCharacters() {
        #expect(throws: Base45.DecodingError.invalidCharacter(offset: 1)) { try Base45.decode("Bb8") }
        #expect(throws: Base45.DecodingError.invalidCharacter(offset: 3)) { try Base45.decode("BB8\n") }
        #expect(throws: Base45.DecodingError.invalidCharacter(offset: 0)) { try Base45.decode("é00") }
    }

    @Test("a length of 3n+1 and out-of-range groups are rejected")
    func badStructure() throws {
        #expect(throws: Base45.DecodingError.invalidLength(4)) { try Base45.decode("BB8B") }
        #expect(throws: Base45.DecodingError.groupOutOfRange(offset: 0)) { try Base45.decode("GGW") }
        #expect(throws: Base45.DecodingError.groupOutOfRange(offset: 3)) { try Base45.decode("BB8:5") }
        #expect(try Base45.decode("FGW") == [0xff, 0xff])
        #expect(try Base45.decode("U5") == [0xff])
    }
}
