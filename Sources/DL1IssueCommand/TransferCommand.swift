import ArgumentParser
import DL1CommandSupport
import DL1Issuer

/// `dl-issue transfer NUMBER --to AUTHORITY`: the licence moves to another authority.
public struct TransferCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Move a licence to another authority: a new credential under it; the old authority's credential becomes SUPERSEDED, in one transaction.")

    @Argument(help: "The licence's document number.") public var number: String
    @Option(name: .long, help: ArgumentHelp("The authority code that takes the licence over (see 'dl-issue authority add').", valueName: "AUTHORITY"))
    public var to: String
    @OptionGroup public var issuerOption: IssuerOption
    @OptionGroup public var outputOptions: OutputOptions
    @OptionGroup public var holderKeyOption: HolderKeyOption

    public init() {}

    public func validate() throws { try holderKeyOption.check(outputOptions) }

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("transfer", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            let request = try outputOptions.request()
            let issued = try issuer.transfer(number, to: to, lifetime: outputOptions.lifetime, output: request,
                                             holderKey: try holderKeyOption.load(), deliver: OutputOptions.deliver(request, console: console))
            OutputOptions.report(issued, verb: "Transferred to \(to): new", console: console)
        }
    }
}
