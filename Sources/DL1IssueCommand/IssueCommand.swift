import ArgumentParser
import DL1CommandSupport
import DL1Crypto
import DL1Format
import DL1Issuer
import DL1QREncode
import DL1Verifier
import Foundation

/// `dl-issue issue`: sign a licence and write its code.
public struct IssueCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "issue", abstract: "Issue a licence credential and write its signed QR code.")

    @OptionGroup public var issuerOption: IssuerOption

    @Option(name: .long, help: ArgumentHelp("Holder data as JSON (instead of the holder flags).", valueName: "FILE"))
    public var holder: String?

    @Option(name: .long) public var documentNumber: String?
    @Option(name: .long) public var familyName: String?
    @Option(name: .long) public var givenName: String?
    @Option(name: .long, help: ArgumentHelp("YYYY-MM-DD", valueName: "DATE")) public var birthDate: String?
    @Option(name: .long, help: ArgumentHelp("Licence issue date (default: today).", valueName: "DATE")) public var issueDate: String?
    @Option(name: .long, help: ArgumentHelp("The licence's last valid day.", valueName: "DATE")) public var expiryDate: String?

    @Option(name: .long, help: ArgumentHelp("A category held: CODE:ISSUE[:EXPIRY]; repeatable.", valueName: "SPEC"))
    public var category: [String] = []

    @Option(name: .long, help: ArgumentHelp("Point balance REMAINING/MAXIMUM (default 12/12).", valueName: "N/M"))
    public var points: String?

    @Option(name: .long, help: ArgumentHelp("Last day of the scoring cycle (default: the day before the next anniversary of the issue date).", valueName: "DATE"))
    public var pointsCycleEnd: String?

    @Option(name: .long, help: ArgumentHelp("The holder's portrait; its SHA-256 goes in the licence.", valueName: "FILE"))
    public var portrait: String?

    @Option(name: .long, help: ArgumentHelp("The issuing authority's code, when the issuer has several.", valueName: "CODE"))
    public var authority: String?

    @OptionGroup public var outputOptions: OutputOptions
    @OptionGroup public var holderKeyOption: HolderKeyOption

    public init() {}

    public func validate() throws {
        try holderKeyOption.check(outputOptions)
        if holder != nil, documentNumber != nil || familyName != nil || givenName != nil || birthDate != nil || expiryDate != nil
            || issueDate != nil || !category.isEmpty || points != nil || pointsCycleEnd != nil {
            throw ValidationError("give the holder either with --holder FILE.json or with the holder flags, not both (--portrait may override the file's portrait)")
        }
    }

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("issue", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            let licence = try buildLicence(issuer: issuer)
            if let revoked = try issuer.registry.credentials(documentNumber: licence.documentNumber).last(where: { $0.status == .invalid }) {
                console.err("dl-issue issue: note: document \(licence.documentNumber) had a revoked credential (\(Hex.encode(revoked.credentialID))); this issues a new licence under the same number")
            }
            let request = try outputOptions.request()
            let issued = try issuer.issue(licence, lifetime: outputOptions.lifetime, output: request, holderKey: try holderKey(),
                                          deliver: OutputOptions.deliver(request, console: console))
            OutputOptions.report(issued, verb: "Issued", console: console)
        }
    }

    /// The device key from --holder-key, else from the holder file's holder_key.
    func holderKey() throws(IssuerError) -> HolderKey? {
        if let key = try holderKeyOption.load() { return key }
        guard let holder, let data = FileManager.default.contents(atPath: holder), data.count <= 1_000_000,
              let input = try? JSONDecoder().decode(HolderInput.self, from: data) else { return nil }
        return try input.deviceKey(baseFolder: URL(fileURLWithPath: holder).deletingLastPathComponent())
    }

    func buildLicence(issuer: Issuer) throws(IssuerError) -> Licence {
        let today = CalendarDate(utcDayOf: issuer.clock())
        var input: HolderInput
        var base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if let holder {
            let url = URL(fileURLWithPath: holder)
            guard let data = FileManager.default.contents(atPath: url.path) else { throw IssuerError("cannot read the holder file \(holder)") }
            guard data.count <= 1_000_000 else { throw IssuerError("the holder file \(holder) is larger than 1 MB") }
            do { input = try JSONDecoder().decode(HolderInput.self, from: data) }
            catch { throw IssuerError("the holder file \(holder) is not valid: \(HolderInput.describe(error))") }
            base = url.deletingLastPathComponent()
        } else {
            func need(_ value: String?, _ flag: String) throws(IssuerError) -> String {
                guard let value else { throw IssuerError("\(flag) is required (or give --holder FILE.json)") }
                return value
            }
            let privileges = try category.map { spec throws(IssuerError) in try HolderInput.parseCategory(spec) }
            guard !privileges.isEmpty else { throw IssuerError("at least one --category CODE:ISSUE[:EXPIRY] is required") }
            input = HolderInput(documentNumber: try need(documentNumber, "--document-number"),
                                familyName: try need(familyName, "--family-name"), givenName: givenName,
                                birthDate: try HolderInput.date(try need(birthDate, "--birth-date"), "--birth-date"),
                                issueDate: try issueDate.map { d throws(IssuerError) in try HolderInput.date(d, "--issue-date") },
                                expiryDate: try HolderInput.date(try need(expiryDate, "--expiry-date"), "--expiry-date"),
                                drivingPrivileges: privileges, points: nil, portrait: nil, portraitSHA256: nil, holderKey: nil)
        }
        if input.points == nil {
            input.points = try HolderInput.parsePoints(points ?? "12/12",
                cycleEnd: try pointsCycleEnd.map { d throws(IssuerError) in try HolderInput.date(d, "--points-cycle-end") })
        }
        if let portrait {
            // --portrait overrides whatever portrait the holder file names.
            input.portrait = portrait
            input.portraitSHA256 = nil
            base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        }
        return try input.licence(settings: issuer.settings, today: today, baseFolder: base, authority: authority)
    }
}
