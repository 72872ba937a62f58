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

    @Option(name: .long, help: "Entries per status list.")
    public var statusListCapacity: Int = 1_000_000

    @Option(name: .long, help: ArgumentHelp("How often verifiers should fetch a fresh status list (the tokens' ttl), e.g. 6h.", valueName: "DURATION"))
    public var statusTtl: String = "6h"

    @Option(name: .long, help: ArgumentHelp("How long a published status list stays usable (exp − iat), e.g. 48h.", valueName: "DURATION"))
    public var statusValidity: String = "48h"

    @Option(name: .long, help: ArgumentHelp("Comma-separated vehicle categories this issuer grants (default: the 17 Chinese classes).", valueName: "LIST"))
    public var categories: String?

    public init() {}

    public func validate() throws {
        guard let ttl = OutputOptions.parseDuration(statusTtl) else { throw ValidationError("--status-ttl '\(statusTtl)' is not a duration such as 6h") }
        guard let validity = OutputOptions.parseDuration(statusValidity) else {
            throw ValidationError("--status-validity '\(statusValidity)' is not a duration such as 48h")
        }
        guard ttl <= validity else { throw ValidationError("--status-ttl must not exceed --status-validity") }
        guard validity <= 31 * 86_400 else { throw ValidationError("--status-validity must be at most 31 days: a handheld must not trust old revocation data longer") }
    }

    public func execute(console: Console) -> Int32 {
        let settings = IssuerSettings(
            country: country, authorityCode: authorityCode, authorityName: authorityName,
            statusURIBase: statusUriBase ?? "https://dl.example/\(authorityCode)/status",
            statusListCapacity: statusListCapacity, statusTimeToLive: OutputOptions.parseDuration(statusTtl)!,
            statusValidity: OutputOptions.parseDuration(statusValidity)!,
            categories: categories.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                ?? IssuerSettings.chineseCategories,
            activeSigner: "")
        do {
            let issuer = try Issuer.create(at: URL(fileURLWithPath: directory), settings: settings)
            console.out("Created issuer \(authorityCode) in \(directory)")
            console.out("  root:            \(issuer.rootCertificate.subject)")
            console.out("  document signer: kid \(Hex.encode(issuer.signer.kid)), valid until \(CalendarDate(utcDayOf: issuer.signer.certificate.notAfter))")
            console.out("  trust folder:    \(issuer.directory.trustFolder.path) (copy it to verifiers)")
            return 0
        } catch {
            console.err("dl-issue init: \(error)")
            return usageExitCode
        }
    }
}
