import DL1QREncode
import DL1Crypto
import DL1Format
import DL1Issuer
import DL1Raster
import DL1TestSupport
import DL1Verifier
import Foundation
import Testing

/// Through the real libraries: issuer → libqrencode → PNG (libpng) → zbar → verifier, and the
/// same code photographed and saved as JPEG (libjpeg).
@Suite("Round trips through libqrencode, libpng, libjpeg and zbar")
struct RoundTripTests {
    static let now = Fixture.now

    struct Setup {
        let folder: URL
        let issuer: Issuer
        let verifier: Verifier
        let licence: Licence
    }

    static func setUp() throws -> Setup {
        let folder = Fixture.temporaryFolder()
        let issuer = try Issuer.create(at: folder.appendingPathComponent("issuer"),
                                       settings: .init(country: "CN", authorityCode: "CN-31", authorityName: "上海市公安局交通警察总队",
                                                       statusURIBase: "https://dl.example/CN-31/status"),
                                       clock: { now })
        let issued = Licence(documentNumber: "310101199001011234", familyName: "张", givenName: "小明",
                             birthDate: CalendarDate(iso8601: "1990-01-01")!, issueDate: CalendarDate(iso8601: "2020-05-01")!,
                             expiryDate: CalendarDate(iso8601: "2032-05-01")!, issuingCountry: "CN",
                             issuingAuthority: "上海市公安局交通警察总队",
                             privileges: [DrivingPrivilege(category: "C1", issueDate: CalendarDate(iso8601: "2020-05-01")!),
                                          DrivingPrivilege(category: "A2", issueDate: CalendarDate(iso8601: "2022-03-01")!,
                                                           expiryDate: CalendarDate(iso8601: "2028-03-01")!)],
                             portraitHash: SHA256.hash(Array("portrait".utf8)),
                             points: Points(remaining: 12, maximum: 12, cycleEnd: CalendarDate(iso8601: "2027-04-30")!))
        let trust = try TrustStore.load(directory: issuer.directory.trustFolder)
        let tokens = try issuer.statusListTokens().map { try StatusListToken(bytes: $0.token) }
        let verifier = Verifier(trustStore: trust, statusTokens: tokens, options: .init(clock: { now }))
        return Setup(folder: folder, issuer: issuer, verifier: verifier, licence: issued)
    }

    @Test("issue → PNG → zbar → VALID, with the licence intact")
    func png() throws {
        let setup = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        let file = setup.folder.appendingPathComponent("code.png")
        let issued = try setup.issuer.issue(setup.licence, lifetime: .seconds(86_400),
                                            output: .init(format: .png, file: file, errorCorrection: .medium, scale: 4))
        let tokens = try setup.issuer.statusListTokens().map { try StatusListToken(bytes: $0.token) }
        let verifier = Verifier(trustStore: setup.verifier.trustStore, statusTokens: tokens, options: .init(clock: { Self.now }))
        let scan = try verifier.verify(imageBytes: [UInt8](Data(contentsOf: file)), request: .init(category: "C1"))
        #expect(scan.results.count == 1)
        let result = try #require(scan.results.first)
        #expect(result.verdict == .valid, "\(result.reason)")
        #expect(result.licence == setup.licence)
        #expect(result.claims?.credentialID == issued.credentialID)
        #expect(issued.qrVersion != nil)
    }

    @Test("a photographed code (rotated, blurred, noisy, dim, in a 1280×720 scene) saved as JPEG → VALID")
    func jpegPhoto() throws {
        let setup = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        let issued = try setup.issuer.issue(setup.licence, lifetime: .seconds(86_400), output: nil)
        let matrix = try QRCodeMatrix(encoding: issued.text, errorCorrection: .medium)
        let clean = QRRenderer(matrix: matrix).image(scale: 6)
        let photo = PhotoSimulator().photograph(clean)
        let jpeg = try JPEGCodec.encode(photo, quality: 70)
        let tokens = try setup.issuer.statusListTokens().map { try StatusListToken(bytes: $0.token) }
        let verifier = Verifier(trustStore: setup.verifier.trustStore, statusTokens: tokens, options: .init(clock: { Self.now }))
        let scan = try verifier.verify(imageBytes: jpeg)
        #expect(scan.width == 1280 && scan.height == 720)
        #expect(scan.results.map(\.verdict) == [.valid])
    }

    @Test("SVG output holds the same modules; text output holds the code's text")
    func otherOutputs() throws {
        let setup = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        let svg = setup.folder.appendingPathComponent("code.svg")
        _ = try setup.issuer.issue(setup.licence, lifetime: .seconds(3600), output: .init(format: .svg, file: svg))
        let svgText = try String(contentsOf: svg, encoding: .utf8)
        #expect(svgText.contains("<svg") && svgText.contains("<path"))
        let txt = setup.folder.appendingPathComponent("code.txt")
        var second = setup.licence
        second.documentNumber = "440101198505050011"
        let issued = try setup.issuer.issue(second, lifetime: .seconds(3600), output: .init(format: .text, file: txt))
        #expect(try String(contentsOf: txt, encoding: .utf8) == issued.text + "\n")
        #expect(setup.verifier.verify(text: issued.text).verdict != .malformed)
    }

    @Test("an image without a code gives no result; bytes that are not an image are an error")
    func noCode() throws {
        let setup = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        let blank = try PNGCodec.encode(GreyImage(width: 200, height: 200, fill: 200))
        #expect(try setup.verifier.verify(imageBytes: blank).foundNoCode)
        #expect(throws: ImageError.self) { try setup.verifier.verify(imageBytes: Array("not an image".utf8)) }
        #expect(throws: ImageError.self) { try setup.verifier.verify(imageBytes: PNGCodec.signature + [0, 0, 0]) }
        #expect(throws: ImageError.self) { try setup.verifier.verify(imageBytes: [0xff, 0xd8, 0xff, 0xe0, 0, 0]) }
    }

    @Test("a QR code that is not DL1 is MALFORMED (prefix)")
    func foreignCode() throws {
        let setup = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        let png = try QRRenderer(matrix: QRCodeMatrix(encoding: "HTTPS://EXAMPLE.COM/", errorCorrection: .medium)).png(scale: 4)
        let scan = try setup.verifier.verify(imageBytes: png)
        #expect(scan.results.map(\.verdict) == [.malformed])
        #expect(scan.results.first?.layer == .prefix)
    }

    @Test("the typical licence fits the expected QR version at ECC M")
    func qrVersion() throws {
        let setup = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        let issued = try setup.issuer.issue(setup.licence, lifetime: .seconds(86_400), output: .init(format: .png, file: setup.folder.appendingPathComponent("v.png")))
        let version = try #require(issued.qrVersion)
        #expect((10...20).contains(version), "QR version \(version) for \(issued.text.count) characters")
    }
}
