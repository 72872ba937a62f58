import ArgumentParser
import DL1CommandSupport
import DL1Format
import DL1Issuer
import DL1QREncode
import DL1Verifier
import Foundation

/// `dl-issue keys …`: the document signers' lifecycle.
public struct KeysCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Document-signer keys: list, rotate, withdraw, and re-sign the codes of a withdrawn key.",
        subcommands: [List.self, Rotate.self, Withdraw.self, Reissue.self])

    public init() {}

    /// `keys list`.
    public struct List: ConsoleCommand {
        public static let configuration = CommandConfiguration(commandName: "list", abstract: "Every document signer: kid, authority, validity, state, codes signed.")
        @OptionGroup public var issuerOption: IssuerOption
        public init() {}

        public func execute(console: Console) -> Int32 {
            IssuerCommand.run("keys list", issuer: issuerOption, console: console, reportPending: false, access: .readOnly) { issuer throws(IssuerError) in
                for summary in try issuer.signerSummaries() {
                    let r = summary.record
                    var line = "\(r.kid)  \(r.authority)  \(CalendarDate(utcDayOf: r.notBefore)) to \(CalendarDate(utcDayOf: r.notAfter))  \(r.state.rawValue)"
                    if let at = r.withdrawnAt { line += " \(CalendarDate(utcDayOf: at)) (\(r.withdrawalReason ?? ""))" }
                    line += "  \(summary.codesSigned) code(s)"
                    if let last = summary.lastCodeExpiry { line += ", last expires \(Instant.iso(last))" }
                    if r.keyLabel != nil { line += "  [token key]" }
                    console.out(line)
                }
            }
        }
    }

    /// `keys rotate`.
    public struct Rotate: ConsoleCommand {
        public static let configuration = CommandConfiguration(
            commandName: "rotate", abstract: "A new document signer signs from now on; the old one is retired and stays trusted while its codes are unexpired.")
        @OptionGroup public var issuerOption: IssuerOption
        @Option(name: .long, help: "The authority whose signer rotates (default: the first).") public var authority: String?
        public init() {}

        public func execute(console: Console) -> Int32 {
            IssuerCommand.run("keys rotate", issuer: issuerOption, console: console, reportPending: false, exclusive: true) { issuer throws(IssuerError) in
                let updated = try issuer.rotateSigner(authority: authority)
                let code = authority ?? updated.authorityCode
                let active = updated.authorities.first { $0.code == code }?.activeSigner ?? "?"
                console.out("New document signer for \(code): kid \(active). Copy \(issuer.directory.trustFolder.path) to verifiers (or export a bundle).")
            }
        }
    }

    /// `keys withdraw KID --reason R`.
    public struct Withdraw: ConsoleCommand {
        public static let configuration = CommandConfiguration(
            commandName: "withdraw",
            abstract: "Withdraw a document signer (its key is compromised or no longer used): the root issues a CRL; every code it signed answers UNTRUSTED_SIGNER.")
        @Argument(help: "The signer's kid (hex; at least 4 leading digits).") public var kid: String
        @OptionGroup public var issuerOption: IssuerOption
        @Option(name: .long, help: "keyCompromise, affiliationChanged, superseded or cessationOfOperation.") public var reason: String
        public init() {}

        public func validate() throws {
            guard permanentWithdrawalReasons[reason] != nil else {
                throw ValidationError("--reason must be one of \(permanentWithdrawalReasons.keys.sorted().joined(separator: ", "))")
            }
        }

        public func execute(console: Console) -> Int32 {
            IssuerCommand.run("keys withdraw", issuer: issuerOption, console: console, reportPending: false, exclusive: true) { issuer throws(IssuerError) in
                let updated = try issuer.withdrawSigner(kid: kid, reason: reason)
                console.out("Withdrew \(kid) (\(reason)); CRL number \(updated.crlNumber ?? 0) written to \(issuer.directory.trustFolder.path)/root.crl.pem.")
                console.out("Give its holders fresh codes: 'dl-issue keys reissue \(kid) --issuer \(issuer.directory.root.path) --output-dir DIR'.")
            }
        }
    }

    /// `keys reissue KID --output-dir DIR`.
    public struct Reissue: ConsoleCommand {
        public static let configuration = CommandConfiguration(
            commandName: "reissue", abstract: "A fresh code, signed by the active signer, for every live credential a given signer signed (same credentials, same status entries).")
        @Argument(help: "The signer's kid (hex).") public var kid: String
        @OptionGroup public var issuerOption: IssuerOption
        @Option(name: .long, help: ArgumentHelp("Folder for the fresh codes.", valueName: "DIR")) public var outputDir: String
        @Option(name: .long, help: "png, svg or txt.") public var format: String = "png"
        @Option(name: .long, help: ArgumentHelp("How long each code is acceptable (default 24h).", valueName: "DURATION")) public var validFor: String?
        public init() {}

        public func validate() throws {
            guard let f = OutputRequest.Format(rawValue: format.lowercased()), f != .terminal else { throw ValidationError("--format must be png, svg or txt") }
            if let validFor, OutputOptions.parseDuration(validFor) == nil { throw ValidationError("--valid-for '\(validFor)' is not a duration such as 24h") }
        }

        public func execute(console: Console) -> Int32 {
            IssuerCommand.run("keys reissue", issuer: issuerOption, console: console, exclusive: true) { issuer throws(IssuerError) in
                let count = try issuer.resignCodes(of: kid, into: URL(fileURLWithPath: outputDir), format: OutputRequest.Format(rawValue: format.lowercased())!,
                                                   errorCorrection: .medium, scale: 8, lifetime: .seconds(OutputOptions.parseDuration(validFor ?? "24h")!))
                console.out("Wrote \(count) fresh code(s) into \(outputDir).")
            }
        }
    }
}

/// `dl-issue authority add`.
public struct AuthorityCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "authority", abstract: "Authorities under this issuer's root.",
                                                           subcommands: [Add.self])
    public init() {}

    public struct Add: ConsoleCommand {
        public static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an authority with its own document signer under the same root.")
        @OptionGroup public var issuerOption: IssuerOption
        @Option(name: .long, help: "Its code: the codes' iss and its signer's OU, e.g. CN-11.") public var authorityCode: String
        @Option(name: .long, help: "Its name, printed in the licence.") public var authorityName: String
        public init() {}

        public func execute(console: Console) -> Int32 {
            IssuerCommand.run("authority add", issuer: issuerOption, console: console, reportPending: false, exclusive: true) { issuer throws(IssuerError) in
                let updated = try issuer.addAuthority(code: authorityCode, name: authorityName)
                let kid = updated.authorities.first { $0.code == authorityCode }?.activeSigner ?? "?"
                console.out("Added authority \(authorityCode) with document signer \(kid); issue for it with --authority \(authorityCode).")
            }
        }
    }
}
