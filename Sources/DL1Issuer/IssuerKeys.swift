import DL1Crypto
import DL1Format
import DL1PKCS11
import Foundation

/// The secrets that unlock an issuer's keys, read from files or environment variables (never
/// from the command line, where other users could see them).
public struct IssuerSecrets: Sendable {
    /// The passphrase of encrypted key files.
    public var passphrase: String?
    /// The PIN of a PKCS#11 token.
    public var pin: String?

    public init(passphrase: String? = nil, pin: String? = nil) {
        self.passphrase = passphrase
        self.pin = pin
    }
}

/// Where an issuer's private keys live: PEM files (plain or encrypted) or a PKCS#11 token.
final class IssuerKeys: @unchecked Sendable {
    // The token and the loaded keys are guarded by `lock`.
    private let lock = NSLock()
    let storage: IssuerSettings.KeyStorage?
    let directory: IssuerDirectory
    let secrets: IssuerSecrets
    private var token: PKCS11Token?
    private var loaded: [String: any RawSigner] = [:]

    init(storage: IssuerSettings.KeyStorage?, directory: IssuerDirectory, secrets: IssuerSecrets) {
        self.storage = storage
        self.directory = directory
        self.secrets = secrets
    }

    var usesToken: Bool { storage?.kind == "pkcs11" }
    var encrypted: Bool { storage?.encrypted == true }

    /// The root's key.
    func rootKey() throws(IssuerError) -> any RawSigner {
        if usesToken { return try tokenKey(storage?.rootKeyLabel ?? "dl1-root") }
        return try fileKey(directory.rootKeyFile)
    }

    /// A document signer's key.
    func signerKey(_ record: IssuerSettings.SignerRecord) throws(IssuerError) -> any RawSigner {
        if let label = record.keyLabel, usesToken { return try tokenKey(label) }
        return try fileKey(directory.signerKeyFile(kidHex: record.kid))
    }

    /// A new key: generated in the token, or in memory (saved by ``save(_:kidHex:)`` once its
    /// certificate is known). Returns the token label, if any.
    func newKey(role: String) throws(IssuerError) -> (key: any RawSigner, label: String?) {
        if usesToken {
            let label = "dl1-\(role)-\(Hex.encode(SecureRandom.bytes(6)))"
            let key: PKCS11Key
            do { key = try openToken().generateKey(label: label) } catch { throw IssuerError("\(error)") }
            return (key, label)
        }
        do { return (try P256PrivateKey(), nil) } catch { throw IssuerError("\(error)") }
    }

    /// Writes a key file (mode 0600; encrypted when the issuer's keys are). Token keys need nothing.
    func save(_ key: any RawSigner, to url: URL) throws(IssuerError) {
        guard let fileKey = key as? P256PrivateKey else { return }
        if encrypted, secrets.passphrase == nil { throw IssuerError(.passphraseNeeded, "the issuer's keys are encrypted: a passphrase is needed") }
        let pem: [UInt8]
        do { pem = try fileKey.pkcs8PEM(passphrase: encrypted ? secrets.passphrase : nil) } catch { throw IssuerError("\(error)") }
        try FileWriter.write(pem, to: url, permissions: 0o600)
    }

    private func openToken() throws(IssuerError) -> PKCS11Token {
        lock.lock(); defer { lock.unlock() }
        if let token { return token }
        guard let module = storage?.module, let label = storage?.tokenLabel else { throw IssuerError("issuer.json names no PKCS#11 token") }
        guard let pin = secrets.pin else { throw IssuerError(.pinNeeded, "the issuer's keys are in a PKCS#11 token: its PIN is needed") }
        do {
            let opened = try PKCS11Token(modulePath: module, tokenLabel: label, pin: pin)
            token = opened
            return opened
        } catch { throw IssuerError("\(error)") }
    }

    private func tokenKey(_ label: String) throws(IssuerError) -> any RawSigner {
        let token = try openToken()
        lock.lock(); defer { lock.unlock() }
        if let key = loaded[label] { return key }
        do {
            let key = try token.key(label: label)
            loaded[label] = key
            return key
        } catch { throw IssuerError("\(error)") }
    }

    private func fileKey(_ url: URL) throws(IssuerError) -> any RawSigner {
        lock.lock(); defer { lock.unlock() }
        if let key = loaded[url.path] { return key }
        // A key reached through a symbolic link: the mode that matters is the target's
        // (attributesOfItem describes the link itself), and the advice must name the target.
        let target = url.resolvingSymlinksInPath()
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: target.path),
              let permissions = attributes[.posixPermissions] as? Int else {
            throw IssuerError("cannot read the private key \(url.path)\(target.path != url.path ? " (a link to \(target.path))" : "")")
        }
        guard (attributes[.type] as? FileAttributeType) == .typeRegular else {
            throw IssuerError(.keyFileUnsafe, "the private key \(url.path) is not a regular file")
        }
        guard permissions & 0o077 == 0 else {
            let via = target.path != url.path ? " (through the link \(url.path))" : ""
            throw IssuerError(.keyFileUnsafe, "the private key \(target.path)\(via) is readable by group or others (mode \(String(permissions, radix: 8))): run 'chmod 600 \(target.path)'")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw IssuerError("cannot read the private key \(url.path)") }
        let pem = [UInt8](data)
        let key: P256PrivateKey
        do {
            if P256PrivateKey.isEncrypted(pem: pem) {
                guard let passphrase = secrets.passphrase else {
                    throw IssuerError(.passphraseNeeded, "the private key \(url.lastPathComponent) is encrypted: a passphrase is needed")
                }
                key = try P256PrivateKey(pem: pem, passphrase: passphrase)
            } else {
                key = try P256PrivateKey(pem: pem)
            }
        } catch let error as IssuerError {
            throw error
        } catch {
            throw IssuerError("cannot read the private key \(url.lastPathComponent): \(error)")
        }
        loaded[url.path] = key
        return key
    }
}
