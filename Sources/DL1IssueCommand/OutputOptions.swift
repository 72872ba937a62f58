import ArgumentParser
import DL1CommandSupport
import DL1Format
import DL1Issuer
import DL1QREncode
import DL1Verifier
import Foundation

/// How a command that makes a code writes it, and for how long the code is acceptable.
public struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("How long the code is acceptable: e.g. 24h, 90m, 7d, 3600s (default 24h).", valueName: "DURATION"))
    public var validFor: String?

    @Flag(name: .long, help: "The code lasts until the licence expires (a printed card).")
    public var validUntilExpiry = false

    @Option(name: .long, help: ArgumentHelp("Output file; its extension picks the format (.png, .svg, .txt). Without it the code's text goes to standard output.", valueName: "FILE"))
    public var output: String?

    @Option(name: .long, help: ArgumentHelp("png, svg, txt or terminal (default: from --output's extension).", valueName: "FORMAT"))
    public var format: String?

    @Option(name: .long, help: "QR error correction: L, M, Q or H.")
    public var ecc: String = "M"

    @Option(name: .long, help: "Pixels (PNG) or units (SVG) per module, 2 to 100.")
    public var scale: Int = 8

    public init() {}

    public func validate() throws {
        if validFor != nil && validUntilExpiry { throw ValidationError("--valid-for and --valid-until-expiry contradict each other") }
        if let validFor, Self.parseDuration(validFor) == nil {
            throw ValidationError("--valid-for '\(validFor)' is not a duration such as 24h, 90m, 7d or 3600s")
        }
        guard QRCodeMatrix.ErrorCorrection(rawValue: ecc.uppercased()) != nil else { throw ValidationError("--ecc must be L, M, Q or H") }
        guard (2...100).contains(scale) else { throw ValidationError("--scale must be between 2 and 100 (one pixel per module is too small to scan)") }
        if let format, OutputRequest.Format(rawValue: format.lowercased()) == nil {
            throw ValidationError("--format must be png, svg, txt or terminal")
        }
        if format?.lowercased() == "terminal", output != nil { throw ValidationError("--format terminal writes to the terminal: drop --output") }
    }

    /// The code's lifetime.
    public var lifetime: CodeLifetime {
        validUntilExpiry ? .untilLicenceExpiry : .seconds(Self.parseDuration(validFor ?? "24h")!)
    }

    /// Where the code goes; nil means its text on standard output.
    public func request() throws(IssuerError) -> OutputRequest? {
        let ecc = QRCodeMatrix.ErrorCorrection(rawValue: self.ecc.uppercased())!
        if let format, format.lowercased() == "terminal" {
            return OutputRequest(format: .terminal, file: nil, errorCorrection: ecc, scale: scale)
        }
        guard let output else {
            if let format { throw IssuerError("--format \(format) needs --output FILE") }
            return nil
        }
        let name = format?.lowercased() ?? URL(fileURLWithPath: output).pathExtension.lowercased()
        guard let chosen = OutputRequest.Format(rawValue: name), chosen != .terminal else {
            throw IssuerError("cannot tell the format of \(output): use a .png, .svg or .txt extension, or --format")
        }
        return OutputRequest(format: chosen, file: URL(fileURLWithPath: output), errorCorrection: ecc, scale: scale)
    }

    /// Prints a code that goes to the terminal or standard output; throws when that fails, so
    /// the credential is not marked written.
    public static func deliver(_ request: OutputRequest?, console: Console) -> (IssuedCode) throws -> Void {
        { issued in
            if let drawing = issued.terminalDrawing { console.write(drawing) }
            if request == nil { console.out(issued.text) }
            if console.writeFailed { throw IssuerError("cannot write the code to standard output") }
        }
    }

    /// The one-line report on standard error after a code was made.
    public static func report(_ issued: IssuedCode, verb: String, console: Console) {
        let version = issued.qrVersion.map { ", QR version \($0)" } ?? ""
        let destination = issued.destination.hasPrefix("/") ? " to \(issued.destination)" : ""
        console.err("\(verb) credential \(Hex.encode(issued.credentialID)) for \(issued.claims.licence.documentNumber)\(destination) (\(issued.text.count) characters\(version), valid until \(Instant.iso(issued.claims.expiresAt)))")
    }

    /// Seconds in a duration like `24h`, `90m`, `7d`, `3600s` or `3600`.
    public static func parseDuration(_ text: String) -> Int64? { DurationText.seconds(text) }
}

