import DL1CommandSupport
import DL1Compression
import DL1Crypto
import DL1Format
import DL1Holder
import DL1IssueCommand
import DL1TestSupport
import DL1Verifier
import DL1VerifyCommand
import DL1WalletCommand
import DL1IssuerTestSupport
import Foundation
import Testing

/// Holder binding end to end (FORMAT §7): dl-issue binds a credential to a dl-wallet device
/// key, dl-wallet presents it, dl-verify checks the holder's signature and the time window.
@Suite("Holder binding: dl-issue --holder-key, dl-wallet, DL2 in dl-verify")
struct HolderBindingTests {
    static func issue(_ arguments: [String]) -> (Int32, Console) {
        let console = Console.capturing()
        return (CommandRunner.run(DLIssue.self, arguments, console: console), console)
    }
    static func wallet(_ arguments: [String], terminal: Bool = false) -> (Int32, Console) {
        let console = Console.capturing(terminal: terminal)
        return (CommandRunner.run(DLWallet.self, arguments, console: console), console)
    }
    static func verify(_ arguments: [String]) -> (Int32, Console) {
        let console = Console.capturing()
        return (CommandRunner.run(DLVerify.self, arguments, console: console), console)
    }
    static func firstLine(_ console: Console) -> String { String(console.stdout.prefix { $0 != "\n" }) }
    static func text(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// An issuer (with one plain licence) and a wallet whose key a second licence is bound to.
    struct Setup {
        let world: CLIWorld
        let wallet: String, devicePEM: String, credential: String, number: String
        var folder: URL { world.folder }
        var statusArguments: [String] { ["--trust", world.trust, "--status", world.status] }
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
    }

    static func setup() throws -> Setup {
        let world = try CLIWorld.make()
        let wallet = world.folder.appendingPathComponent("wallet").path
        #expect(Self.wallet(["init", wallet]).0 == 0)
        let pem = world.folder.appendingPathComponent("device.pem").path
        #expect(Self.wallet(["public-key", wallet, "--output", pem]).0 == 0)
        let credential = world.folder.appendingPathComponent("bound.txt").path
        let (rc, console) = world.issue(["--holder-key", pem, "--valid-for", "30d"], output: credential, number: "B0001")
        #expect(rc == 0, "\(console.stderr)")
        #expect(issue(["status-list", "--issuer", world.issuer, "--output-dir", world.folder.appendingPathComponent("status").path]).0 == 0)
        return Setup(world: world, wallet: wallet, devicePEM: pem, credential: credential, number: "B0001")
    }

    @Test("a presentation by the wallet verifies VALID as text and as a PNG through zbar; 91 s later it is STALE; the credential alone is UNBOUND; another device is HOLDER_MISMATCH")
    func roundTrip() throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.folder) }
        let (added, addConsole) = Self.wallet(["add", s.wallet, s.credential, "--trust", s.world.trust])
        #expect(added == 0 && addConsole.stdout.contains("issuer signature verified"), "\(addConsole.stderr)")
        let now = Int64(Date().timeIntervalSince1970)
        let t = Instant.iso(now)
        #expect(Self.wallet(["present", s.wallet, "--at", t, "--output", s.path("p.txt")]).0 == 0)
        #expect(Self.wallet(["present", s.wallet, "--at", t, "--output", s.path("p.png")]).0 == 0)
        let presentation = try Self.text(s.path("p.txt"))
        #expect(presentation.hasPrefix("DL2:"))

        let (ok, okConsole) = Self.verify(s.statusArguments + ["--at", Instant.iso(now + 10), "--text", presentation])
        #expect(ok == 0 && Self.firstLine(okConsole) == "VALID", "\(okConsole.stdout)\(okConsole.stderr)")
        let thumbprint = try #require(HolderKey(try P256PublicKey(pem: [UInt8](Data(contentsOf: URL(fileURLWithPath: s.devicePEM)))))).thumbprint
        #expect(okConsole.stdout.contains("Presented:  by the holder's device at \(t) (10 s ago, window 90 s), device key \(thumbprint)"))
        let (png, pngConsole) = Self.verify(s.statusArguments + ["--at", Instant.iso(now + 10), "--json", s.path("p.png")])
        #expect(png == 0, "\(pngConsole.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(pngConsole.stdout.utf8)) as? [String: Any])
        #expect(object["verdict"] as? String == "VALID")
        let member = try #require(object["presentation"] as? [String: Any])
        #expect(member["holder_key_thumbprint"] as? String == thumbprint && member["age_seconds"] as? Int == 10 && member["window_seconds"] as? Int == 90)

        let (stale, staleConsole) = Self.verify(s.statusArguments + ["--at", Instant.iso(now + 91), "--text", presentation])
        #expect(stale == 1 && Self.firstLine(staleConsole) == "STALE_PRESENTATION")
        #expect(staleConsole.stdout.contains("The presentation was made 91 s ago"))
        let (_, wide) = Self.verify(s.statusArguments + ["--at", Instant.iso(now + 91), "--holder-window", "120", "--text", presentation])
        #expect(Self.firstLine(wide) == "VALID")

        let (unbound, unboundConsole) = Self.verify(s.statusArguments + ["--at", Instant.iso(now), "--text", try Self.text(s.credential)])
        #expect(unbound == 1 && Self.firstLine(unboundConsole) == "UNBOUND_PRESENTATION")
        let (_, zh) = Self.verify(s.statusArguments + ["--at", Instant.iso(now), "--lang", "zh", "--text", try Self.text(s.credential)])
        #expect(zh.stdout.contains("这是绑定在持证人手机上的凭证的副本"))

        // Another phone signs a presentation of the same credential.
        let credential = try BoundCredential(text: try Self.text(s.credential))
        let other = try CodeFactory(now: now).presentation(credential: credential.coseBytes, time: UInt64(now), device: try P256PrivateKey())
        let (mismatch, mismatchConsole) = Self.verify(s.statusArguments + ["--at", Instant.iso(now), "--text", other])
        #expect(mismatch == 1 && Self.firstLine(mismatchConsole) == "HOLDER_MISMATCH")
        #expect(mismatchConsole.stdout.contains("Presented:  by another device, claiming \(t); the credential is bound to device key \(thumbprint)"))

        // The plain licence of the same issuer: VALID, unless binding is required.
        #expect(Self.verify(s.statusArguments + ["--at", Instant.iso(now), s.world.png]).1.stdout.hasPrefix("VALID"))
        let (required, requiredConsole) = Self.verify(s.statusArguments + ["--at", Instant.iso(now), "--require-holder-binding", s.world.png])
        #expect(required == 1 && Self.firstLine(requiredConsole) == "UNBOUND_PRESENTATION")
    }

    @Test("the registry keeps the binding through points, refresh, renew, reissue and change-category; a new device takes reissue, not refresh; show tells the thumbprint")
    func lifecycleKeepsBinding() throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.folder) }
        let original = try BoundCredential(text: try Self.text(s.credential)).holderKey
        let issuer = ["--issuer", s.world.issuer]
        let steps: [(String, [String])] = [
            ("points", ["points", s.number] + issuer + ["--deduct", "3", "--reason", "speeding"]),
            ("refresh", ["refresh", s.number] + issuer),
            ("renew", ["renew", s.number] + issuer + ["--expiry-date", "2036-01-01"]),
            ("reissue", ["reissue", s.number] + issuer),
            ("change-category", ["change-category", s.number] + issuer + ["--add", "B2:2026-01-01"]),
        ]
        for (name, arguments) in steps {
            let out = s.path("\(name).txt")
            let (rc, console) = Self.issue(arguments + ["--output", out])
            #expect(rc == 0, "\(name): \(console.stderr)")
            #expect(try BoundCredential(text: try Self.text(out)).holderKey == original, "\(name) keeps the binding")
        }
        let (show, showConsole) = Self.issue(["show", s.number] + issuer)
        #expect(show == 0 && showConsole.stdout.contains("Binding:    bound to the holder's device, key thumbprint \(original.thumbprint)"))
        let (json, jsonConsole) = Self.issue(["show", s.number] + issuer + ["--json"])
        #expect(json == 0 && jsonConsole.stdout.contains("\"holder_key_thumbprint\":\"\(original.thumbprint)\""))

        // Binding a plain credential in place is refused too: its plain codes would stay VALID.
        let (plainRC, _) = s.world.issue(output: s.path("plain.txt"), number: "P0009")
        #expect(plainRC == 0)
        let (bindPlain, bindPlainConsole) = Self.issue(["refresh", "P0009"] + issuer + ["--holder-key", s.devicePEM])
        #expect(bindPlain == 2 && bindPlainConsole.stderr.contains("is not bound to a device: binding it to this device needs a new credential"), "\(bindPlainConsole.stderr)")
        let (sameKey, _) = Self.issue(["refresh", s.number] + issuer + ["--holder-key", s.devicePEM, "--output", s.path("same.txt")])
        #expect(sameKey == 0, "the current binding again is a plain refresh")
        // A new phone: refresh may not move the credential (the old phone's codes would stay
        // usable); reissue gives a new credential bound to the new key, the old one SUPERSEDED.
        let newWallet = s.path("wallet2"), newPEM = s.path("device2.pem")
        #expect(Self.wallet(["init", newWallet]).0 == 0 && Self.wallet(["public-key", newWallet, "--output", newPEM]).0 == 0)
        let (moveByRefresh, moveConsole) = Self.issue(["refresh", s.number] + issuer + ["--holder-key", newPEM, "--output", s.path("no.txt")])
        #expect(moveByRefresh == 2 && moveConsole.stderr.contains("is bound to another device") && moveConsole.stderr.contains("binding it to this device needs a new credential"), "\(moveConsole.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.path("no.txt")))
        let (rebound, reboundConsole) = Self.issue(["reissue", s.number] + issuer + ["--holder-key", newPEM, "--output", s.path("rebound.txt")])
        #expect(rebound == 0, "\(reboundConsole.stderr)")
        let moved = try BoundCredential(text: try Self.text(s.path("rebound.txt")))
        #expect(moved.holderKey != original)
        #expect(Self.wallet(["add", newWallet, s.path("rebound.txt")]).0 == 0)
        let (refused, refusedConsole) = Self.wallet(["add", s.wallet, s.path("rebound.txt")])
        #expect(refused == 2 && refusedConsole.stderr.contains("is bound to another device"))
        let events = Self.issue(["show", s.number] + issuer).1.stdout
        #expect(events.contains("bound to device \(moved.holderKey.thumbprint.prefix(16))"))
    }

    @Test("a bound credential is never a picture; a holder key that is not a P-256 public key is refused; batch binds rows and writes them as text")
    func issuerRefusals() throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.folder) }
        for (format, output) in [("png", "x.png"), ("svg", "x.svg")] {
            let (rc, console) = s.world.issue(["--holder-key", s.devicePEM], output: s.path(output))
            #expect(rc == 2 && console.stderr.contains("never a QR picture for a verifier"), "\(format): \(console.stderr)")
            #expect(!FileManager.default.fileExists(atPath: s.path(output)))
        }
        let (terminal, terminalConsole) = s.world.issue(["--holder-key", s.devicePEM, "--format", "terminal"])
        #expect(terminal == 2 && terminalConsole.stderr.contains("not terminal"))
        let (renewPNG, renewConsole) = Self.issue(["renew", s.number, "--issuer", s.world.issuer, "--expiry-date", "2036-01-01", "--output", s.path("r.png")])
        #expect(renewPNG == 2 && renewConsole.stderr.contains("a bound credential is text for its holder's device only"), "\(renewConsole.stderr)")
        // A key given as a compressed point (as `openssl ec -conv_form compressed` writes it) binds the same point.
        let device = try P256PrivateKey()
        let point = device.publicKey.compressedPoint
        let der: [UInt8] = [0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
                            0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00] + point
        let compressedPEM = "-----BEGIN PUBLIC KEY-----\n" + Data(der).base64EncodedString(options: [.lineLength64Characters]) + "\n-----END PUBLIC KEY-----\n"
        try Data(compressedPEM.utf8).write(to: URL(fileURLWithPath: s.path("compressed.pem")))
        let (compressed, compressedConsole) = s.world.issue(["--holder-key", s.path("compressed.pem")], output: s.path("c.txt"), number: "C0001")
        #expect(compressed == 0, "\(compressedConsole.stderr)")
        #expect(try BoundCredential(text: try Self.text(s.path("c.txt"))).holderKey.compressedPoint == point)
        // A huge file given as the key is refused before it is read.
        let huge = s.path("huge.pem")
        FileManager.default.createFile(atPath: huge, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: huge))
        try handle.truncate(atOffset: 300 * 1024 * 1024)
        try handle.close()
        let (hugeRC, hugeConsole) = s.world.issue(["--holder-key", huge], output: s.path("h.txt"))
        #expect(hugeRC == 2 && hugeConsole.stderr.contains("the holder key file \(huge) is larger than"), "\(hugeConsole.stderr)")
        for bad in ["certificate": try String(contentsOfFile: "\(s.world.trust)/root.pem", encoding: .utf8), "garbage": "not a key"] {
            let file = s.path("\(bad.key).pem")
            try Data(bad.value.utf8).write(to: URL(fileURLWithPath: file))
            let (rc, console) = s.world.issue(["--holder-key", file], output: s.path("k.txt"))
            #expect(rc == 2 && console.stderr.contains("is not a P-256 public key in PEM"), "\(bad.key): \(console.stderr)")
        }
        let csv = s.folder.appendingPathComponent("rows.csv")
        try Data("""
            document_number,family_name,birth_date,expiry_date,categories,portrait,holder_key
            K1,王,1985-05-05,2031-01-01,C1:2020-01-01,portrait.jpg,device.pem
            K2,李,1985-05-05,2031-01-01,C1:2020-01-01,portrait.jpg,

            """.utf8).write(to: csv)
        let out = s.path("batch")
        let (batch, batchConsole) = Self.issue(["batch", "--issuer", s.world.issuer, "--input", csv.path, "--output-dir", out, "--format", "png"])
        #expect(batch == 0, "\(batchConsole.stderr)")
        #expect(try BoundCredential(text: try Self.text("\(out)/K1.txt")).holderKey == HolderKey(try P256PublicKey(pem: [UInt8](Data(contentsOf: URL(fileURLWithPath: s.devicePEM))))))
        #expect(FileManager.default.fileExists(atPath: "\(out)/K2.png") && !FileManager.default.fileExists(atPath: "\(out)/K1.png"))
    }

    @Test("wallet: plain codes and foreign trust refused, several credentials need a choice, an encrypted key needs its passphrase, --watch draws fresh presentations")
    func walletRules() throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.folder) }
        let plainText = s.path("plain.txt")
        #expect(s.world.issue(output: plainText, number: "P0001").0 == 0)
        let (plain, plainConsole) = Self.wallet(["add", s.wallet, plainText])
        #expect(plain == 2 && plainConsole.stderr.contains("this is a plain DL1 code, not a credential bound to a device"))
        let foreignTrust = s.path("foreign-trust")
        try FileManager.default.createDirectory(atPath: foreignTrust, withIntermediateDirectories: true)
        try Data(Fixture.pki.root.certificate.pem()).write(to: URL(fileURLWithPath: "\(foreignTrust)/root.pem"))
        let (foreign, foreignConsole) = Self.wallet(["add", s.wallet, s.credential, "--trust", foreignTrust])
        #expect(foreign == 2 && foreignConsole.stderr.contains("does not verify against the trust given: UNKNOWN_SIGNER"), "\(foreignConsole.stderr)")
        #expect(Self.wallet(["present", s.wallet, "--format", "txt"]).1.stderr.contains("the wallet holds no credential yet"))

        #expect(Self.wallet(["add", s.wallet, s.credential]).0 == 0)
        let second = s.path("bound2.txt")
        #expect(s.world.issue(["--holder-key", s.devicePEM], output: second, number: "B0002").0 == 0)
        #expect(Self.wallet(["add", s.wallet, second]).0 == 0)
        let (ambiguous, ambiguousConsole) = Self.wallet(["present", s.wallet, "--format", "txt"])
        #expect(ambiguous == 2 && ambiguousConsole.stderr.contains("the wallet holds 2 credentials"))
        let (chosen, chosenConsole) = Self.wallet(["present", s.wallet, "--credential", "B0002", "--format", "txt"])
        #expect(chosen == 0 && chosenConsole.stdout.hasPrefix("DL2:"))
        let listed = Self.wallet(["list", s.wallet]).1.stdout
        #expect(listed.contains("B0001") && listed.contains("B0002"))
        // A renewal stored beside the old credential: the number names the newest.
        let renewed = s.path("renewed.txt")
        #expect(Self.issue(["renew", "B0002", "--issuer", s.world.issuer, "--expiry-date", "2036-01-01", "--output", renewed]).0 == 0)
        #expect(Self.wallet(["add", s.wallet, renewed]).0 == 0)
        let newest = try BoundCredential(text: try Self.text(renewed))
        let (byNumber, byNumberConsole) = Self.wallet(["present", s.wallet, "--credential", "B0002", "--format", "txt"])
        #expect(byNumber == 0)
        let presented = try DecodedPresentation(text: byNumberConsole.stdout.trimmingCharacters(in: .newlines))
        #expect(Hex.encode(presented.credential.claims.credentialID) == newest.id)
        let (removeAmbiguous, _) = Self.wallet(["remove", s.wallet, "B0002"])
        #expect(removeAmbiguous == 2)
        let old = try BoundCredential(text: try Self.text(second))
        let (removed, removedConsole) = Self.wallet(["remove", s.wallet, old.id])
        #expect(removed == 0 && removedConsole.stdout.contains("Removed credential \(old.id) for B0002"))
        #expect(!Self.wallet(["list", s.wallet]).1.stdout.contains(old.id))

        // --watch: two frames one second apart, each a fresh presentation (its own t).
        let (watch, watchConsole) = Self.wallet(["present", s.wallet, "--credential", "B0001", "--watch", "--interval", "1", "--frames", "2",
                                                 "--at", "2026-12-07T09:00:00Z"])
        #expect(watch == 0)
        #expect(watchConsole.stdout.contains("presented 2026-12-07T09:00:00Z") && watchConsole.stdout.contains("presented 2026-12-07T09:00:01Z"))
        #expect(watchConsole.stdout.contains("next presentation in 1 s"))

        // An encrypted device key.
        let passphrase = s.path("pass.txt")
        try Data("correct horse\n".utf8).write(to: URL(fileURLWithPath: passphrase))
        let locked = s.path("locked")
        #expect(Self.wallet(["init", locked, "--encrypt-key", "--passphrase-file", passphrase]).0 == 0)
        let pem = try String(contentsOfFile: "\(locked)/device.key.pem", encoding: .utf8)
        #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        #expect((try FileManager.default.attributesOfItem(atPath: "\(locked)/device.key.pem")[.posixPermissions] as? Int) == 0o600)
        let (noPass, noPassConsole) = Self.wallet(["public-key", locked])
        #expect(noPass == 2 && noPassConsole.stderr.contains("the device key is encrypted: its passphrase is needed"))
        #expect(Self.wallet(["public-key", locked, "--passphrase-file", passphrase]).1.stdout.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        let (noFlag, _) = Self.wallet(["init", s.path("x"), "--encrypt-key"])
        #expect(noFlag == 2)
        // A failed init leaves nothing behind, so it can simply be run again.
        let (badToken, badTokenConsole) = Self.wallet(["init", s.path("y"), "--pkcs11-module", "/nonexistent/libnothing.so",
                                                       "--token-label", "none", "--pin-file", passphrase])
        #expect(badToken == 2 && badTokenConsole.stderr.contains("cannot make the device key"), "\(badTokenConsole.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.path("y")))
    }

    @Test("a device key in a SoftHSM2 token: presentations verify, and no key file exists")
    func pkcs11Wallet() throws {
        let module = try #require(SoftHSMFixture.module, "SoftHSM2 is not installed (apt-get install softhsm2)")
        let token = try #require(SoftHSMFixture.token("dl1-wallet"))
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.folder) }
        let pin = s.path("pin.txt")
        try Data(SoftHSMFixture.pin.utf8).write(to: URL(fileURLWithPath: pin))
        let folder = s.path("hsm-wallet")
        let (made, madeConsole) = Self.wallet(["init", folder, "--pkcs11-module", module, "--token-label", token, "--pin-file", pin])
        #expect(made == 0, "\(madeConsole.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/device.key.pem"))
        let pem = s.path("hsm.pem")
        #expect(Self.wallet(["public-key", folder, "--pin-file", pin, "--output", pem]).0 == 0)
        let credential = s.path("hsm-bound.txt")
        #expect(s.world.issue(["--holder-key", pem], output: credential, number: "H0001").0 == 0)
        #expect(Self.issue(["status-list", "--issuer", s.world.issuer, "--output-dir", s.folder.appendingPathComponent("status").path]).0 == 0)
        #expect(Self.wallet(["add", folder, credential, "--pin-file", pin]).0 == 0)
        let now = Int64(Date().timeIntervalSince1970)
        let (rc, console) = Self.wallet(["present", folder, "--pin-file", pin, "--format", "txt", "--at", Instant.iso(now)])
        #expect(rc == 0, "\(console.stderr)")
        let (verified, verifyConsole) = Self.verify(s.statusArguments + ["--at", Instant.iso(now), "--text", console.stdout.trimmingCharacters(in: .newlines)])
        #expect(verified == 0 && Self.firstLine(verifyConsole) == "VALID", "\(verifyConsole.stdout)")
        let (noPin, noPinConsole) = Self.wallet(["present", folder, "--format", "txt"])
        #expect(noPin == 2 && noPinConsole.stderr.contains("its PIN is needed"))
    }

    @Test("presentations are read strictly: deterministic CBOR only, exactly three items of the right types")
    func strictPresentation() throws {
        let factory = CodeFactory(now: Fixture.now)
        let device = try P256PrivateKey()
        var claims = factory.claims()
        claims.holderKey = HolderKey(device.publicKey)!
        let credential = try factory.cose(claims, signer: Fixture.pki.signer)
        let good = try factory.presentation(credential: credential, time: UInt64(Fixture.now), device: device)
        let verifier = try Fixture.verifier()
        #expect(verifier.verify(text: good).verdict == .valid)
        // t written in eight bytes instead of four: same value, not deterministic.
        let signature = try device.sign(Presentation.toBeSigned(credential: credential, time: UInt64(Fixture.now)))
        var bytes = CBOREncoder.encode(.array([.bytes(credential)]))
        bytes[0] = 0x83
        bytes += [0x1b] + withUnsafeBytes(of: UInt64(Fixture.now).bigEndian, Array.init) + CBOREncoder.encode(.bytes(signature))
        let long = verifier.verify(text: "DL2:" + Base45.encode(Zlib.compress(bytes)))
        #expect(long.verdict == .malformed && long.layer == .presentation && long.reason.contains("not in deterministic CBOR encoding"))
        let short = verifier.verify(text: factory.presentation(item: .array([.bytes(credential), .unsigned(1), .bytes(Array(signature.prefix(63)))])))
        #expect(short.layer == .presentation && short.reason.contains("holder signature is not a byte string of 64 bytes"))
        let trailing = verifier.verify(text: "DL2:" + Base45.encode(Zlib.compress(Array(try #require(DecodedPresentation(text: good).presentation.encoded)) + [0])))
        #expect(trailing.layer == .presentation)
        let other = verifier.verify(text: "DL3:" + good.dropFirst(4))
        #expect(other.layer == .prefix)
        // The credential inside must be tagged 18, as the issuer made it.
        let untagged = try factory.cose(claims, signer: Fixture.pki.signer, knobs: { var k = CodeFactory.Knobs(); k.tag = nil; return k }())
        let noTag = verifier.verify(text: try factory.presentation(credential: untagged, time: UInt64(Fixture.now), device: device))
        #expect(noTag.verdict == .malformed && noTag.layer == .cose && noTag.reason.contains("must be a COSE_Sign1 tagged 18"))
    }
}
