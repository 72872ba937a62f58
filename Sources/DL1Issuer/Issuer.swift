import DL1Crypto
import DL1Format
import DL1QREncode
import DL1Verifier
import Foundation

/// An issuing authority: its keys, settings and registry, and the operations on them.
public final class Issuer: @unchecked Sendable {
    // Immutable but for the signer cache, which `lock` guards.
    /// The folder layout.
    public let directory: IssuerDirectory
    /// The settings.
    public let settings: IssuerSettings
    /// The registry.
    public let registry: Registry
    /// The root certificate.
    public let rootCertificate: Certificate
    /// The current time, seconds since the epoch (injected for tests).
    public let clock: @Sendable () -> Int64
    let keys: IssuerKeys
    private let lock = NSLock()
    private var signers: [String: KeySigner] = [:]
    /// Refreshes' registry writes, committed together (``refreshBound(_:lifetime:)``).
    let refreshCommits = GroupCommit()

    /// The system clock.
    public static let systemClock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

    init(directory: IssuerDirectory, settings: IssuerSettings, registry: Registry, rootCertificate: Certificate,
         keys: IssuerKeys, clock: @escaping @Sendable () -> Int64) {
        self.directory = directory
        self.settings = settings
        self.registry = registry
        self.rootCertificate = rootCertificate
        self.keys = keys
        self.clock = clock
    }

    /// Document-signer certificates are valid this long (at most 457 days).
    public static let signerValidityDays: Int64 = 365
    /// The root is valid this long.
    public static let rootValidityDays: Int64 = 15 * 366

    /// Every document signer, with its state.
    public var signerRecords: [IssuerSettings.SignerRecord] { settings.signers ?? [] }

    /// The active document signer of `authority` (its code), loaded on first use.
    public func signer(for authority: String) throws(IssuerError) -> any DocumentSigner {
        guard let entry = settings.authorities.first(where: { $0.code == authority }) else {
            throw IssuerError("this issuer has no authority \(authority) (it has \(settings.authorities.map(\.code).joined(separator: ", ")))")
        }
        lock.lock()
        if let cached = signers[entry.activeSigner] { lock.unlock(); return cached }
        lock.unlock()
        guard let record = signerRecords.first(where: { $0.kid == entry.activeSigner }) else {
            throw IssuerError("issuer.json names an active signer \(entry.activeSigner) it does not list")
        }
        let certificate = try Self.readCertificate(directory.signerCertificateFile(kidHex: record.kid))
        let signer = try KeySigner(certificate: certificate, key: try keys.signerKey(record))
        lock.lock(); signers[entry.activeSigner] = signer; lock.unlock()
        return signer
    }

    /// The first authority's active document signer (it also signs the status lists).
    public func primarySigner() throws(IssuerError) -> any DocumentSigner { try signer(for: settings.authorityCode) }

    /// The authority whose name a licence carries.
    func authority(of licence: Licence) throws(IssuerError) -> IssuerSettings.Authority {
        guard let authority = settings.authorities.first(where: { $0.name == licence.issuingAuthority }) else {
            throw IssuerError("the licence names authority '\(licence.issuingAuthority)', which is not one of this issuer's")
        }
        return authority
    }

