import DL1Crypto
import DL1Format
import DL1QREncode
import DL1Verifier
import Foundation

/// An issuing authority: its keys, settings and registry, and the operations on them.
public final class Issuer: Sendable {
    /// The folder layout.
    public let directory: IssuerDirectory
    /// The settings.
    public let settings: IssuerSettings
    /// The registry.
    public let registry: Registry
    /// The root certificate.
    public let rootCertificate: Certificate
    /// The active document signer.
    public let signer: any DocumentSigner
    /// The current time, seconds since the epoch (injected for tests).
    public let clock: @Sendable () -> Int64

    /// The system clock.
    public static let systemClock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

    init(directory: IssuerDirectory, settings: IssuerSettings, registry: Registry, rootCertificate: Certificate,
         signer: any DocumentSigner, clock: @escaping @Sendable () -> Int64) {
        self.directory = directory
        self.settings = settings
        self.registry = registry
        self.rootCertificate = rootCertificate
        self.signer = signer
        self.clock = clock
    }

    /// Document-signer certificates are valid this long (FORMAT and issue: at most 457 days).
    public static let signerValidityDays: Int64 = 365
    /// The root is valid this long.
    public static let rootValidityDays: Int64 = 15 * 366

    /// Creates a new issuer in `folder` (which must not exist or be empty): a root CA, a first
    /// document signer, the settings, the registry and the `trust/` folder. The folder appears
    /// complete or not at all.
    public static func create(at folder: URL, settings proposed: IssuerSettings,
                              clock: @escaping @Sendable () -> Int64 = systemClock) throws(IssuerError) -> Issuer {
        try proposed.validate()
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
            let rootKey = try wrap { try P256PrivateKey() }
            let root = try wrap {
                try CertificateBuilder.makeRoot(key: rootKey, subject: .init(country: proposed.country, organization: proposed.authorityName,
                                                                            commonName: "\(proposed.authorityName) DL1 Root"),
                                                notBefore: now - 3600, notAfter: now + rootValidityDays * 86_400)
            }
            let dsKey = try wrap { try P256PrivateKey() }
            let ds = try wrap {
                try CertificateBuilder.makeDocumentSigner(
                    publicKey: dsKey.publicKey,
                    subject: .init(country: proposed.country, organization: proposed.authorityName,
                                   organizationalUnit: proposed.authorityCode,
                                   commonName: "\(proposed.authorityCode) Document Signer \(CalendarDate(utcDayOf: now))"),
                    root: root, rootKey: rootKey, notBefore: now - 3600, notAfter: now + signerValidityDays * 86_400)
            }
            let kidHex = Hex.encode(ds.kid)
            var settings = proposed
            settings.activeSigner = kidHex
            try FileWriter.write(try wrap { try rootKey.pkcs8PEM() }, to: layout.rootKeyFile, permissions: 0o600)
            try FileWriter.write(try wrap { try dsKey.pkcs8PEM() }, to: layout.signerKeyFile(kidHex: kidHex), permissions: 0o600)
            let rootPEM = try wrap { try root.pem() }, dsPEM = try wrap { try ds.pem() }
            try FileWriter.write(rootPEM, to: layout.rootCertificateFile)
            try FileWriter.write(dsPEM, to: layout.signerCertificateFile(kidHex: kidHex))
            try FileWriter.write(rootPEM, to: layout.trustFolder.appendingPathComponent("root.pem"))
            try FileWriter.write(dsPEM, to: layout.trustFolder.appendingPathComponent("ds-\(kidHex).pem"))
            try writeSettings(settings, to: layout.settingsFile)
            _ = try Registry(url: layout.registryFile)
            if fm.fileExists(atPath: folder.path) { try? fm.removeItem(at: folder) }
            try fm.moveItem(at: staging, to: folder)
        } catch let error as IssuerError {
            try? fm.removeItem(at: staging)
            throw error
        } catch {
            try? fm.removeItem(at: staging)
            throw IssuerError("cannot create the issuer at \(folder.path): \(error.localizedDescription)")
        }
        return try open(at: folder, clock: clock)
    }

    /// Opens an existing issuer folder.
    public static func open(at folder: URL, clock: @escaping @Sendable () -> Int64 = systemClock) throws(IssuerError) -> Issuer {
        let layout = IssuerDirectory(root: folder)
        guard let data = FileManager.default.contents(atPath: layout.settingsFile.path) else {
            throw IssuerError("\(folder.path) is not an issuer folder (no issuer.json): create one with 'dl-issue init'")
        }
        let settings: IssuerSettings
        do { settings = try JSONDecoder().decode(IssuerSettings.self, from: data) }
        catch { throw IssuerError("\(layout.settingsFile.path) is damaged: \(error)") }
        let root = try readCertificate(layout.rootCertificateFile)
        let certificate = try readCertificate(layout.signerCertificateFile(kidHex: settings.activeSigner))
        let key = try readPrivateKey(layout.signerKeyFile(kidHex: settings.activeSigner))
        let signer = try KeySigner(certificate: certificate, key: key)
        let registry = try Registry(url: layout.registryFile)
        return Issuer(directory: layout, settings: settings, registry: registry, rootCertificate: root, signer: signer, clock: clock)
    }

    static func writeSettings(_ settings: IssuerSettings, to url: URL) throws(IssuerError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
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

    /// Reads a private key file, refusing one that group or others can read.
    static func readPrivateKey(_ url: URL) throws(IssuerError) -> P256PrivateKey {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              let permissions = attributes[.posixPermissions] as? Int else {
            throw IssuerError("cannot read the private key \(url.path)")
        }
        guard permissions & 0o077 == 0 else {
            throw IssuerError("the private key \(url.path) is readable by group or others (mode \(String(permissions, radix: 8))): run 'chmod 600 \(url.path)'")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw IssuerError("cannot read the private key \(url.path)") }
        return try wrap { try P256PrivateKey(pem: [UInt8](data)) }
    }

    static func wrap<T>(_ body: () throws -> T) throws(IssuerError) -> T {
        do { return try body() } catch let error as IssuerError { throw error } catch { throw IssuerError("\(error)") }
    }
}
