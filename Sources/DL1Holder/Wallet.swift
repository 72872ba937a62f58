import DL1Crypto
import DL1Format
import DL1PKCS11
import DL1Verifier
import Foundation

/// The secrets that unlock a wallet's device key (from files or the environment, never the command line).
public struct WalletSecrets: Sendable {
    /// The passphrase of an encrypted key file.
    public var passphrase: String?
    /// The PIN of a PKCS#11 token.
    public var pin: String?

    public init(passphrase: String? = nil, pin: String? = nil) {
        self.passphrase = passphrase
        self.pin = pin
    }
}

/// A holder's wallet in a folder: `wallet.json` (where the device key lives), the key itself
/// (`device.key.pem`, mode 0600, optionally encrypted) unless it is in a PKCS#11 token, and the
/// bound credentials it holds (`credentials/<cti>.txt`). The folder is mode 0700.
public final class Wallet: @unchecked Sendable {
    // Immutable but for the loaded key, which `lock` guards.
    /// The folder.
    public let folder: URL
    /// Where the device key is.
    public let settings: Settings
    private let secrets: WalletSecrets
    private let lock = NSLock()
    private var loadedKey: (any RawSigner)?

    /// `wallet.json`.
    public struct Settings: Codable, Sendable, Hashable {
        /// Format version.
        public var format = 1
        /// "file" (device.key.pem) or "pkcs11".
        public var keyStorage: String
        /// Whether the key file is encrypted.
        public var encrypted: Bool?
        /// The PKCS#11 module, token label and key label.
        public var module: String?
        public var tokenLabel: String?
        public var keyLabel: String?
    }

    /// How a new wallet keeps its device key.
    public enum KeyStorage: Sendable {
        /// A PEM file, encrypted with the passphrase in the secrets when `encrypted`.
        case file(encrypted: Bool)
        /// A non-extractable key generated in a PKCS#11 token (the PIN in the secrets).
        case pkcs11(module: String, tokenLabel: String)
    }

    var settingsFile: URL { folder.appendingPathComponent("wallet.json") }
    var keyFile: URL { folder.appendingPathComponent("device.key.pem") }
    var credentialsFolder: URL { folder.appendingPathComponent("credentials") }

    private init(folder: URL, settings: Settings, secrets: WalletSecrets) {
        self.folder = folder
        self.settings = settings
        self.secrets = secrets
    }

