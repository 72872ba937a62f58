import ArgumentParser
import DL1CommandSupport
import DL1Crypto
import DL1Format
import DL1Issuer
import DL1Verifier
import Foundation

/// `dl-issue applications list|show|approve|reject`: enrolments that carry a new portrait.
public struct ApplicationsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "applications",
        abstract: "Enrolment applications with a new portrait: list them, look at the portrait, approve or reject.",
        subcommands: [ApplicationsListCommand.self, ApplicationsShowCommand.self, ApplicationsApproveCommand.self, ApplicationsRejectCommand.self])
    public init() {}
}

public struct ApplicationsListCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(commandName: "list", abstract: "List applications (pending ones unless --all).")
    @OptionGroup public var issuerOption: IssuerOption
    @Flag(name: .long, help: "Approved and rejected ones too.") public var all = false
    public init() {}

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("applications list", issuer: issuerOption, console: console, access: .readOnly) { issuer throws(IssuerError) in
            let found = try issuer.applications(all ? nil : .pending)
            for a in found {
                console.out("\(a.id)\t\(a.documentNumber)\t\(a.state.rawValue)\t\(Instant.iso(a.createdAt))\tportrait \(a.portraitSize) bytes, SHA-256 \(Hex.encode(a.portraitSHA256).prefix(16))…")
            }
            console.err("\(found.count) application(s)")
        }
    }
}

public struct ApplicationsShowCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an application and write its portrait to a file, for the officer to check.")
    @Argument(help: "The application id.") public var id: String
    @OptionGroup public var issuerOption: IssuerOption
    @Option(name: .long, help: ArgumentHelp("Write the portrait here (mode 0600).", valueName: "FILE")) public var portraitOut: String?
    public init() {}

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("applications show", issuer: issuerOption, console: console, access: .readOnly) { issuer throws(IssuerError) in
            let a = try issuer.application(id)
            let current = try? issuer.activeCredential(a.documentNumber)
            console.out("Application \(a.id): \(a.state.rawValue)")
            console.out("  Licence:  \(a.documentNumber)\(current.map { " (\($0.licence.familyName) \($0.licence.givenName ?? ""), born \($0.licence.birthDate))" } ?? "")")
            console.out("  Made:     \(Instant.iso(a.createdAt)), device key \(a.deviceKey.thumbprint.prefix(16))…")
            console.out("  Portrait: \(a.portraitSize) bytes, SHA-256 \(Hex.encode(a.portraitSHA256))")
            if let decided = a.decidedAt { console.out("  Decided:  \(Instant.iso(decided))\(a.reason.map { ": \($0)" } ?? "")") }
            if let portraitOut {
                let bytes = try issuer.applicationPortrait(id)
                let url = URL(fileURLWithPath: portraitOut)
                guard FileManager.default.createFile(atPath: url.path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                    throw IssuerError("cannot write the portrait to \(portraitOut)")
                }
                console.out("  Written:  \(portraitOut)")
            }
        }
    }
}

public struct ApplicationsApproveCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve an application: a new credential with its portrait, bound to its device, supersedes the current one; the device fetches it.")
    @Argument(help: "The application id.") public var id: String
    @OptionGroup public var issuerOption: IssuerOption
    @Option(name: .long, help: ArgumentHelp("Lifetime of the bound credential, e.g. 7d.", valueName: "DURATION")) public var credentialLifetime: String = "7d"
    public init() {}

    public func validate() throws {
        guard let seconds = OutputOptions.parseDuration(credentialLifetime), (60...90 * 86_400).contains(seconds) else {
            throw ValidationError("--credential-lifetime '\(credentialLifetime)' must be a duration from 1m to 90d")
        }
    }

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("applications approve", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            let code = try issuer.approveApplication(id, lifetime: .seconds(OutputOptions.parseDuration(credentialLifetime)!))
            console.out("Approved \(id): credential \(Hex.encode(code.credentialID)) for \(code.claims.licence.documentNumber), valid until \(Instant.iso(code.claims.expiresAt)); the device fetches it with 'dl-wallet application'.")
        }
    }
}

public struct ApplicationsRejectCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject an application; the device is told the reason.")
    @Argument(help: "The application id.") public var id: String
    @OptionGroup public var issuerOption: IssuerOption
    @Option(name: .long, help: "Why (the holder sees it).") public var reason: String
    public init() {}

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("applications reject", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            try issuer.rejectApplication(id, reason: reason)
            console.out("Rejected \(id).")
        }
    }
}