    /// Creates a new issuer in `folder` (which must not exist or be empty): a root CA, a first
    /// document signer, the settings, the registry and the `trust/` folder. Keys are PEM files
    /// (encrypted when `settings.keyStorage` says so and `secrets` has the passphrase) or live in
    /// a PKCS#11 token. The folder appears complete or not at all.
    public static func create(at folder: URL, settings proposed: IssuerSettings, secrets: IssuerSecrets = IssuerSecrets(),
                              clock: @escaping @Sendable () -> Int64 = systemClock) throws(IssuerError) -> Issuer {
        try proposed.validate()
        if proposed.keyStorage?.encrypted == true, (secrets.passphrase ?? "").isEmpty {
            throw IssuerError(.passphraseNeeded, "encrypted keys need a passphrase")
        }
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue, ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? ["?"]).isEmpty else {
                throw IssuerError("\(folder.path) already exists and is not an empty folder: refusing to overwrite an issuer")
            }
        }
        let parent = folder.standardizedFileURL.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(folder.lastPathComponent).init-\(UUID().uuidString)")
        let layout = IssuerDirectory(root: staging)
        do {
            // The whole issuer folder is private (the registry holds personal data); trust/ is
            // what gets copied to verifiers.
            try fm.createDirectory(at: staging, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try fm.createDirectory(at: layout.privateFolder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            try fm.createDirectory(at: layout.certificatesFolder, withIntermediateDirectories: false)
            try fm.createDirectory(at: layout.trustFolder, withIntermediateDirectories: false)
        } catch {
            try? fm.removeItem(at: staging)
            throw IssuerError("cannot create the issuer folder next to \(folder.path): \(error.localizedDescription)")
        }
        do {
            let now = clock()
            var settings = proposed
            let keys = IssuerKeys(storage: proposed.keyStorage, directory: layout, secrets: secrets)
            let (rootKey, rootLabel) = try keys.newKey(role: "root")
            settings.keyStorage?.rootKeyLabel = rootLabel
            let root = try wrap {
                try CertificateBuilder.makeRoot(key: rootKey, subject: .init(country: proposed.country, organization: proposed.authorityName,
                                                                            commonName: "\(proposed.authorityName) DL1 Root"),
                                                notBefore: now - 3600, notAfter: now + rootValidityDays * 86_400)
            }
            try keys.save(rootKey, to: layout.rootKeyFile)
            let rootPEM = try wrap { try root.pem() }
            try FileWriter.write(rootPEM, to: layout.rootCertificateFile)
            try FileWriter.write(rootPEM, to: layout.trustFolder.appendingPathComponent("root.pem"))
            settings.signers = []
            try makeSigner(for: IssuerSettings.Authority(code: proposed.authorityCode, name: proposed.authorityName, activeSigner: ""),
                           root: root, rootKey: rootKey, keys: keys, layout: layout, settings: &settings, now: now)
            settings.registry = try Registry.create(try registryLocation(settings, layout: layout), at: now).identity
            try writeSettings(settings, to: layout.settingsFile)
            if fm.fileExists(atPath: folder.path) { try? fm.removeItem(at: folder) }
            try fm.moveItem(at: staging, to: folder)
        } catch let error as IssuerError {
            try? fm.removeItem(at: staging)
            throw error
        } catch {
            try? fm.removeItem(at: staging)
            throw IssuerError("cannot create the issuer at \(folder.path): \(error.localizedDescription)")
        }
        return try open(at: folder, secrets: secrets, clock: clock)
    }

    /// A new document signer for `authority` under the root: key, certificate (C, OU and the
    /// validity FORMAT §4 asks for), files, trust folder, and the settings entry made active.
    static func makeSigner(for authority: IssuerSettings.Authority, root: Certificate, rootKey: any RawSigner, keys: IssuerKeys,
                           layout: IssuerDirectory, settings: inout IssuerSettings, now: Int64) throws(IssuerError) {
        let (key, label) = try keys.newKey(role: "ds")
        let notBefore = now - 3600, notAfter = min(now + signerValidityDays * 86_400, root.notAfter)
        let certificate = try wrap {
            try CertificateBuilder.makeDocumentSigner(
                publicKey: key.publicKey,
                subject: .init(country: settings.country, organization: authority.name, organizationalUnit: authority.code,
                               commonName: "\(authority.code) Document Signer \(CalendarDate(utcDayOf: now)) \(Hex.encode(SecureRandom.bytes(2)))"),
                root: root, rootKey: rootKey, notBefore: notBefore, notAfter: notAfter)
        }
        let kidHex = Hex.encode(certificate.kid)
        try keys.save(key, to: layout.signerKeyFile(kidHex: kidHex))
        let pem = try wrap { try certificate.pem() }
        try FileWriter.write(pem, to: layout.signerCertificateFile(kidHex: kidHex))
        try FileWriter.write(pem, to: layout.trustFolder.appendingPathComponent("ds-\(kidHex).pem"))
        for i in (settings.signers ?? []).indices where settings.signers![i].authority == authority.code && settings.signers![i].state == .active {
            settings.signers![i].state = .retired
        }
        settings.signers = (settings.signers ?? []) + [IssuerSettings.SignerRecord(kid: kidHex, authority: authority.code, state: .active,
                                                                                  notBefore: notBefore, notAfter: notAfter, keyLabel: label)]
        settings.setActiveSigner(kidHex, for: authority.code)
    }

    /// Opens an existing issuer folder. Keys are loaded when first needed (with `secrets` when
    /// they are encrypted or in a token). The registry must be the one the settings name
    /// (``RegistryIdentity``); `access` `.readOnly` opens it for reading only.
    public static func open(at folder: URL, secrets: IssuerSecrets = IssuerSecrets(), access: Registry.Access = .readWrite,
                            clock: @escaping @Sendable () -> Int64 = systemClock) throws(IssuerError) -> Issuer {
        let layout = IssuerDirectory(root: folder)
        var settings = try readSettings(layout)
        if settings.signers == nil {
            // Settings of version 1 name only the active signer.
            let certificate = try readCertificate(layout.signerCertificateFile(kidHex: settings.activeSigner))
            settings.signers = [.init(kid: settings.activeSigner, authority: settings.authorityCode, state: .active,
                                      notBefore: certificate.notBefore, notAfter: certificate.notAfter)]
        }
        let root = try readCertificate(layout.rootCertificateFile)
        let (registry, adopted) = try Registry.open(try registryLocation(settings, layout: layout), expected: settings.registry, access: access, at: clock())
        if let adopted {
            settings.registry = adopted
            try writeSettings(settings, to: layout.settingsFile)
        }
        return Issuer(directory: layout, settings: settings, registry: registry, rootCertificate: root,
                      keys: IssuerKeys(storage: settings.keyStorage, directory: layout, secrets: secrets), clock: clock)
    }

    /// The environment variable that may hold a PostgreSQL registry's password.
    public static let registryPasswordVariable = "DL_REGISTRY_PASSWORD"

    /// Where the settings put the registry: `registry.sqlite` in the folder, or the PostgreSQL
    /// database they name, with its password from the password file they name, else from
    /// ``registryPasswordVariable``.
    static func registryLocation(_ settings: IssuerSettings, layout: IssuerDirectory) throws(IssuerError) -> RegistryLocation {
        guard let url = settings.registryAddress else { return .sqlite(layout.registryFile) }
        var password = ProcessInfo.processInfo.environment[registryPasswordVariable]
        if let file = settings.registryPasswordFile {
            let path = file.hasPrefix("/") ? file : layout.root.appendingPathComponent(file).path
            guard let data = FileManager.default.contents(atPath: path), data.count <= 4096,
                  let text = String(data: data, encoding: .utf8) else {
                throw IssuerError(.registryAddressInvalid, "cannot read the registry password file \(path) (a UTF-8 text file of at most 4 KiB)")
            }
            password = text.trimmingCharacters(in: .newlines)
        }
        return .postgres(try PostgresAddress(url: url, password: password))
    }

    /// The settings of the issuer folder `layout`.
    static func readSettings(_ layout: IssuerDirectory) throws(IssuerError) -> IssuerSettings {
        guard let data = FileManager.default.contents(atPath: layout.settingsFile.path) else {
            throw IssuerError(.notAnIssuerFolder, "\(layout.root.path) is not an issuer folder (no issuer.json)")
        }
        do { return try JSONDecoder().decode(IssuerSettings.self, from: data) }
        catch { throw IssuerError("\(layout.settingsFile.path) is damaged: \(error)") }
    }

    static func writeSettings(_ settings: IssuerSettings, to url: URL) throws(IssuerError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(settings) } catch { throw IssuerError("cannot encode the settings: \(error)") }
        try FileWriter.write([UInt8](data) + [10], to: url)
    }

    static func readCertificate(_ url: URL) throws(IssuerError) -> Certificate {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw IssuerError("cannot read \(url.path)") }
        guard let first = try wrap({ try Certificate.parseAll(pem: [UInt8](data)) }).first else {
            throw IssuerError("\(url.path) holds no PEM certificate")
        }
        return first
    }

    static func wrap<T>(_ body: () throws -> T) throws(IssuerError) -> T {
        do { return try body() } catch let error as IssuerError { throw error } catch { throw IssuerError("\(error)") }
    }
}
