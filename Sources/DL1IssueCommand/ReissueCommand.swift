import ArgumentParser
import DL1CommandSupport
import DL1Issuer

/// `dl-issue reissue NUMBER`: the same data in a new credential (lost phone, damaged card).
public struct ReissueCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "reissue", abstract: "Reissue a licence with unchanged data: a new credential; the old one becomes SUPERSEDED.")

    @Argument(help: "The licence's document number.") public var number: String
    @OptionGroup public var issuerOption: IssuerOption
    @OptionGroup public var outputOptions: OutputOptions
    @OptionGroup public var holderKeyOption: HolderKeyOption

    public init() {}

    public func validate() throws { try holderKeyOption.check(outputOptions) }

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("reissue", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            let request = try outputOptions.request()
            let issued = try issuer.reissue(number, lifetime: outputOptions.lifetime, output: request,
                                            holderKey: try holderKeyOption.load(), deliver: OutputOptions.deliver(request, console: console))
            OutputOptions.report(issued, verb: "Reissued: new", console: console)
        }
    }
}
