import ArgumentParser
import DL1CommandSupport
import DL1Format
import DL1Issuer
import DL1Verifier

/// `dl-issue list [--status S] [--category C] [--expiring-before D] [--json]`.
public struct ListCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List licences (each one's latest credential), with filters.")

    @OptionGroup public var issuerOption: IssuerOption
    @Option(name: .long, help: "valid, suspended or revoked.") public var status: String?
    @Option(name: .long, help: "Only licences holding this category.") public var category: String?
    @Option(name: .long, help: ArgumentHelp("Only licences expiring before this date.", valueName: "DATE")) public var expiringBefore: String?
    @Flag(name: .long, help: "One JSON object per line.") public var json = false

    public init() {}

    static let statuses: [String: CredentialStatus] = ["valid": .valid, "revoked": .invalid, "invalid": .invalid, "suspended": .suspended]

    public func validate() throws {
        if let status, Self.statuses[status.lowercased()] == nil { throw ValidationError("--status must be valid, suspended or revoked") }
        if let expiringBefore, CalendarDate(iso8601: expiringBefore) == nil { throw ValidationError("--expiring-before '\(expiringBefore)' is not a date YYYY-MM-DD") }
    }

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("list", issuer: issuerOption, console: console, reportPending: false, access: .readOnly) { issuer throws(IssuerError) in
            let filter = Registry.Filter(status: status.flatMap { Self.statuses[$0.lowercased()] }, category: category,
                                         expiringBefore: expiringBefore.flatMap(CalendarDate.init(iso8601:)))
            let records = try issuer.registry.latestCredentials(filter)
            for r in records {
                if json {
                    console.out(r.json.serialized)
                } else {
                    let l = r.licence
                    console.out([r.documentNumber, r.status.description, "expires \(l.expiryDate)",
                                 l.privileges.map(\.category).joined(separator: ","),
                                 "\(l.points.remaining)/\(l.points.maximum)",
                                 TextSafety.sanitized([l.familyName, l.givenName].compactMap { $0 }.joined(separator: " "))].joined(separator: "\t"))
                }
            }
            if !json { console.err("\(records.count) licence(s)") }
        }
    }
}
