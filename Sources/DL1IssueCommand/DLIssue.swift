import ArgumentParser
import DL1CommandSupport

/// `dl-issue`: an issuing authority's tool (keys, registry, signed codes, status lists).
public struct DLIssue: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dl-issue",
        abstract: "Issue signed DL1 driving-licence codes and publish their status lists.",
        subcommands: [InitCommand.self, IssueCommand.self, RenewCommand.self, ChangeCategoryCommand.self, ReissueCommand.self,
                      PointsCommand.self, SuspendCommand.self, ReinstateCommand.self, RevokeCommand.self, RefreshCommand.self,
                      ShowCommand.self, ListCommand.self, StatusListCommand.self, ExportBundleCommand.self, BatchCommand.self,
                      PendingCommand.self])

    public init() {}
}

/// The issuer folder, shared by every command that works on one.
public struct IssuerOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The issuer folder made by 'dl-issue init'.", valueName: "DIR"))
    public var issuer: String

    public init() {}
}
