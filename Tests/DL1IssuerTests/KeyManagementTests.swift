import DL1CommandSupport
import DL1Crypto
import DL1Format
import DL1IssueCommand
import DL1Issuer
import DL1PKCS11
import DL1TestSupport
import DL1Verifier
import Foundation
import Testing

/// Issuer keys and trust: rotation, withdrawal, several authorities and roots, encrypted keys,
/// group-readable keys, and keys that never leave a SoftHSM2 token.
@Suite("Keys and trust", .serialized)
struct KeyManagementTests {
    func run(_ arguments: [String], env: [String: String] = [:]) -> (Int32, Console) {
        for (k, v) in env { setenv(k, v, 1) }
        defer { for k in env.keys { unsetenv(k) } }
        let console = Console.capturing()
        return (CommandRunner.run(DLIssue.self, arguments, console: console), console)
    }

    func issue(_ issuer: String, _ number: String, _ out: String, extra: [String] = []) -> (Int32, Console) {
        run(["issue", "--issuer", issuer, "--document-number", number, "--family-name", "王", "--birth-date", "1985-05-05",
             "--expiry-date", "2031-01-01", "--category", "C1:2020-01-01", "--output", out] + extra + portraitArguments)
    }

    var portraitArguments: [String] { ["--portrait", Fixture.processFolder.appendingPathComponent("dl1-portrait.txt").path] }

    init() {
        try? Data("portrait".utf8).write(to: Fixture.processFolder.appendingPathComponent("dl1-portrait.txt"))
    }

    func verdict(_ trust: String, _ codeFile: String, extraTrust: [String] = []) throws -> VerificationResult {
        let text = try String(contentsOfFile: codeFile, encoding: .utf8).trimmingCharacters(in: .newlines)
        var certificates: [Certificate] = [], crls: [CertificateRevocationList] = []
        for folder in [trust] + extraTrust {
            let store = try TrustStore.load(directory: URL(fileURLWithPath: folder))
            certificates += store.pinned
            crls += store.revocationLists
        }
        return Verifier(trustStore: TrustStore(certificates: certificates, revocationLists: crls),
                        options: .init(allowUnknownStatus: true)).verify(text: text)
    }

    func makeIssuer(_ folder: URL, code: String = "CN-31", extra: [String] = [], env: [String: String] = [:]) -> String {
        let path = folder.appendingPathComponent("issuer-\(code)").path
        let (rc, console) = run(["init", path, "--country", "CN", "--authority-code", code, "--authority-name", "Authority \(code)"] + extra, env: env)
        #expect(rc == 0, "\(console.stderr)")
        return path
    }

