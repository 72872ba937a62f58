import ArgumentParser
import DL1CommandSupport
import DL1Issuer
import Foundation

/// `dl-issue export-bundle --output FILE.dlb`: the handheld's data in one file (FORMAT §6).
public struct ExportBundleCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "export-bundle",
        abstract: "Write the handheld bundle: the issuer's certificates (document signers; the root for display only), CRLs and a fresh status token of every list.")

    @OptionGroup public var issuerOption: IssuerOption
    @Option(name: .long, help: ArgumentHelp("The bundle file (.dlb).", valueName: "FILE")) public var output: String

    public init() {}

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("export-bundle", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            let bundle = try issuer.writeBundle(to: URL(fileURLWithPath: output))
            console.out("Wrote \(output): \(bundle.certificates.count) certificate(s), \(bundle.revocationLists.count) CRL(s), \(bundle.statusTokens.count) status list(s)")
        }
    }
}
