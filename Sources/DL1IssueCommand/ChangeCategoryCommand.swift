import ArgumentParser
import DL1CommandSupport
import DL1Issuer

/// `dl-issue change-category NUMBER --add … --remove … --restrict …`.
public struct ChangeCategoryCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "change-category",
        abstract: "Add, remove or restrict vehicle categories: a new credential; the old one becomes SUPERSEDED.")

    @Argument(help: "The licence's document number.") public var number: String
    @OptionGroup public var issuerOption: IssuerOption
    @Option(name: .long, help: ArgumentHelp("A category to add: CODE:ISSUE[:EXPIRY]; repeatable.", valueName: "SPEC"))
    public var add: [String] = []
    @Option(name: .long, help: ArgumentHelp("A category to remove; repeatable.", valueName: "CODE"))
    public var remove: [String] = []
    @Option(name: .long, help: ArgumentHelp("Set a category's restrictions (empty text clears them); repeatable.", valueName: "CODE=TEXT"))
    public var restrict: [String] = []
    @OptionGroup public var outputOptions: OutputOptions
    @OptionGroup public var holderKeyOption: HolderKeyOption

    public init() {}

    public func validate() throws {
        try holderKeyOption.check(outputOptions)
        guard !add.isEmpty || !remove.isEmpty || !restrict.isEmpty else { throw ValidationError("say what changes: --add, --remove or --restrict") }
        let added = add.compactMap { $0.split(separator: ":").first.map(String.init) }
        if let both = added.first(where: remove.contains) { throw ValidationError("category \(both) is both added and removed") }
        for r in restrict where !r.contains("=") { throw ValidationError("--restrict '\(r)' must be CODE=TEXT, e.g. C1=glasses") }
    }

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("change-category", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            let added = try add.map { spec throws(IssuerError) in try HolderInput.parseCategory(spec).privilege }
            let restrictions = restrict.map { r -> (category: String, restriction: String) in
                let parts = r.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }
            let request = try outputOptions.request()
            let issued = try issuer.changeCategories(number, add: added, remove: remove, restrict: restrictions,
                                                     lifetime: outputOptions.lifetime, output: request,
                                                     holderKey: try holderKeyOption.load(), deliver: OutputOptions.deliver(request, console: console))
            OutputOptions.report(issued, verb: "Categories changed: new", console: console)
        }
    }
}
