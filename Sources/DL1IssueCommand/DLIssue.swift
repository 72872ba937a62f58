import ArgumentParser
import DL1CommandSupport
import DL1Issuer
import Foundation

/// `dl-issue`: an issuing authority's tool (keys, registry, signed codes, status lists).
public struct DLIssue: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dl-issue",
        abstract: "Issue signed DL1 driving-licence codes and publish their status lists.",
        subcommands: [InitCommand.self, IssueCommand.self, RenewCommand.self, ChangeCategoryCommand.self, ReissueCommand.self, TransferCommand.self,
                      PointsCommand.self, SuspendCommand.self, ReinstateCommand.self, RevokeCommand.self, RefreshCommand.self,
                      ShowCommand.self, ListCommand.self, StatusListCommand.self, ExportBundleCommand.self, BatchCommand.self,
                      KeysCommand.self, AuthorityCommand.self, PendingCommand.self,
                      BackupCommand.self, RestoreCommand.self, CheckCommand.self,
                      EnrolCodeCommand.self, ApplicationsCommand.self, ServeCommand.self])

    public init() {}
}

/// The issuer folder, and where the secrets that unlock its keys come from (files or
/// environment variables, never the command line), shared by every command that works on one.
public struct IssuerOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The issuer folder made by 'dl-issue init'.", valueName: "DIR"))
    public var issuer: String

    @OptionGroup public var secretOptions: SecretOptions

    public init() {}

    /// The secrets named by the options.
    public func secrets() throws(IssuerError) -> IssuerSecrets {
        do {
            let (passphrase, pin) = try secretOptions.read()
            return IssuerSecrets(passphrase: passphrase, pin: pin)
        } catch { throw IssuerError(error.description) }
    }

    static func secret(file: String?, env: String?, what: String) throws(IssuerError) -> String? {
        do { return try Secret.read(file: file, env: env, what: what) }
        catch { throw IssuerError(error.description) }
    }
}
