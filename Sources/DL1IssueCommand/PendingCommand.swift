import ArgumentParser
import DL1CommandSupport
import DL1Format
import DL1Issuer
import DL1Verifier
import Foundation

/// `dl-issue pending`: list credentials left pending by interrupted runs, and revoke them.
public struct PendingCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pending",
        abstract: "List credentials left pending by interrupted or failed runs; --revoke marks them INVALID.",
        discussion: """
        A pending credential's code may or may not have reached its holder. --revoke records it as \
        abandoned and sets its status-list entry to INVALID, so any copy stops being accepted once \
        the status list is published again; issue a fresh code for the holder if needed. Records \
        younger than two minutes are left alone (they may belong to a run still going on).
        """)

    @OptionGroup public var issuerOption: IssuerOption

    @Flag(name: .long, help: "Revoke every pending credential older than two minutes.")
    public var revoke = false

    public init() {}

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("pending", issuer: issuerOption, console: console, reportPending: false) { issuer throws(IssuerError) in
            let now = issuer.clock()
            let pending = try issuer.registry.pending()
            if pending.isEmpty { console.out("No pending credential.") }
            for p in pending {
                console.out("\(Hex.encode(p.credentialID))  \(p.documentNumber)  pending since \(Instant.iso(p.createdAt))")
            }
            if revoke {
                let count = try issuer.registry.abandonPending(before: now - PendingReport.graceSeconds, at: now)
                console.out("Revoked \(count) pending credential(s); publish the status list again ('dl-issue status-list').")
            }
        }
    }
}
