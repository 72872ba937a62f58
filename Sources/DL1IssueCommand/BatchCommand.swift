import ArgumentParser
import DL1CommandSupport
import DL1Crypto
import DL1Format
import DL1Issuer
import DL1QREncode
import DL1Verifier
import Foundation

/// `dl-issue batch --input FILE.csv|FILE.jsonl --output-dir DIR`: many licences at once.
public struct BatchCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Issue many licences from a CSV or JSON Lines file, one output file per licence.",
        discussion: """
        CSV: a header row naming the columns document_number, family_name, given_name, birth_date, \
        issue_date, expiry_date, categories (CODE:ISSUE[:EXPIRY] separated by ';'), points (N/M), \
        points_cycle_end, portrait (a path relative to the input file) or portrait_sha256, and optionally \
        holder_key (a device public key file, relative to the input file: the row's credential is then \
        bound to that device and its code written as .txt whatever --format says). JSON Lines: \
        one holder object per line, as for 'issue --holder'. Bad rows are reported with their line \
        number and skipped (exit code 1); re-running the same input after a crash or Ctrl-C issues \
        only what is missing, never twice.
        """)

    @OptionGroup public var issuerOption: IssuerOption
    @Option(name: .long, help: ArgumentHelp("The input: .csv or .jsonl.", valueName: "FILE")) public var input: String
    @Option(name: .long, help: ArgumentHelp("Folder for the outputs.", valueName: "DIR")) public var outputDir: String
    @Option(name: .long, help: "png, svg or txt.") public var format: String = "png"
    @Option(name: .long, help: "QR error correction: L, M, Q or H.") public var ecc: String = "M"
    @Option(name: .long, help: "Pixels (PNG) or units (SVG) per module, 2 to 100.") public var scale: Int = 8
    @Option(name: .long, help: ArgumentHelp("How long each code is acceptable (default 24h).", valueName: "DURATION")) public var validFor: String?
    @Flag(name: .long, help: "Each code lasts until its licence expires (printed cards).") public var validUntilExpiry = false
    @Option(name: .long, help: "Rows per registry transaction (each commit waits for the disk: bigger groups, fewer waits; an interrupted group is completed by the next run).") public var group: Int = 500
    @Option(name: .long, help: ArgumentHelp("The issuing authority's code, when the issuer has several.", valueName: "CODE")) public var authority: String?

    public init() {}

    public func validate() throws {
        guard let f = OutputRequest.Format(rawValue: format.lowercased()), f != .terminal else { throw ValidationError("--format must be png, svg or txt") }
        guard QRCodeMatrix.ErrorCorrection(rawValue: ecc.uppercased()) != nil else { throw ValidationError("--ecc must be L, M, Q or H") }
        guard (2...100).contains(scale) else { throw ValidationError("--scale must be between 2 and 100") }
        guard (1...10_000).contains(group) else { throw ValidationError("--group must be between 1 and 10000") }
        if validFor != nil && validUntilExpiry { throw ValidationError("--valid-for and --valid-until-expiry contradict each other") }
        if let validFor, OutputOptions.parseDuration(validFor) == nil { throw ValidationError("--valid-for '\(validFor)' is not a duration such as 24h") }
        let ext = URL(fileURLWithPath: input).pathExtension.lowercased()
        guard ["csv", "jsonl", "ndjson"].contains(ext) else { throw ValidationError("--input must be a .csv or .jsonl file") }
    }

    public func execute(console: Console) -> Int32 {
        var summary: BatchSummary?
        let code = IssuerCommand.run("batch", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            let url = URL(fileURLWithPath: input)
            guard let data = FileManager.default.contents(atPath: url.path) else { throw IssuerError("cannot read \(input)") }
            guard data.count <= 512 * 1024 * 1024 else { throw IssuerError("\(input) is larger than 512 MiB: split it") }
            guard let text = String(data: data, encoding: .utf8) else { throw IssuerError("\(input) is not UTF-8 text") }
            let today = CalendarDate(utcDayOf: issuer.clock())
            let rows = try url.pathExtension.lowercased() == "csv"
                ? BatchInput.csvRows(text, base: url.deletingLastPathComponent(), settings: issuer.settings, today: today, authority: authority)
                : BatchInput.jsonLinesRows(text, base: url.deletingLastPathComponent(), settings: issuer.settings, today: today, authority: authority)
            let progress = ProgressBar(console: console, total: rows.count, clock: { Date().timeIntervalSince1970 })
            let lifetime: CodeLifetime = validUntilExpiry ? .untilLicenceExpiry : .seconds(OutputOptions.parseDuration(validFor ?? "24h")!)
            let result = try issuer.issueBatch(rows, into: URL(fileURLWithPath: outputDir),
                                               format: OutputRequest.Format(rawValue: format.lowercased())!,
                                               errorCorrection: QRCodeMatrix.ErrorCorrection(rawValue: ecc.uppercased())!,
                                               scale: scale, lifetime: lifetime, groupSize: group) { progress.update($0.handled) }
            progress.finish()
            for failure in result.failures.sorted(by: { $0.line < $1.line }) {
                console.err("\(input):\(failure.line): \(failure.reason) (row skipped)")
            }
            console.out("Batch: \(result.issued) issued, \(result.alreadyDone) already done, \(result.completed) completed from an interrupted run, \(result.failures.count) bad row(s); outputs in \(outputDir)")
            summary = result
        }
        if code != 0 { return code }
        return (summary?.failures.isEmpty ?? true) ? 0 : 1
    }
}

