import DL1Compression
import DL1Format
import DL1Verifier
import Foundation
import Testing
import DL1TestSupport

/// The published vectors in testvectors/: each gives exactly its expected verdict.
@Suite("testvectors/: published vectors")
struct TestVectorTests {
    @Test("the vector file is there and covers every verdict")
    func coverage() throws {
        let document = try #require(TestVectors.document)
        let verdicts = Set(document.vectors.map(\.expected.verdict))
        #expect(verdicts == Set(Verdict.allCases.map(\.rawValue)))
        let conditions = Set(document.vectors.compactMap(\.expected.condition))
        #expect(conditions == Set(TrustCondition.allCases.map(\.rawValue)))
        let layers = Set(document.vectors.compactMap(\.expected.layer))
        #expect(layers == Set(DecodeLayer.allCases.map(\.rawValue)))
    }

    @Test("each vector gives its expected verdict, check, layer and condition", arguments: TestVectors.document?.vectors ?? [])
    func vector(_ vector: TestVectors.Vector) throws {
        let result = try TestVectors.verifier(for: vector).verify(text: vector.code, request: TestVectors.request(for: vector))
        #expect(result.verdict.rawValue == vector.expected.verdict, "\(result.reason)")
        #expect(result.check?.rawValue == vector.expected.check)
        #expect(result.layer?.rawValue == vector.expected.layer)
        #expect(result.condition?.rawValue == vector.expected.condition)
    }

    @Test("a code's compression is within a byte of zlib's level 9 on every published code, and never larger in total")
    func compressionSize() throws {
        let document = try #require(TestVectors.document)
        var ours = 0, zlib = 0
        for vector in document.vectors where vector.code.hasPrefix("DL1:") || vector.code.hasPrefix("DL2:") {
            guard let packed = try? Base45.decode(String(vector.code.dropFirst(4))),
                  let bytes = try? Zlib.decompress(packed, limit: Zlib.codeLimit) else { continue }
            let size = Zlib.compressCode(bytes).count, reference = Zlib.compress(bytes).count
            #expect(size <= reference + 1, "\(vector.name): \(size) bytes against zlib's \(reference)")
            ours += size
            zlib += reference
        }
        #expect(zlib > 10_000)
        #expect(ours <= zlib)
    }

    @Test("each image gives its expected verdict", arguments: TestVectors.document?.images.map(\.file) ?? [])
    func image(_ file: String) throws {
        let document = try #require(TestVectors.document)
        let image = try #require(document.images.first { $0.file == file })
        let vector = try #require(document.vectors.first { $0.name == image.code })
        let bytes = [UInt8](try Data(contentsOf: TestVectors.folder.appendingPathComponent(file)))
        let scan = try TestVectors.verifier(for: vector).verify(imageBytes: bytes, request: TestVectors.request(for: vector))
        #expect(scan.results.map(\.verdict.rawValue) == [image.expected.verdict])
    }
}


extension TestVectors.Vector: CustomTestStringConvertible {
    public var testDescription: String { name }
}
