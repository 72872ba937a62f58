import ArgumentParser
import DL1CommandSupport
import DL1Issuer
import Foundation

/// `dl-issue`: an issuing authority's tool (keys, registry, signed codes, status lists).
public struct DLIssue: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dl-issue",
        abstract: "Issue signed DL1 driving-licence codes and publish their status lists.",
        subcommands: [InitCommand.self, IssueCommand.self, RenewCommand.self, ChangeCategoryCommand.self, ReissueCommand.self,
                      PointsCommand.self, SuspendCommand.self, ReinstateCommand.self, RevokeCommand.self, RefreshCommand.self,
                      ShowCommand.self, ListCommand.self, StatusListCommand.self, ExportBundleCommand.self, BatchCommand.self,
                      KeysCommand.self, AuthorityCommand.self, PendingCommand.self,
                      BackupCommand.self, RestoreCommand.self, CheckCommand.self])

    public init() {}
}

/// The issuer folder, and where the secrets that unlock its keys come from (files or
/// environment variables, never the command line), shared by every command that works on one.
public struct IssuerOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The issuer folder made by 'dl-issue init'.", valueName: "DIR"))
    public var issuer: String

    @Option(name: .long, help: ArgumentHelp("A file holding the passphrase of encrypted key files.", valueName: "FILE"))
    public var passphraseFile: String?

    @Option(name: .long, help: ArgumentHelp("An environment variable holding that passphrase.", valueName: "VAR"))
    public var passphraseEnv: String?

    @Option(name: .long, help: ArgumentHelp("A file holding the PIN of the PKCS#11 token.", valueName: "FILE"))
    public var pinFile: String?

    @Option(name: .long, help: ArgumentHelp("An environment variable holding that PIN.", valueName: "VAR"))
    public var pinEnv: String?

    public init() {}

    public func validate() throws {
        if passphraseFile != nil && passphraseEnv != nil { throw ValidationError("give --passphrase-file or --passphrase-env, not both") }
        if pinFile != nil && pinEnv != nil { throw ValidationError("give --pin-file or --pin-env, not both") }
    }

    /// The secrets named by the options.
    public func secrets() throws(IssuerError) -> IssuerSecrets {
        IssuerSecrets(passphrase: try Self.secret(file: passphraseFile, env: passphraseEnv, what: "passphrase"),
                      pin: try Self.secret(file: pinFile, env: pinEnv, what: "PIN"))
    }

    static func secret(file: String?, env: String?, what: String) throws(IssuerError) -> String? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file), data.count <= 4096,
                  let text = String(data: data, encoding: .utf8) else { throw IssuerError("cannot read the \(what) file \(file)") }
            // Strip the line end as bytes ("\r\n" is a single Character in Swift).
            var bytes = Array(text.utf8)
            while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
            let secret = String(decoding: bytes, as: UTF8.self)
            guard !secret.isEmpty else { throw IssuerError("the \(what) file \(file) is empty") }
            return secret
        }
        if let env {
            guard let value = ProcessInfo.processInfo.environment[env], !value.isEmpty else {
                throw IssuerError("the environment variable \(env) (the \(what)) is not set")
            }
            return value
        }
        return nil
    }
}