/// Turns input records into batch rows.
enum BatchInput {
    static let columns = ["document_number", "family_name", "given_name", "birth_date", "issue_date", "expiry_date",
                          "categories", "points", "points_cycle_end", "portrait", "portrait_sha256", "holder_key"]

    static func key(_ holder: HolderInput?, raw: String) -> String {
        (holder?.documentNumber ?? "?") + "#" + Hex.encode(SHA256.hash(Array(raw.utf8)).prefix(12))
    }

    static func row(line: Int, raw: String, _ make: () throws(IssuerError) -> HolderInput, base: URL,
                    settings: IssuerSettings, today: CalendarDate, authority: String?) -> BatchRow {
        do {
            let holder = try make()
            return BatchRow(line: line, key: key(holder, raw: raw),
                            licence: .success(try holder.licence(settings: settings, today: today, baseFolder: base, authority: authority)),
                            holderKey: try holder.deviceKey(baseFolder: base))
        } catch {
            return BatchRow(line: line, key: key(nil, raw: raw), licence: .failure(error))
        }
    }

    static func csvRows(_ text: String, base: URL, settings: IssuerSettings, today: CalendarDate, authority: String?) throws(IssuerError) -> [BatchRow] {
        let records: [CSVReader.Record]
        do { records = try CSVReader.records(text) } catch { throw IssuerError("CSV line \(error.line): \(error.description)") }
        guard let header = records.first else { throw IssuerError("the CSV file is empty") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if let unknown = names.first(where: { !columns.contains($0) }) {
            throw IssuerError("unknown CSV column \"\(unknown)\" (columns: \(columns.joined(separator: ", ")))")
        }
        for required in ["document_number", "family_name", "birth_date", "expiry_date", "categories"] where !names.contains(required) {
            throw IssuerError("the CSV header lacks the column \"\(required)\"")
        }
        return records.dropFirst().map { record in
            row(line: record.line, raw: record.raw, { () throws(IssuerError) -> HolderInput in
                guard record.fields.count == names.count else {
                    throw IssuerError("\(record.fields.count) fields where the header has \(names.count)")
                }
                var f: [String: String] = [:]
                for (name, value) in zip(names, record.fields) where !value.isEmpty { f[name] = value }
                func need(_ k: String) throws(IssuerError) -> String {
                    guard let v = f[k] else { throw IssuerError("\(k) is empty") }
                    return v
                }
                let categories = try need("categories").split(separator: ";").map { spec throws(IssuerError) in
                    try HolderInput.parseCategory(spec.trimmingCharacters(in: .whitespaces))
                }
                return HolderInput(documentNumber: try need("document_number"), familyName: try need("family_name"),
                                   givenName: f["given_name"], birthDate: try HolderInput.date(try need("birth_date"), "birth_date"),
                                   issueDate: try f["issue_date"].map { d throws(IssuerError) in try HolderInput.date(d, "issue_date") },
                                   expiryDate: try HolderInput.date(try need("expiry_date"), "expiry_date"),
                                   drivingPrivileges: categories,
                                   points: try HolderInput.parsePoints(f["points"] ?? "12/12",
                                                                       cycleEnd: try f["points_cycle_end"].map { d throws(IssuerError) in try HolderInput.date(d, "points_cycle_end") }),
                                   portrait: f["portrait"], portraitSHA256: f["portrait_sha256"], holderKey: f["holder_key"])
            }, base: base, settings: settings, today: today, authority: authority)
        }
    }

    static func jsonLinesRows(_ text: String, base: URL, settings: IssuerSettings, today: CalendarDate, authority: String?) -> [BatchRow] {
        var rows: [BatchRow] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            rows.append(row(line: i + 1, raw: trimmed, { () throws(IssuerError) -> HolderInput in
                var holder: HolderInput
                do { holder = try JSONDecoder().decode(HolderInput.self, from: Data(trimmed.utf8)) }
                catch { throw IssuerError("not a valid holder object: \(HolderInput.describe(error))") }
                if holder.points == nil { holder.points = try HolderInput.parsePoints("12/12", cycleEnd: nil) }
                return holder
            }, base: base, settings: settings, today: today, authority: authority))
        }
        return rows
    }
}

/// A progress bar on standard error, drawn only on a terminal: count, rate and time left.
final class ProgressBar {
    private let console: Console
    private let total: Int
    private let clock: () -> Double
    private let start: Double
    private let enabled: Bool

    init(console: Console, total: Int, clock: @escaping () -> Double) {
        self.console = console
        self.total = total
        self.clock = clock
        self.start = clock()
        self.enabled = console.isTerminal && isatty(STDERR_FILENO) == 1
    }

    func update(_ done: Int) {
        guard enabled, total > 0 else { return }
        let elapsed = max(0.001, clock() - start)
        let rate = Double(done) / elapsed
        let left = rate > 0 ? Double(total - done) / rate : 0
        let width = 30
        let filled = min(width, width * done / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        console.errWithoutNewline("\r[\(bar)] \(done)/\(total)  \(Int(rate))/s  ETA \(Int(left.rounded()))s ")
    }

    func finish() {
        guard enabled, total > 0 else { return }
        console.errWithoutNewline("\n")
    }
}
