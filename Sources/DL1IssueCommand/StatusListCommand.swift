import ArgumentParser
import DL1CommandSupport
import DL1Format
import DL1Issuer
import Foundation

/// `dl-issue status-list`: sign and write every status list.
public struct StatusListCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "status-list", abstract: "Write the signed Status List Token of every list as OUT/<name>.cwt.")

    @OptionGroup public var issuerOption: IssuerOption

    @Option(name: .long, help: ArgumentHelp("Folder to write the tokens to.", valueName: "OUT"))
    public var outputDir: String

    public init() {}

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("status-list", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            let files = try issuer.writeStatusLists(to: URL(fileURLWithPath: outputDir))
            if files.isEmpty { console.out("No status list yet: issue a licence first.") }
            for file in files { console.out("Wrote \(file.path)") }
        }
    }
}

/// Tells the user about credentials an interrupted run left pending.
enum PendingReport {
    /// A pending record younger than this may belong to a run still going on (two issuers
    /// working on one registry), so it is not reported.
    static let graceSeconds: Int64 = 120

    static func show(_ issuer: Issuer, console: Console) {
        let now = issuer.clock()
        guard let pending = try? issuer.registry.pending().filter({ $0.createdAt < now - graceSeconds }), !pending.isEmpty else { return }
        for p in pending {
            console.err("dl-issue: warning: credential \(Hex.encode(p.credentialID)) for document \(p.documentNumber) is still pending: a run was interrupted or failed, and its code may or may not have been written")
        }
        console.err("dl-issue: see 'dl-issue pending --issuer \(issuer.directory.root.path)' to revoke them")
    }
}