    /// Makes a new wallet in `folder` (which must not exist, or be empty) with a fresh device key.
    /// A failure leaves nothing behind (the folder is removed when this call made it, emptied otherwise).
    public static func create(at folder: URL, storage: KeyStorage, secrets: WalletSecrets = WalletSecrets()) throws(HolderError) -> Wallet {
        let fm = FileManager.default
        let existed = fm.fileExists(atPath: folder.path)
        if existed {
            guard ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? ["?"]).isEmpty else {
                throw HolderError(.wallet, "\(folder.path) already exists and is not an empty folder: refusing to overwrite a wallet")
            }
        }
        do { return try make(at: folder, storage: storage, secrets: secrets) } catch {
            if existed {
                for name in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] { try? fm.removeItem(at: folder.appendingPathComponent(name)) }
            } else {
                try? fm.removeItem(at: folder)
            }
            throw error
        }
    }

    private static func make(at folder: URL, storage: KeyStorage, secrets: WalletSecrets) throws(HolderError) -> Wallet {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
            try fm.createDirectory(at: folder.appendingPathComponent("credentials"), withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: 0o700])
        } catch {
            throw HolderError(.wallet, "cannot create the wallet folder \(folder.path): \(error.localizedDescription)")
        }
        var settings: Settings
        switch storage {
        case .file(let encrypted):
            if encrypted, (secrets.passphrase ?? "").isEmpty { throw HolderError(.deviceKey, "an encrypted device key needs a passphrase") }
            let key: P256PrivateKey
            let pem: [UInt8]
            do {
                key = try P256PrivateKey()
                pem = try key.pkcs8PEM(passphrase: encrypted ? secrets.passphrase : nil)
            } catch { throw HolderError(.deviceKey, "cannot make the device key: \(error)") }
            try write(pem, to: folder.appendingPathComponent("device.key.pem"), permissions: 0o600)
            settings = Settings(keyStorage: "file", encrypted: encrypted ? true : nil)
        case .pkcs11(let module, let tokenLabel):
            guard let pin = secrets.pin else { throw HolderError(.deviceKey, "a device key in a PKCS#11 token needs the token's PIN") }
            let label = "dl1-device-\(Hex.encode(SecureRandom.bytes(6)))"
            do { _ = try PKCS11Token(modulePath: module, tokenLabel: tokenLabel, pin: pin).generateKey(label: label) }
            catch { throw HolderError(.deviceKey, "cannot make the device key in token \(tokenLabel): \(error)") }
            settings = Settings(keyStorage: "pkcs11", module: module, tokenLabel: tokenLabel, keyLabel: label)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let json = try? encoder.encode(settings) else { throw HolderError(.wallet, "cannot encode the wallet settings") }
        try write([UInt8](json) + [10], to: folder.appendingPathComponent("wallet.json"), permissions: 0o600)
        return Wallet(folder: folder, settings: settings, secrets: secrets)
    }

    /// Opens the wallet in `folder`; the key is loaded when first used.
    public static func open(at folder: URL, secrets: WalletSecrets = WalletSecrets()) throws(HolderError) -> Wallet {
        let file = folder.appendingPathComponent("wallet.json")
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw HolderError(.wallet, "\(folder.path) is not a wallet folder (no wallet.json)")
        }
        guard let data = BoundedFile.read(file.path, limit: 64 * 1024).map({ Data($0) }),
              let settings = try? JSONDecoder().decode(Settings.self, from: data),
              settings.keyStorage == "file" || settings.keyStorage == "pkcs11" else {
            throw HolderError(.wallet, "\(file.path) is damaged")
        }
        return Wallet(folder: folder, settings: settings, secrets: secrets)
    }

    /// The device key (a file key, or a token key that never leaves its token).
    public func deviceKey() throws(HolderError) -> any RawSigner {
        lock.lock(); defer { lock.unlock() }
        if let loadedKey { return loadedKey }
        let key: any RawSigner
        if settings.keyStorage == "pkcs11" {
            guard let module = settings.module, let token = settings.tokenLabel, let label = settings.keyLabel else {
                throw HolderError(.wallet, "wallet.json names no PKCS#11 token and key")
            }
            guard let pin = secrets.pin else { throw HolderError(.secretNeeded, "the device key is in a PKCS#11 token: its PIN is needed") }
            do { key = try PKCS11Token(modulePath: module, tokenLabel: token, pin: pin).key(label: label) }
            catch { throw HolderError(.deviceKey, "cannot open the device key in token \(token): \(error)") }
        } else {
            key = try fileKey()
        }
        loadedKey = key
        return key
    }

    private func fileKey() throws(HolderError) -> P256PrivateKey {
        let target = keyFile.resolvingSymlinksInPath()
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: target.path),
              let permissions = attributes[.posixPermissions] as? Int,
              let bytes = BoundedFile.read(target.path, limit: 64 * 1024) else {
            throw HolderError(.deviceKey, "cannot read the device key \(keyFile.path)")
        }
        guard permissions & 0o077 == 0 else {
            throw HolderError(.deviceKey, "the device key \(target.path) is readable by group or others (mode \(String(permissions, radix: 8))): make it mode 600")
        }
        let pem = bytes
        do {
            if P256PrivateKey.isEncrypted(pem: pem) {
                guard let passphrase = secrets.passphrase else { throw HolderError(.secretNeeded, "the device key is encrypted: its passphrase is needed") }
                return try P256PrivateKey(pem: pem, passphrase: passphrase)
            }
            return try P256PrivateKey(pem: pem)
        } catch let error as HolderError {
            throw error
        } catch {
            throw HolderError(.deviceKey, "cannot read the device key \(keyFile.path): \(error)")
        }
    }

    /// The device's public key, as PEM SubjectPublicKeyInfo (what the issuer binds to).
    public func publicKeyPEM() throws(HolderError) -> String {
        String(decoding: try deviceKey().publicKey.pem, as: UTF8.self)
    }

    /// Stores a bound credential after checking that it is bound to this wallet's key and, with
    /// `verifier`, that its issuer signature and chain verify (a presentation of it is made at
    /// `now` and verified: any verdict of the decode, signer, signature, trust or holder checks
    /// refuses it; time and status do not, as the wallet may be offline). A credential with
    /// the same cti replaces the stored one (a refresh). Returns the stored credential.
    @discardableResult
    public func add(_ text: String, verifier: Verifier? = nil, at now: Int64) throws(HolderError) -> BoundCredential {
        let credential = try BoundCredential(text: text)
        let key = try deviceKey()
        guard credential.isBound(to: key.publicKey) else {
            throw HolderError(.boundToAnotherKey, "credential \(credential.id) is bound to another device (key thumbprint \(credential.holderKey.thumbprint)), not to this wallet's key (\(HolderKey(key.publicKey)?.thumbprint ?? "?"))")
        }
        if let verifier {
            let presentation = try Presenter.present(credential, at: now, signer: key)
            let result = verifier.verify(text: presentation, at: now)
            if let check = result.verdict.check, [.decode, .signer, .signature, .trust, .holder].contains(check) {
                throw HolderError(.untrusted, "credential \(credential.id) does not verify against the trust given: \(result.verdict.rawValue): \(result.reason)")
            }
        }
        try Self.write(Array((credential.text + "\n").utf8), to: credentialsFolder.appendingPathComponent("\(credential.id).txt"), permissions: 0o600)
        return credential
    }

    /// Every stored credential, by document number then cti. Unreadable files are skipped.
    public func credentials() -> [BoundCredential] { stored().map(\.credential) }

    /// The stored credentials with when each was stored (its file's modification time).
    private func stored() -> [(credential: BoundCredential, storedAt: Date)] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: credentialsFolder.path)) ?? []).filter { $0.hasSuffix(".txt") && !$0.hasPrefix(".") }
        return names.compactMap { name -> (BoundCredential, Date)? in
            let url = credentialsFolder.appendingPathComponent(name)
            guard let bytes = BoundedFile.read(url.path, limit: 16 * 1024),
                  let credential = try? BoundCredential(text: String(decoding: bytes, as: UTF8.self)) else { return nil }
            let storedAt = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date ?? .distantPast
            return (credential, storedAt)
        }.sorted { ($0.0.claims.licence.documentNumber, $0.0.id) < ($1.0.claims.licence.documentNumber, $1.0.id) }
    }

    /// The newest of `candidates`: the latest iat, then the one stored last.
    private static func newest(_ candidates: [(credential: BoundCredential, storedAt: Date)]) -> BoundCredential? {
        candidates.max { ($0.credential.claims.issuedAt, $0.storedAt) < ($1.credential.claims.issuedAt, $1.storedAt) }?.credential
    }

    /// The one stored credential that `selector` names (its document number, its cti or a cti
    /// prefix of at least 4 hex digits), or the only one when `selector` is nil.
    public func credential(_ selector: String?) throws(HolderError) -> BoundCredential {
        let entries = stored()
        let all = entries.map(\.credential)
        guard !all.isEmpty else { throw HolderError(.noCredential, "the wallet holds no credential yet") }
        guard let selector else {
            let numbers = Set(all.map(\.claims.licence.documentNumber))
            if numbers.count == 1, let newest = Self.newest(entries) { return newest }
            guard all.count == 1 else {
                throw HolderError(.noCredential, "the wallet holds \(all.count) credentials (\(all.map { "\($0.claims.licence.documentNumber) \($0.claims.issuer)" }.joined(separator: ", "))): say which")
            }
            return all[0]
        }
        // Of several credentials of one number (a renewal added beside the old one), the newest.
        let byNumber = Self.newest(entries.filter { $0.credential.claims.licence.documentNumber == selector }).map { [$0] } ?? []
        let byID = all.filter { $0.id == selector.lowercased() || (selector.count >= 4 && $0.id.hasPrefix(selector.lowercased())) }
        let matches = byNumber.isEmpty ? byID : byNumber
        guard matches.count == 1 else {
            throw HolderError(.noCredential, matches.isEmpty ? "no credential in the wallet matches \(selector)"
                                                             : "\(matches.count) credentials match \(selector): give the credential id")
        }
        return matches[0]
    }

    /// Removes a stored credential (named as for ``credential(_:)``, but by id only when several
    /// share its number). Returns the one removed.
    @discardableResult
    public func remove(_ selector: String) throws(HolderError) -> BoundCredential {
        let all = credentials()
        let matches = all.filter { $0.id == selector.lowercased() || (selector.count >= 4 && $0.id.hasPrefix(selector.lowercased())) }
            + all.filter { $0.claims.licence.documentNumber == selector }
        let unique = Dictionary(matches.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        guard unique.count == 1, let credential = unique.values.first else {
            throw HolderError(.noCredential, unique.isEmpty ? "no credential in the wallet matches \(selector)"
                                                            : "\(unique.count) credentials match \(selector): give the credential id")
        }
        do { try FileManager.default.removeItem(at: credentialsFolder.appendingPathComponent("\(credential.id).txt")) }
        catch { throw HolderError(.wallet, "cannot remove credential \(credential.id): \(error.localizedDescription)") }
        return credential
    }

    /// A DL2 presentation of `credential` at `time`, signed by this wallet's device key.
    public func present(_ credential: BoundCredential, at time: Int64) throws(HolderError) -> String {
        try Presenter.present(credential, at: time, signer: try deviceKey())
    }

    static func write(_ bytes: [UInt8], to url: URL, permissions: Int) throws(HolderError) {
        try AtomicFile.write(bytes, to: url, permissions: permissions, code: .wallet)
    }
}
