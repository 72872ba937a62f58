import ArgumentParser
import DL1CommandSupport
import DL1Format
import DL1Issuer

/// `dl-issue points NUMBER --deduct N --reason … | --restore N | --reset`.
public struct PointsCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "points",
        abstract: "Change the penalty-point balance and write a fresh code of the same credential.",
        discussion: "When no points remain, the licence is SUSPENDED until 'reinstate'.")

    @Argument(help: "The licence's document number.") public var number: String
    @OptionGroup public var issuerOption: IssuerOption
    @Option(name: .long, help: "Points to take away (needs --reason).") public var deduct: UInt64?
    @Option(name: .long, help: "The offence, for --deduct.") public var reason: String?
    @Option(name: .long, help: "Points to give back.") public var restore: UInt64?
    @Flag(name: .long, help: "Start a new scoring cycle: full balance, cycle end one year later.") public var reset = false
    @OptionGroup public var outputOptions: OutputOptions

    public init() {}

    public func validate() throws {
        let chosen = [deduct != nil, restore != nil, reset].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("give exactly one of --deduct N, --restore N or --reset") }
        if deduct != nil, reason?.trimmingCharacters(in: .whitespaces).isEmpty ?? true { throw ValidationError("--deduct needs --reason") }
        if reason != nil, deduct == nil { throw ValidationError("--reason goes with --deduct") }
    }

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("points", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            let change: PointsChange
            if let deduct {
                change = .deduct(deduct, reason: reason!)
            } else if let restore { change = .restore(restore) } else { change = .reset }
            let request = try outputOptions.request()
            let (code, suspended) = try issuer.changePoints(number, change, lifetime: outputOptions.lifetime, output: request,
                                                             deliver: OutputOptions.deliver(request, console: console))
            let points = code.claims.licence.points
            console.err("Points of \(number): \(points.remaining)/\(points.maximum), cycle ends \(points.cycleEnd)")
            if suspended { console.err("No points left: the licence is now SUSPENDED until 'dl-issue reinstate \(number)'") }
            OutputOptions.report(code, verb: "Fresh code of", console: console)
        }
    }
}
