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

    @Option(name: .long, help: ArgumentHelp("How long the code is acceptable: e.g. 24h, 90m, 7d, 3600s.", valueName: "DURATION"))
    public var validFor: String?

    @Flag(name: .long, help: "The code lasts until the licence expires (a printed card).")
    public var validUntilExpiry = false

    @Option(name: .long, help: ArgumentHelp("Output file; its extension picks the format (.png, .svg, .txt).", valueName: "FILE"))
    public var output: String?

    @Option(name: .long, help: ArgumentHelp("png, svg, txt or terminal (default: from --output's extension).", valueName: "FORMAT"))
    public var format: String?

    @Option(name: .long, help: "QR error correction: L, M, Q or H.")
    public var ecc: String = "M"

    @Option(name: .long, help: "Pixels (PNG) or units (SVG) per module.")
    public var scale: Int = 8

    public init() {}

    public func validate() throws {
        if validFor != nil && validUntilExpiry { throw ValidationError("--valid-for and --valid-until-expiry contradict each other") }
        if let validFor, Self.parseDuration(validFor) == nil {
            throw ValidationError("--valid-for '\(validFor)' is not a duration such as 24h, 90m, 7d or 3600s")
        }
        guard QRCodeMatrix.ErrorCorrection(rawValue: ecc.uppercased()) != nil else { throw ValidationError("--ecc must be L, M, Q or H") }
        guard (1...100).contains(scale) else { throw ValidationError("--scale must be between 1 and 100") }
        if holder != nil, documentNumber != nil || familyName != nil || givenName != nil || birthDate != nil || expiryDate != nil
            || issueDate != nil || !category.isEmpty || points != nil || pointsCycleEnd != nil {
            throw ValidationError("give the holder either with --holder FILE.json or with the holder flags, not both (--portrait may override the file's portrait)")
        }
        if let format, OutputRequest.Format(rawValue: format.lowercased()) == nil {
            throw ValidationError("--format must be png, svg, txt or terminal")
        }
        if format?.lowercased() == "terminal", output != nil { throw ValidationError("--format terminal writes to the terminal: drop --output") }
    }

    public func execute(console: Console) -> Int32 {
        do {
            let issuer = try Issuer.open(at: URL(fileURLWithPath: issuerOption.issuer))
            PendingReport.show(issuer, console: console)
            let licence = try buildLicence(issuer: issuer)
            let lifetime: CodeLifetime = validUntilExpiry ? .untilLicenceExpiry : .seconds(Self.parseDuration(validFor ?? "24h")!)
            let request = try outputRequest()
            let issued = try issuer.issue(licence, lifetime: lifetime, output: request) { issued in
                if let drawing = issued.terminalDrawing { console.write(drawing) }
                if request == nil { console.out(issued.text) }
                if console.writeFailed { throw IssuerError("cannot write the code to standard output") }
            }
            let version = issued.qrVersion.map { ", QR version \($0)" } ?? ""
            let destination = request?.file.map { " to \($0.path)" } ?? ""
            console.err("Issued credential \(Hex.encode(issued.credentialID)) for \(licence.documentNumber)\(destination) (\(issued.text.count) characters\(version), valid until \(Instant.iso(issued.claims.expiresAt)))")
            return 0
        } catch {
            console.err("dl-issue issue: \(error)")
            return usageExitCode
        }
    }

    func outputRequest() throws(IssuerError) -> OutputRequest? {
        let ecc = QRCodeMatrix.ErrorCorrection(rawValue: self.ecc.uppercased())!
        if let format, format.lowercased() == "terminal" {
            return OutputRequest(format: .terminal, file: nil, errorCorrection: ecc, scale: scale)
        }
        guard let output else {
            if format != nil { throw IssuerError("--format \(format!) needs --output FILE") }
            return nil
        }
        let name = format?.lowercased() ?? URL(fileURLWithPath: output).pathExtension.lowercased()
        guard let chosen = OutputRequest.Format(rawValue: name), chosen != .terminal else {
            throw IssuerError("cannot tell the format of \(output): use a .png, .svg or .txt extension, or --format")
        }
        return OutputRequest(format: chosen, file: URL(fileURLWithPath: output), errorCorrection: ecc, scale: scale)
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
                                drivingPrivileges: privileges, points: nil, portrait: nil, portraitSHA256: nil)
        }
        if input.points == nil {
            input.points = try HolderInput.parsePoints(points ?? "12/12",
                cycleEnd: try pointsCycleEnd.map { d throws(IssuerError) in try HolderInput.date(d, "--points-cycle-end") })
        }
        if let portrait { input.portrait = portrait; base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath) }
        return try input.licence(settings: issuer.settings, today: today, baseFolder: base)
    }

    /// Seconds in a duration like `24h`, `90m`, `7d`, `3600s` or `3600`.
    static func parseDuration(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var digits = text
        var unit: Int64 = 1
        if let last = text.last, let u = units[last] { unit = u; digits.removeLast() }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let n = Int64(digits), n > 0, n <= 100 * 366 * 86_400 / unit else { return nil }
        return n * unit
    }
}
