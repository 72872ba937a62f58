import ArgumentParser
import DL1CommandSupport
import DL1Format
import DL1Issuer
import Foundation

/// `dl-issue init DIR`: a new issuer with its root CA, first document signer and registry.
public struct InitCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create an issuer: root CA, document signer, registry and trust/ folder.")

    @Argument(help: "The folder to create (must not exist, or be empty).")
    public var directory: String

    @Option(name: .long, help: "ISO 3166-1 alpha-2 country code, e.g. CN.")
    public var country: String

    @Option(name: .long, help: "Authority code: the codes' iss and the signer's OU, e.g. CN-31.")
    public var authorityCode: String

    @Option(name: .long, help: "Authority name, printed in the licence.")
    public var authorityName: String

    @Option(name: .long, help: ArgumentHelp("Status list URIs are this base followed by /N (default: https://dl.example/<authority-code>/status).", valueName: "URI"))
    public var statusUriBase: String?

    @Option(name: .long, help: ArgumentHelp("The URL 'dl-issue serve' will be reached at: status list URIs become URL/s/N (short, so codes stay small). Instead of --status-uri-base.", valueName: "URL"))
    public var publicBaseUrl: String?

    @Option(name: .long, help: "Entries per status list.")
    public var statusListCapacity: Int = 1_000_000

    @Option(name: .long, help: ArgumentHelp("How often verifiers should fetch a fresh status list (the tokens' ttl), e.g. 6h.", valueName: "DURATION"))
    public var statusTtl: String = "6h"

    @Option(name: .long, help: ArgumentHelp("How long a published status list stays usable (exp − iat), e.g. 48h.", valueName: "DURATION"))
    public var statusValidity: String = "48h"

    @Option(name: .long, help: ArgumentHelp("Comma-separated vehicle categories this issuer grants (default: the 17 Chinese classes).", valueName: "LIST"))
    public var categories: String?

    @Flag(name: .long, help: "Encrypt the key files (PKCS#8, AES-256) with the passphrase given by --passphrase-file or --passphrase-env.")
    public var encryptKeys = false

    @Option(name: .long, help: ArgumentHelp("A file holding the key passphrase.", valueName: "FILE")) public var passphraseFile: String?
    @Option(name: .long, help: ArgumentHelp("An environment variable holding the key passphrase.", valueName: "VAR")) public var passphraseEnv: String?

    @Option(name: .long, help: ArgumentHelp("Keep the keys in a PKCS#11 token: the module (e.g. /usr/lib/softhsm/libsofthsm2.so).", valueName: "PATH"))
    public var pkcs11Module: String?
    @Option(name: .long, help: ArgumentHelp("The token's label.", valueName: "LABEL")) public var tokenLabel: String?
    @Option(name: .long, help: ArgumentHelp("A file holding the token PIN.", valueName: "FILE")) public var pinFile: String?
    @Option(name: .long, help: ArgumentHelp("An environment variable holding the token PIN.", valueName: "VAR")) public var pinEnv: String?

    @Option(name: .long, help: ArgumentHelp("Keep the registry in PostgreSQL, in this empty database (postgres://USER@HOST[:PORT]/DATABASE, no password; ?sslmode=disable|require). Default: registry.sqlite in the folder.", valueName: "URL"))
    public var registry: String?
    @Option(name: .long, help: ArgumentHelp("A file holding the PostgreSQL password (default: the environment variable DL_REGISTRY_PASSWORD).", valueName: "FILE"))
    public var registryPasswordFile: String?

    public init() {}

    public func validate() throws {
        if encryptKeys && passphraseFile == nil && passphraseEnv == nil { throw ValidationError("--encrypt-keys needs --passphrase-file or --passphrase-env") }
        if !encryptKeys && (passphraseFile != nil || passphraseEnv != nil) { throw ValidationError("a passphrase goes with --encrypt-keys") }
        if (pkcs11Module == nil) != (tokenLabel == nil) { throw ValidationError("--pkcs11-module and --token-label go together") }
        if pkcs11Module != nil && pinFile == nil && pinEnv == nil { throw ValidationError("a PKCS#11 token needs --pin-file or --pin-env") }
        if pkcs11Module != nil && encryptKeys { throw ValidationError("keys in a token are not files: drop --encrypt-keys") }
        if pkcs11Module == nil && (pinFile != nil || pinEnv != nil) { throw ValidationError("a PIN goes with --pkcs11-module") }
        if publicBaseUrl != nil && statusUriBase != nil { throw ValidationError("give --public-base-url or --status-uri-base, not both") }
        if let publicBaseUrl {
            guard let url = URL(string: publicBaseUrl), ["http", "https"].contains(url.scheme ?? ""), url.host != nil, url.query == nil else {
                throw ValidationError("--public-base-url '\(publicBaseUrl)' is not an http or https URL without a query")
            }
        }
        if registry == nil && registryPasswordFile != nil { throw ValidationError("--registry-password-file goes with --registry") }
        guard let ttl = OutputOptions.parseDuration(statusTtl) else { throw ValidationError("--status-ttl '\(statusTtl)' is not a duration such as 6h") }
        guard let validity = OutputOptions.parseDuration(statusValidity) else {
            throw ValidationError("--status-validity '\(statusValidity)' is not a duration such as 48h")
        }
        guard ttl <= validity else { throw ValidationError("--status-ttl must not exceed --status-validity") }
        guard validity <= 31 * 86_400 else { throw ValidationError("--status-validity must be at most 31 days: a handheld must not trust old revocation data longer") }
    }

    public func execute(console: Console) -> Int32 {
        var settings = IssuerSettings(
            country: country, authorityCode: authorityCode, authorityName: authorityName,
            statusURIBase: statusUriBase ?? publicBaseUrl.map { String($0.reversed().drop { $0 == "/" }.reversed()) + "/s" }
                ?? "https://dl.example/\(authorityCode)/status",
            statusListCapacity: statusListCapacity, statusTimeToLive: OutputOptions.parseDuration(statusTtl)!,
            statusValidity: OutputOptions.parseDuration(statusValidity)!,
            categories: categories.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                ?? IssuerSettings.chineseCategories,
            activeSigner: "")
        if let pkcs11Module, let tokenLabel {
            settings.keyStorage = IssuerSettings.KeyStorage(kind: "pkcs11", module: pkcs11Module, tokenLabel: tokenLabel)
        } else if encryptKeys {
            settings.keyStorage = IssuerSettings.KeyStorage(kind: "files", encrypted: true)
        }
        if let registry {
            settings.registryAddress = registry
            settings.registryPasswordFile = registryPasswordFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        }
        do {
            if let registry {
                // Checked here so that the message names the option; the password is never echoed.
                do throws(IssuerError) { _ = try PostgresAddress(url: registry) } catch { throw IssuerError(error.code, "--registry: \(error.description)") }
            }
            let secrets = IssuerSecrets(passphrase: try IssuerOption.secret(file: passphraseFile, env: passphraseEnv, what: "passphrase"),
                                        pin: try IssuerOption.secret(file: pinFile, env: pinEnv, what: "PIN"))
            let issuer = try Issuer.create(at: URL(fileURLWithPath: directory), settings: settings, secrets: secrets)
            let signer = try issuer.primarySigner()
            console.out("Created issuer \(authorityCode) in \(directory)")
            console.out("  root:            \(issuer.rootCertificate.subject)")
            console.out("  document signer: kid \(Hex.encode(signer.kid)), valid until \(CalendarDate(utcDayOf: signer.certificate.notAfter))")
            console.out("  keys:            \(pkcs11Module != nil ? "in the PKCS#11 token \(tokenLabel!)" : encryptKeys ? "encrypted PEM files in private/" : "PEM files in private/ (mode 0600)")")
            console.out("  registry:        \(registry.map { "PostgreSQL \((try? PostgresAddress(url: $0))?.description ?? $0)" } ?? "registry.sqlite (SQLite)")")
            console.out("  trust folder:    \(issuer.directory.trustFolder.path) (copy it to verifiers)")
            return 0
        } catch let error as IssuerError {
            IssuerCommand.report(error, command: "init", issuer: directory, console: console)
            return usageExitCode
        } catch {
            console.err("dl-issue init: \(error)")
            return usageExitCode
        }
    }
}
