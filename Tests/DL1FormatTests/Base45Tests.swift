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

    @Test("the reasons keep their order: a character, then the length, then the first bad group")
    func reasonOrder() {
        #expect(throws: Base45.DecodingError.invalidCharacter(offset: 3)) { try Base45.decode("GGWb") }
        #expect(throws: Base45.DecodingError.invalidLength(4)) { try Base45.decode("GGWB") }
        #expect(throws: Base45.DecodingError.groupOutOfRange(offset: 0)) { try Base45.decode("GGWGGW") }
        #expect(throws: Base45.DecodingError.groupOutOfRange(offset: 3)) { try Base45.decode("000GGW::") }
        #expect(throws: Base45.DecodingError.groupOutOfRange(offset: 0)) { try Base45.decode("GGW::") }
    }

    /// The decoder as it was before it became one pass: every character first, then the
    /// length, then the groups in order.
    static func reference(_ text: String) -> Result<[UInt8], Base45.DecodingError> {
        let chars = Array(text.utf8)
        func value(_ c: UInt8) -> Int? { Base45.alphabet.firstIndex(of: c) }
        for (i, c) in chars.enumerated() where value(c) == nil { return .failure(.invalidCharacter(offset: i)) }
        guard chars.count % 3 != 1 else { return .failure(.invalidLength(chars.count)) }
        var out: [UInt8] = [], i = 0
        while i + 3 <= chars.count {
            let n = value(chars[i])! + value(chars[i + 1])! * 45 + value(chars[i + 2])! * 2025
            guard n <= 0xffff else { return .failure(.groupOutOfRange(offset: i)) }
            out += [UInt8(n >> 8), UInt8(n & 0xff)]
            i += 3
        }
        if chars.count - i == 2 {
            let n = value(chars[i])! + value(chars[i + 1])! * 45
            guard n <= 0xff else { return .failure(.groupOutOfRange(offset: i)) }
            out.append(UInt8(n))
        }
        return .success(out)
    }

    @Test("the one-pass decoder answers as the reference on 20,000 random texts (valid, bad characters, bad groups, every length)")
    func sameAsReference() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(String(decoding: Base45.alphabet, as: UTF8.self))
        for _ in 0..<20_000 {
            var text = String((0..<Int.random(in: 0...14, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            if Int.random(in: 0..<8, using: &generator) == 0, !text.isEmpty {
                var chars = Array(text)
                chars[Int.random(in: 0..<chars.count, using: &generator)] = ["a", "\n", "é", "~"].randomElement(using: &generator)!
                text = String(chars)
            }
            let got: Result<[UInt8], Base45.DecodingError> = Result { () throws(Base45.DecodingError) in try Base45.decode(text) }
            #expect(got == Self.reference(text), "\(text)")
            #expect((try? Base45.decode(Substring(text))) == (try? Base45.decode(text)))
        }
    }
}
