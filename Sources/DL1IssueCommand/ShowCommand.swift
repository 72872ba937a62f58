import ArgumentParser
import DL1CommandSupport
import DL1Format
import DL1Issuer
import DL1Verifier

/// `dl-issue show NUMBER [--json]`: current state and full history.
public struct ShowCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a licence's current state and full history.")

    @Argument(help: "The licence's document number.") public var number: String
    @OptionGroup public var issuerOption: IssuerOption
    @Flag(name: .long, help: "As one JSON object.") public var json = false

    public init() {}

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("show", issuer: issuerOption, console: console, reportPending: false, access: .readOnly) { issuer throws(IssuerError) in
            let history = try issuer.history(number)
            let current = history.current!
            if json {
                console.out(JSONValue.object([
                    ("document_number", .string(number)),
                    ("status", .string(current.status.description)),
                    ("current", current.json),
                    ("credentials", .array(history.credentials.map(\.json))),
                    ("events", .array(history.events.map(\.json))),
                ]).serialized)
                return
            }
            let l = current.licence
            console.out("\(number): \(current.status) (credential \(Hex.encode(current.credentialID)), \(current.state.rawValue))")
            console.out("  Holder:     \(TextSafety.sanitized([l.familyName, l.givenName].compactMap { $0 }.joined(separator: " "))), born \(l.birthDate)")
            console.out("  Licence:    issued \(l.issueDate), expires \(l.expiryDate)")
            console.out("  Categories: " + l.privileges.map { p in
                "\(p.category) from \(p.issueDate)" + (p.expiryDate.map { " to \($0)" } ?? "") + (p.restrictions.map { " (\(TextSafety.sanitized($0)))" } ?? "")
            }.joined(separator: "; "))
            console.out("  Points:     \(l.points.remaining)/\(l.points.maximum), cycle ends \(l.points.cycleEnd)")
            console.out("  Status:     \(current.list.uri) #\(current.index)")
            console.out("  Binding:    " + (current.holderKey.map { "bound to the holder's device, key thumbprint \($0.thumbprint)" } ?? "none (a plain DL1 code)"))
            console.out("History:")
            for event in history.events {
                console.out("  \(Instant.iso(event.at))  \(event.kind.padding(toLength: 16, withPad: " ", startingAt: 0)) \(Hex.encode(event.credentialID).prefix(8))  \(TextSafety.sanitized(event.detail ?? ""))")
            }
        }
    }
}

extension CredentialRecord {
    /// The record as JSON (dates ISO 8601, bytes hex).
    var json: JSONValue {
        .object([
            ("cti", .string(Hex.encode(credentialID))),
            ("status", .string(status.description)),
            ("state", .string(state.rawValue)),
            ("status_list", .string(list.uri)),
            ("idx", .int(Int64(index))),
            ("created_at", .string(Instant.iso(createdAt))),
            ("code_issued_at", .string(Instant.iso(issuedAt))),
            ("code_expires_at", .string(Instant.iso(expiresAt))),
            ("superseded_by", supersededBy.map { .string(Hex.encode($0)) } ?? .null),
            ("holder_key_thumbprint", holderKey.map { .string($0.thumbprint) } ?? .null),
            ("licence", licence.json(asOf: issuedAt)),
        ])
    }
}

extension EventRecord {
    var json: JSONValue {
        .object([("at", .string(Instant.iso(at))), ("kind", .string(kind)), ("cti", .string(Hex.encode(credentialID))),
                 ("detail", detail.map { .string($0) } ?? .null)])
    }
}
