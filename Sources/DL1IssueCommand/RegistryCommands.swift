import ArgumentParser
import DL1CommandSupport
import DL1Issuer
import Foundation

/// `dl-issue backup DEST`: a consistent copy of the registry while issuing goes on.
public struct BackupCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the registry to a new file (SQLite's online backup: consistent while other commands issue).",
        discussion: "The copy is mode 0600 (it holds personal data) and carries the registry's identity, so only this issuer can restore it.")

    @Argument(help: ArgumentHelp("The new backup file.", valueName: "DEST")) public var destination: String
    @OptionGroup public var issuerOption: IssuerOption

    public init() {}

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("backup", issuer: issuerOption, console: console, reportPending: false, access: .readOnly) { issuer throws(IssuerError) in
            try issuer.registry.backup(to: URL(fileURLWithPath: destination))
            console.out("Backed up the registry (\(try issuer.registry.credentialCount()) credential(s)) to \(destination)")
        }
    }
}

/// `dl-issue restore SRC [--force]`: put a backup back.
public struct RestoreCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the registry by a backup made with 'dl-issue backup'.",
        discussion: """
        The backup must be this issuer's registry (same identity) and pass SQLite's integrity check. \
        A backup older than the status lists already published (it lacks a revocation, suspension or \
        supersession they show, or credentials issued after it) is refused with what it lacks; --force \
        restores it anyway, carries the published statuses over, so no published revocation is undone, \
        and closes the lists whose later credentials it lacks, so no index is given twice. The registry it \
        replaces is kept beside it as registry.sqlite.replaced-TIME-PID.
        """)

    @Argument(help: ArgumentHelp("The backup file.", valueName: "SRC")) public var source: String
    @OptionGroup public var issuerOption: IssuerOption
    @Flag(name: .long, help: "Restore a backup older than the published lists, carrying their statuses over.") public var force = false

    public init() {}

    public func execute(console: Console) -> Int32 {
        do throws(IssuerError) {
            let folder = URL(fileURLWithPath: issuerOption.issuer)
            let lock = try IssuerLock(folder: folder, exclusive: true)
            defer { withExtendedLifetime(lock) {} }
            let report = try Issuer.restoreRegistry(folder: folder, from: URL(fileURLWithPath: source), force: force)
            console.out("Restored the registry from \(source)" + (report.previous.map { "; the one it replaced is kept as \($0.path)" } ?? ""))
            if !report.carriedOver.isEmpty {
                console.out("Carried over \(report.carriedOver.count) published change(s) the backup lacked:")
                for change in report.carriedOver { console.out("  \(change)") }
            }
            if !report.closedLists.isEmpty {
                console.out("Closed \(report.closedLists.count) list(s) in which credentials were issued after the backup (new credentials go to a new list):")
                for list in report.closedLists { console.out("  \(list)") }
                console.out("Those credentials are not in the registry: their codes stay VALID until they expire and cannot be revoked; find their holders and reissue.")
            }
            return 0
        } catch {
            IssuerCommand.report(error, command: "restore", issuer: issuerOption.issuer, console: console)
            return usageExitCode
        }
    }
}

/// `dl-issue check`: is the registry sound?
public struct CheckCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the registry: SQLite's integrity check, its identity, and its own rules.",
        discussion: """
        Rules: one active credential per document number; no index given twice (between credentials, \
        retired indices and the free pool); every supersession has its successor; every credential has \
        its history; no published change is missing. Exit code 0 when sound, 1 when something is wrong.
        """)

    @OptionGroup public var issuerOption: IssuerOption

    public init() {}

    public func execute(console: Console) -> Int32 {
        var findings: [String] = []
        let code = IssuerCommand.run("check", issuer: issuerOption, console: console, reportPending: false, access: .readOnly) { issuer throws(IssuerError) in
            findings = try issuer.registry.check().map(\.description) + issuer.unpublishableChanges().map { "published-change-lost: \($0)" }
            let identity = try issuer.registry.identity()
            if findings.isEmpty {
                console.out("Registry \(identity?.id ?? "?") (schema \(identity?.schemaVersion ?? 0)): sound; \(try issuer.registry.credentialCount()) credential(s)")
            } else {
                for finding in findings { console.out(finding) }
                console.err("dl-issue check: \(findings.count) problem(s) in the registry \(identity?.id ?? "?")")
            }
        }
        if code != 0 { return code }
        return findings.isEmpty ? 0 : 1
    }
}
