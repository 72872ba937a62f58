import ArgumentParser
import DL1CommandSupport
import DL1Issuer

/// `dl-issue suspend NUMBER --reason …`.
public struct SuspendCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "suspend", abstract: "Suspend a licence (SUSPENDED in the status list) until 'reinstate'.")

    @Argument(help: "The licence's document number.") public var number: String
    @OptionGroup public var issuerOption: IssuerOption
    @Option(name: .long, help: "Why.") public var reason: String

    public init() {}

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("suspend", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            try issuer.suspend(number, reason: reason)
            console.out("Suspended \(number). Publish the status list ('dl-issue status-list') so verifiers learn of it.")
        }
    }
}

/// `dl-issue reinstate NUMBER`.
public struct ReinstateCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "reinstate", abstract: "End a suspension (VALID again). A revoked licence cannot be reinstated.")

    @Argument(help: "The licence's document number.") public var number: String
    @OptionGroup public var issuerOption: IssuerOption

    public init() {}

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("reinstate", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            try issuer.reinstate(number)
            console.out("Reinstated \(number). Publish the status list ('dl-issue status-list') so verifiers learn of it.")
            if let points = try? issuer.activeCredential(number).licence.points, points.maximum > 0, points.remaining == 0 {
                console.err("Note: \(number) has no points left; 'dl-issue points \(number) --reset' starts a new cycle.")
            }
        }
    }
}

/// `dl-issue revoke NUMBER --reason …`.
public struct RevokeCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a licence for good (INVALID in the status list): no reinstating or renewing after.")

    @Argument(help: "The licence's document number.") public var number: String
    @OptionGroup public var issuerOption: IssuerOption
    @Option(name: .long, help: "Why.") public var reason: String

    public init() {}

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("revoke", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            try issuer.revoke(number, reason: reason)
            console.out("Revoked \(number). Publish the status list ('dl-issue status-list') so verifiers learn of it.")
        }
    }
}

/// `dl-issue refresh NUMBER`: a new short-lived code for the current credential.
public struct RefreshCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "refresh", abstract: "A fresh code of the current credential (same cti and status entry), as a holder's phone fetches.")

    @Argument(help: "The licence's document number.") public var number: String
    @OptionGroup public var issuerOption: IssuerOption
    @OptionGroup public var outputOptions: OutputOptions
    @OptionGroup public var holderKeyOption: HolderKeyOption

    public init() {}

    public func validate() throws { try holderKeyOption.check(outputOptions) }

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("refresh", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            let request = try outputOptions.request()
            let code = try issuer.refresh(number, lifetime: outputOptions.lifetime, output: request, holderKey: try holderKeyOption.load(),
                                          deliver: OutputOptions.deliver(request, console: console))
            OutputOptions.report(code, verb: "Fresh code of", console: console)
        }
    }
}
