import ArgumentParser
import DL1Verifier
import DL1VerifyServer

/// What a verifier is given and how strict it is: the options `dl-verify` and `dl-verify serve`
/// share (the trust folder, bundles, a sync cache, status files, leeway, unknown status, the
/// holder window and the holder-binding requirement).
public struct VerificationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder of trusted PEM certificates (roots and document signers) and *.crl.pem CRLs.", valueName: "DIR"))
    public var trust: String

    @Option(name: .long, help: ArgumentHelp("A Status List Token file (.cwt); repeatable.", valueName: "FILE"))
    public var status: [String] = []

    @Option(name: .long, help: ArgumentHelp("A handheld bundle (.dlb) from 'dl-issue export-bundle': signer certificates, CRLs and status lists, each checked against --trust; repeatable.", valueName: "FILE"))
    public var bundle: [String] = []

    @Option(name: .long, help: ArgumentHelp("A cache folder kept by 'dl-verify sync': its verified bundle is used, and its age shown (a service reloads it when a sync changes it).", valueName: "DIR"))
    public var cache: String?

    @Option(name: .long, help: ArgumentHelp("Clock-skew leeway in seconds.", valueName: "SECONDS"))
    public var leeway: Int64 = 300

    @Flag(name: .long, help: "Answer VALID (saying so) when the revocation status cannot be checked.")
    public var allowUnknownStatus = false

    @Option(name: .long, help: ArgumentHelp("How far from now a DL2 presentation (from the holder's phone) may have been made, either way (default 90).", valueName: "SECONDS"))
    public var holderWindow: Int64 = Verifier.defaultHolderWindow

    @Flag(name: .long, help: "Accept only DL2 presentations by the holder's device: a plain DL1 code answers UNBOUND_PRESENTATION.")
    public var requireHolderBinding = false

    public init() {}

    public func validate() throws {
        guard leeway >= 0, leeway <= 86_400 else { throw ValidationError("--leeway must be between 0 and 86400 seconds") }
        guard holderWindow >= 1, holderWindow <= 86_400 else { throw ValidationError("--holder-window must be between 1 and 86400 seconds") }
    }

    /// The files to load.
    var sources: VerificationSources { VerificationSources(trust: trust, bundles: bundle, cache: cache, statusFiles: status) }

    /// The verifier's settings (on the system clock).
    var verifierOptions: Verifier.Options {
        Verifier.Options(leeway: leeway, allowUnknownStatus: allowUnknownStatus, holderWindow: holderWindow, requireHolderBinding: requireHolderBinding)
    }

    /// A load failure in the CLI's words (naming the command that fills a cache).
    func explain(_ error: VerificationSources.LoadError) -> String {
        switch error.code {
        case .cacheNeverSynced: return "\(error.description): run 'dl-verify sync --from URL --cache \(cache ?? "DIR") --trust \(trust)' first"
        case .unusable, .cacheUnreadable: return error.description
        }
    }
}