/// Runs a command body against an opened issuer, mapping every failure to exit code 2.
enum IssuerCommand {
    static func run(_ name: String, issuer option: IssuerOption, console: Console, reportPending: Bool = true, exclusive: Bool = false,
                    access: Registry.Access = .readWrite, _ body: (Issuer) throws(IssuerError) -> Void) -> Int32 {
        do {
            let folder = URL(fileURLWithPath: option.issuer)
            let lock = try IssuerLock(folder: folder, exclusive: exclusive)
            defer { withExtendedLifetime(lock) {} }
            let issuer = try Issuer.open(at: folder, secrets: option.secrets(), access: access)
            if reportPending { PendingReport.show(issuer, console: console) }
            try body(issuer)
            return 0
        } catch {
            report(error, command: name, issuer: option.issuer, console: console)
            return usageExitCode
        }
    }

    /// Prints a failure, with what to do next when its code calls for a command of this tool.
    static func report(_ error: IssuerError, command name: String, issuer folder: String, console: Console) {
        console.err("dl-issue \(name): \(error)")
        if let hint = hint(for: error.code, issuer: folder) { console.err("dl-issue: \(hint)") }
    }

    /// The next step for a failure of kind `code`, in this tool's words.
    static func hint(for code: IssuerError.Code, issuer folder: String) -> String? {
        switch code {
        case .registryMissing, .registryEmpty, .registryIdentityMismatch, .registryDamaged:
            return "restore the registry from a backup: 'dl-issue restore BACKUP --issuer \(folder)' (refused if it would undo published revocations; see --force)"
        case .publicationRegression:
            return "the registry lost a change it had published (restored from an old copy?): restore a newer backup, or 'dl-issue restore BACKUP --force' to carry the published statuses over; 'dl-issue check --issuer \(folder)' reports what else is wrong"
        case .publicationNotLater:
            return "check the system clock, or publish again in a second"
        case .pendingFromInterruptedRun:
            return "see 'dl-issue pending --issuer \(folder)' to list and revoke such credentials"
        case .invalidCountry: return "give --country as two capital letters"
        case .invalidAuthorityCode: return "check --authority-code"
        case .invalidAuthorityName: return "check --authority-name"
        case .invalidStatusURIBase: return "check --status-uri-base"
        case .invalidStatusListCapacity: return "check --status-list-capacity"
        case .invalidCategories: return "check --categories"
        case .noPrivileges: return "give --category (or driving_privileges in the holder file)"
        case .outputScaleOutOfRange: return "give --scale between 2 and 100"
        case .codeLifetimeOutOfRange: return "give --valid-for (at most 20 years)"
        case .codeTooLarge: return "shorten the names, authority or restrictions, or choose a lower --ecc"
        case .withdrawalReasonInvalid: return "give --reason as one of the permanent reasons listed"
        case .unknownSigner: return "see 'dl-issue keys list --issuer \(folder)'"
        case .noChangeGiven: return "say what changes: --add, --remove or --restrict"
        case .pointsChangeInvalid: return "give --deduct or --restore of at least 1"
        case .deliveryFailed: return "run 'dl-issue refresh NUMBER --issuer \(folder)' for a fresh code"
        case .passphraseNeeded: return "give --passphrase-file or --passphrase-env"
        case .pinNeeded: return "give --pin-file or --pin-env"
        case .notAnIssuerFolder: return "create one with 'dl-issue init'"
        case .activeCredentialExists: return "use renew, change-category, reissue or transfer"
        case .changedMeanwhile: return "run the command again"
        default:
            return nil
        }
    }
}