    @Test("rotation: old codes stay VALID, new codes carry the new kid; withdrawal: UNTRUSTED_SIGNER with the CRL, VALID without it, reissued codes VALID")
    func rotateAndWithdraw() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = makeIssuer(folder)
        let old = folder.appendingPathComponent("old.txt").path, new = folder.appendingPathComponent("new.txt").path
        #expect(issue(issuer, "A1", old).0 == 0)
        let trustBefore = folder.appendingPathComponent("trust-before")
        try FileManager.default.copyItem(atPath: issuer + "/trust", toPath: trustBefore.path)
        let oldKid = try #require(try verdict(issuer + "/trust", old).signer?.kid)
        #expect(run(["keys", "rotate", "--issuer", issuer]).0 == 0)
        #expect(issue(issuer, "A2", new).0 == 0)
        let newResult = try verdict(issuer + "/trust", new)
        #expect(newResult.verdict == .valid && newResult.signer?.kid != oldKid)
        #expect(try verdict(issuer + "/trust", old).verdict == .valid, "a retired signer's codes stay valid")
        let (withdrawn, console) = run(["keys", "withdraw", oldKid, "--issuer", issuer, "--reason", "keyCompromise"])
        #expect(withdrawn == 0, "\(console.stderr)")
        let result = try verdict(issuer + "/trust", old)
        #expect(result.verdict == .untrustedSigner && result.condition == .withdrawn && result.reason.contains("keyCompromise"))
        #expect(try verdict(trustBefore.path, old).verdict == .valid, "a verifier without the CRL does not know yet")
        #expect(try verdict(issuer + "/trust", new).verdict == .valid)
        let reissued = folder.appendingPathComponent("re")
        #expect(run(["keys", "reissue", oldKid, "--issuer", issuer, "--output-dir", reissued.path, "--format", "txt"]).0 == 0)
        #expect(try verdict(issuer + "/trust", reissued.appendingPathComponent("A1.txt").path).verdict == .valid)
        #expect(run(["keys", "withdraw", oldKid, "--issuer", issuer, "--reason", "certificateHold"]).0 == 2)
        let (_, list) = run(["keys", "list", "--issuer", issuer])
        #expect(list.stdout.contains("withdrawn") && list.stdout.contains("active"))
    }

    @Test("a retired signer stays trusted while any code it ever signed is unexpired, even after a refresh re-signed its credential")
    func retiredSignerKept() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = makeIssuer(folder)
        let first = folder.appendingPathComponent("first.txt").path, fresh = folder.appendingPathComponent("fresh.txt").path
        #expect(issue(issuer, "R1", first).0 == 0)
        #expect(run(["keys", "rotate", "--issuer", issuer]).0 == 0)
        #expect(run(["refresh", "R1", "--issuer", issuer, "--output", fresh]).0 == 0)
        #expect(run(["keys", "rotate", "--issuer", issuer]).0 == 0)
        #expect(try verdict(issuer + "/trust", first).verdict == .valid)
        #expect(try verdict(issuer + "/trust", fresh).verdict == .valid)
        let bundle = folder.appendingPathComponent("b.dlb").path
        #expect(run(["keys", "withdraw", try #require(try verdict(issuer + "/trust", first).signer?.kid), "--issuer", issuer, "--reason", "superseded"]).0 == 0)
        let (_, exported) = run(["export-bundle", "--issuer", issuer, "--output", bundle])
        #expect(exported.stdout.contains("1 CRL(s)"))
    }

    @Test("several authorities under one root, and two roots side by side; every cross-authority mismatch is UNTRUSTED_SIGNER")
    func authoritiesAndRoots() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let shanghai = makeIssuer(folder, code: "CN-31"), beijing = makeIssuer(folder, code: "CN-11")
        #expect(run(["authority", "add", "--issuer", shanghai, "--authority-code", "CN-32", "--authority-name", "Jiangsu"]).0 == 0)
        let a = folder.appendingPathComponent("a.txt").path, b = folder.appendingPathComponent("b.txt").path, c = folder.appendingPathComponent("c.txt").path
        #expect(issue(shanghai, "S1", a).0 == 2, "two authorities: --authority is required")
        #expect(issue(shanghai, "S1", a, extra: ["--authority", "CN-32"]).0 == 0)
        #expect(issue(beijing, "B1", b).0 == 0)
        #expect(issue(shanghai, "S2", c, extra: ["--authority", "CN-31"]).0 == 0)
        // A verifier trusting both roots accepts both issuers' codes.
        #expect(try verdict(shanghai + "/trust", a, extraTrust: [beijing + "/trust"]).verdict == .valid)
        #expect(try verdict(shanghai + "/trust", b, extraTrust: [beijing + "/trust"]).verdict == .valid)
        #expect(try verdict(shanghai + "/trust", c, extraTrust: [beijing + "/trust"]).licence?.issuingAuthority == "Authority CN-31")
        // Trusting only one root: the other's codes do not chain.
        let foreign = try verdict(shanghai + "/trust", b)
        #expect(foreign.verdict == .unknownSigner, "Beijing's signer is not in Shanghai's trust folder")
    }

    @Test("encrypted keys: the right passphrase signs, a wrong or missing one is a clear error; a group-readable key is refused")
    func protectedKeys() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let secret = folder.appendingPathComponent("passphrase").path
        try Data("correct horse battery\n".utf8).write(to: URL(fileURLWithPath: secret))
        let issuer = makeIssuer(folder, extra: ["--encrypt-keys", "--passphrase-file", secret])
        for name in try FileManager.default.contentsOfDirectory(atPath: issuer + "/private") {
            #expect(try String(contentsOfFile: issuer + "/private/" + name, encoding: .utf8).contains("ENCRYPTED PRIVATE KEY"))
        }
        let out = folder.appendingPathComponent("code.txt").path
        #expect(issue(issuer, "E1", out, extra: ["--passphrase-file", secret]).0 == 0)
        #expect(try verdict(issuer + "/trust", out).verdict == .valid)
        var (rc, console) = issue(issuer, "E2", out)
        #expect(rc == 2 && console.stderr.contains("passphrase"))
        (rc, console) = run(["issue", "--issuer", issuer, "--passphrase-env", "DL1_TEST_PASS", "--document-number", "E3", "--family-name", "王",
                             "--birth-date", "1985-05-05", "--expiry-date", "2031-01-01", "--category", "C1:2020-01-01", "--output", out] + portraitArguments,
                            env: ["DL1_TEST_PASS": "wrong"])
        #expect(rc == 2 && console.stderr.contains("wrong passphrase"))
        (rc, _) = run(["issue", "--issuer", issuer, "--passphrase-env", "DL1_TEST_PASS", "--document-number", "E3", "--family-name", "王",
                       "--birth-date", "1985-05-05", "--expiry-date", "2031-01-01", "--category", "C1:2020-01-01", "--output", out] + portraitArguments,
                      env: ["DL1_TEST_PASS": "correct horse battery"])
        #expect(rc == 0)
        // A key readable by group or others is refused.
        let plain = makeIssuer(folder, code: "CN-99")
        for name in try FileManager.default.contentsOfDirectory(atPath: plain + "/private") {
            try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: plain + "/private/" + name)
        }
        (rc, console) = issue(plain, "G1", out)
        #expect(rc == 2 && console.stderr.contains("readable by group or others"))
    }

    @Test("keys in a SoftHSM2 token: init, issue, rotate inside the token; codes verify; nothing exportable, no key files")
    func hsm() throws {
        let module = try #require(SoftHSMFixture.module, "SoftHSM2 is not installed (apt-get install softhsm2)")
        let token = try #require(SoftHSMFixture.token("dl1-e2e"))
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pinFile = folder.appendingPathComponent("pin").path
        try Data(SoftHSMFixture.pin.utf8).write(to: URL(fileURLWithPath: pinFile))
        let issuer = makeIssuer(folder, extra: ["--pkcs11-module", module, "--token-label", token, "--pin-file", pinFile])
        #expect(try FileManager.default.contentsOfDirectory(atPath: issuer + "/private").isEmpty)
        let out = folder.appendingPathComponent("code.txt").path
        #expect(issue(issuer, "H1", out, extra: ["--pin-file", pinFile]).0 == 0)
        let first = try verdict(issuer + "/trust", out)
        #expect(first.verdict == .valid)
        #expect(run(["keys", "rotate", "--issuer", issuer, "--pin-file", pinFile]).0 == 0)
        #expect(issue(issuer, "H2", out, extra: ["--pin-file", pinFile]).0 == 0)
        let second = try verdict(issuer + "/trust", out)
        #expect(second.verdict == .valid && second.signer?.kid != first.signer?.kid)
        let settings = try Issuer.open(at: URL(fileURLWithPath: issuer)).settings
        let session = try PKCS11Token(modulePath: module, tokenLabel: token, pin: SoftHSMFixture.pin)
        for label in (settings.signers ?? []).compactMap(\.keyLabel) + [settings.keyStorage?.rootKeyLabel].compactMap({ $0 }) {
            #expect(try session.privateValueIsReadable(label: label) == false, "\(label) must not be exportable")
        }
        #expect(issue(issuer, "H3", out).0 == 2, "no PIN: a clear error")
    }
}

