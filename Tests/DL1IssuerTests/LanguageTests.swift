import DL1CommandSupport
import DL1Crypto
import DL1Format
import DL1Raster
import DL1Verifier
import DL1VerifyCommand
import DL1TestSupport
import DL1IssuerTestSupport
import Foundation
import Testing

/// The officer's language: every explanation in English and Simplified Chinese, `--lang`, the
/// locale default, and colour rules. Verdict words and JSON never change with the language.
@Suite("Languages and human output")
struct LanguageTests {
    /// One of each explanation the verifier can give.
    static let everyExplanation: [Explanation] = [
        .valid, .validUnknownStatus, .malformed(layer: .prefix, detail: "x"), .malformed(layer: .zlib, detail: "x"),
        .notText, .unknownSigner(kid: "0011"), .badSignature, .untrustedChain(issuer: "CN=X"), .notDocumentSigner,
        .certificateNotValid(role: .signer, signedAt: 0, notBefore: 1, notAfter: 2),
        .certificateNotValid(role: .root, signedAt: 0, notBefore: 1, notAfter: 2),
        .signerWithdrawn(date: 0, reason: .keyCompromise), .countryMismatch(signer: ["FR"], root: ["CN"], licence: "CN"),
        .authorityMismatch(signer: ["CN-11"], issuer: "CN-31"), .notYetValid(issuedAt: 0), .expiredCode(expiresAt: 0),
        .licenceExpired(CalendarDate(iso8601: "2026-01-01")!), .revoked, .suspended, .superseded,
        .statusUnknown(uri: "https://x"), .categoryNotHeld("C1"), .portraitMismatch,
    ]

    @Test("every explanation has an English and a distinct Chinese sentence, each ending in a full stop")
    func everySentence() {
        var chinese = Set<String>()
        for explanation in Self.everyExplanation {
            let en = explanation.text(in: .english), zh = explanation.text(in: .chinese)
            #expect(en.hasSuffix("."), "\(explanation)")
            #expect(zh.hasSuffix("。"), "\(explanation)")
            #expect(zh.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "no Chinese in \(zh)")
            #expect(en != zh)
            chinese.insert(zh)
        }
        #expect(chinese.count == Self.everyExplanation.count, "two explanations share a Chinese sentence")
    }

    @Test("the locale picks the language: LC_ALL, then LC_MESSAGES, then LANG; empty values are skipped")
    func localeDefault() {
        #expect(Language.fromLocale(environment: [:]) == .english)
        #expect(Language.fromLocale(environment: ["LANG": "zh_CN.UTF-8"]) == .chinese)
        #expect(Language.fromLocale(environment: ["LANG": "zh_CN.UTF-8", "LC_ALL": "C"]) == .english)
        #expect(Language.fromLocale(environment: ["LANG": "en_GB.UTF-8", "LC_MESSAGES": "zh_TW"]) == .chinese)
        #expect(Language.fromLocale(environment: ["LANG": "zh_CN.UTF-8", "LC_ALL": ""]) == .chinese)
    }

    @Test("--lang zh: verdict word unchanged, reason and every label in Chinese; JSON stays English")
    func chineseOutput() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let common = ["--trust", world.trust, "--status", world.status, world.png]
        let (rc, console) = verify(common + ["--lang", "zh"])
        #expect(rc == 0, "\(console.stderr)")
        let lines = console.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "VALID")
        #expect(lines[1] == Explanation.valid.text(in: .chinese))
        for label in ["来源：", "持证人：", "驾驶证：", "准驾车型：", "剩余分值：", "照片：", "二维码：", "签名者：", "状态："] {
            #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }, "missing \(label)")
        }
        #expect(!console.stdout.contains("Holder:"))
        // The balance, not 记分 alone (which would read as points accumulated against the licence).
        #expect(lines.contains { $0.contains("剩余分值：") && $0.contains("12 分（满分 12 分）") })
        #expect(lines.contains { $0.contains("状态：") && $0.contains("有效，列表") })

        let (_, json) = verify(common + ["--lang", "zh", "--json"])
        #expect(json.stdout.contains("\"reason\":\"\(Explanation.valid.text(in: .english))\""))
        #expect(!json.stdout.contains("持证人"))
    }

    @Test("without --lang the locale decides; --lang overrides it; an unknown language is a usage error")
    func localeAndOverride() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let common = ["--trust", world.trust, "--status", world.status, world.png]
        let (_, zh) = verify(common, environment: ["LANG": "zh_CN.UTF-8"])
        #expect(zh.stdout.contains(Explanation.valid.text(in: .chinese)))
        let (_, en) = verify(common + ["--lang", "en"], environment: ["LANG": "zh_CN.UTF-8"])
        #expect(en.stdout.contains(Explanation.valid.text(in: .english)))
        let (rc, bad) = verify(common + ["--lang", "fr"])
        #expect(rc == 2)
        #expect(bad.stderr.contains("--lang 'fr' is not supported: use en or zh"))
        let blank = world.folder.appendingPathComponent("blank.png")
        try Data(PNGCodec.encode(GreyImage(width: 64, height: 64, fill: 255))).write(to: blank)
        let (noCode, empty) = verify(["--trust", world.trust, "--lang", "zh", blank.path])
        #expect(noCode == 3)
        #expect(empty.stderr.contains("\(blank.path): 图像中未找到二维码"))
    }

    @Test("colour only on a terminal and only without NO_COLOR: green VALID, red otherwise")
    func colour() throws {
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let common = ["--trust", world.trust, "--status", world.status, world.png]
        #expect(verify(common, terminal: true).1.stdout.hasPrefix("\u{1b}[1;32mVALID\u{1b}[0m\n"))
        #expect(verify(common + ["--category", "D"], terminal: true).1.stdout.hasPrefix("\u{1b}[1;31mCATEGORY_NOT_HELD\u{1b}[0m\n"))
        #expect(verify(common, terminal: true, environment: ["NO_COLOR": "1"]).1.stdout.hasPrefix("VALID\n"))
        #expect(verify(common, terminal: false).1.stdout.hasPrefix("VALID\n"))
    }

    private func verify(_ arguments: [String], terminal: Bool = false, environment: [String: String] = [:]) -> (Int32, Console) {
        let console = Console.capturing(terminal: terminal, environment: environment)
        return (CommandRunner.run(DLVerify.self, arguments, console: console), console)
    }
}
