import ArgumentParser
import DL1CommandSupport
import DL1Issuer

/// `dl-issue renew NUMBER --expiry-date D`: a new credential with a new expiry date.
public struct RenewCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "renew", abstract: "Renew a licence: a new credential with a new expiry date; the old one becomes SUPERSEDED.")

    @Argument(help: "The licence's document number.") public var number: String
    @OptionGroup public var issuerOption: IssuerOption
    @Option(name: .long, help: ArgumentHelp("The new last valid day.", valueName: "DATE")) public var expiryDate: String
    @OptionGroup public var outputOptions: OutputOptions
    @OptionGroup public var holderKeyOption: HolderKeyOption

    public init() {}

    public func validate() throws { try holderKeyOption.check(outputOptions) }

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("renew", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            let date = try HolderInput.date(expiryDate, "--expiry-date")
            let request = try outputOptions.request()
            let issued = try issuer.renew(number, expiryDate: date, lifetime: outputOptions.lifetime, output: request,
                                          holderKey: try holderKeyOption.load(), deliver: OutputOptions.deliver(request, console: console))
            OutputOptions.report(issued, verb: "Renewed: new", console: console)
        }
    }
}
