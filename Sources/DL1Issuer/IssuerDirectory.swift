import Foundation

/// Where an issuer keeps its files, relative to its folder.
public struct IssuerDirectory: Sendable {
    /// The issuer's folder.
    public let root: URL

    /// The layout under `root`.
    public init(root: URL) { self.root = root }

    /// `issuer.json`: the settings.
    public var settingsFile: URL { root.appendingPathComponent("issuer.json") }
    /// `private/`: private keys, mode 0700, each file 0600.
    public var privateFolder: URL { root.appendingPathComponent("private") }
    /// `certs/`: every certificate the issuer made.
    public var certificatesFolder: URL { root.appendingPathComponent("certs") }
    /// `trust/`: exactly what a verifier needs (root and document-signer certificates).
    public var trustFolder: URL { root.appendingPathComponent("trust") }
    /// `published/`: the last Status List Token published for each list (`<name>.cwt`), the
    /// record that keeps publication monotonic.
    public var publishedFolder: URL { root.appendingPathComponent("published") }
    /// `registry.sqlite`: the registry.
    public var registryFile: URL { root.appendingPathComponent("registry.sqlite") }

    /// The root's private key.
    public var rootKeyFile: URL { privateFolder.appendingPathComponent("root.key.pem") }
    /// The root certificate (issuer's copy).
    public var rootCertificateFile: URL { certificatesFolder.appendingPathComponent("root.pem") }
    /// A document signer's private key.
    public func signerKeyFile(kidHex: String) -> URL { privateFolder.appendingPathComponent("ds-\(kidHex).key.pem") }
    /// A document signer's certificate (issuer's copy).
    public func signerCertificateFile(kidHex: String) -> URL { certificatesFolder.appendingPathComponent("ds-\(kidHex).pem") }
}
