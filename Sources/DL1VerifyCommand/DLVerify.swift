import ArgumentParser
import DL1CommandSupport
import DL1Crypto
import DL1Format
import DL1Scanner
import DL1ServiceClient
import DL1VerifyServer
import DL1Verifier
import Foundation

/// `dl-verify`: checks DL1 driving-licence codes offline, from photos or from text.
public struct DLVerify: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dl-verify",
        abstract: "Verify DL1 driving-licence QR codes offline.",
        discussion: """
        Exit codes: 0 every code VALID; 1 a code is not valid; 2 usage or configuration error \
        (bad flag, unreadable trust folder, a file that is not an image); 3 an image holds no QR code. \
        With several inputs the highest-ranked applies: 2, then 3, then 1. \
        'dl-verify sync --help' describes fetching a cache from the issuing service, 'dl-verify serve --help' the counter service \
        and 'dl-verify token --help' its API tokens.
        """)

    @Argument(help: "PNG or JPEG images holding one or more codes (EXIF orientation honoured).")
    public var images: [String] = []

    @Option(name: .long, help: ArgumentHelp("A code's text; '-' reads one code per line from standard input.", valueName: "TEXT"))
    public var text: [String] = []

    @Option(name: .long, help: ArgumentHelp("Read codes live from a V4L2 camera (e.g. /dev/video0) and verify each new code as it comes into view, until interrupted.", valueName: "DEVICE"))
    public var camera: String?

    @Flag(name: .long, help: "With --camera: stop after the first code, its verdict as the exit code.")
    public var once = false

    @OptionGroup public var verification: VerificationOptions

    @Option(name: .long, help: ArgumentHelp("Verification time, ISO 8601 with Z or an offset (default: now); --at=VALUE also works, and is needed for a value starting with '-'.", valueName: "ISO8601"))
    public var at: String?

    @Option(name: .long, help: ArgumentHelp("A vehicle category the holder must hold today (exact code, e.g. C1).", valueName: "CODE"))
    public var category: String?

    @Option(name: .long, help: ArgumentHelp("The holder's portrait file, compared by SHA-256.", valueName: "FILE"))
    public var portrait: String?

    @Flag(name: .long, help: "One JSON object per code, one per line (schema: schemas/dl-verify-result.schema.json).")
    public var json = false

    @Flag(name: .long, help: "Print nothing: the exit code alone answers (errors still go to standard error).")
    public var quiet = false

    @Option(name: .long, help: ArgumentHelp("Language of reasons and labels: en or zh (default: from LC_ALL, LC_MESSAGES or LANG). Verdict words and JSON are the same in every language.", valueName: "LANG"))
    public var lang: String?

    public init() {}

    public func validate() throws {
        guard !images.isEmpty || !text.isEmpty || camera != nil else { throw ValidationError("give image files, --text or --camera") }
        if camera != nil && (!images.isEmpty || !text.isEmpty) { throw ValidationError("--camera reads codes live: give no image files or --text with it") }
        if once && camera == nil { throw ValidationError("--once goes with --camera") }
        guard text.filter({ $0 == "-" }).count <= 1 else { throw ValidationError("--text - may be given once") }
        if quiet && json { throw ValidationError("--quiet and --json contradict each other") }
        if let lang, Language(rawValue: lang) == nil {
            throw ValidationError("--lang '\(lang)' is not supported: use en or zh")
        }
        if category?.isEmpty == true { throw ValidationError("--category needs a category code, e.g. C1") }
        if let at, Instant.parse(at) == nil {
            throw ValidationError("--at '\(at)' is not an ISO 8601 time with Z or an offset (e.g. 2026-11-22T10:00:00Z)")
        }
    }

    public func execute(console: Console) -> Int32 {
        let setup: (Verifier, Verifier.Request, Int64?)
        switch makeVerifier(console: console) {
        case .success(let s): setup = s
        case .failure(let message):
            console.err("dl-verify: \(message)")
            return usageExitCode
        }
        let (verifier, request, bundleCreated) = setup
        let language = lang.flatMap(Language.init(rawValue:)) ?? Language.fromLocale(environment: console.environment)
        let now = at.flatMap(Instant.parse) ?? verifier.options.clock()
        var outcome = ExitOutcome()
        let printer = ResultPrinter(console: console, json: json, quiet: quiet, colour: console.isTerminal && (console.environment["NO_COLOR"] ?? "").isEmpty,
                                    bundleCreated: bundleCreated, language: language)

        if let camera {
            let source: Camera
            do { source = try Camera(device: camera) } catch {
                console.err("dl-verify: \(error)")
                return usageExitCode
            }
            let session = CameraSession(source: source, verifier: verifier, request: request, printer: printer,
                                        sourceName: json ? "camera \(camera)" : "\(Labels.of(language).camera) \(camera)", once: once)
            if let error = session.run(outcome: &outcome) {
                console.err("dl-verify: \(error)")
                outcome.usageError = true
            }
            return outcome.code
        }
        for item in text {
            if item == "-" {
                var lineNumber = 0
                // A stream of answers: written in blocks, and before each wait for more input.
                console.bufferOutput(true)
                defer { console.bufferOutput(false) }
                while let line = console.readLine() {
                    lineNumber += 1
                    let result = verifier.verify(text: line, request: request, at: now)
                    outcome.add(result)
                    printer.printCompact(result, source: "stdin:\(lineNumber)")
                }
                if lineNumber == 0 {
                    console.err("dl-verify: --text -: standard input held no code")
                    outcome.usageError = true
                }
            } else {
                let result = verifier.verify(text: item, request: request, at: now)
                outcome.add(result)
                printer.print(result, source: "text")
            }
        }
        for path in images {
            // Bounded, and regular files only: a huge file is refused without being read, and a
            // FIFO or device named like a photo cannot hang the officer's handheld.
            let data: [UInt8]
            do { data = try VerifierSetup.read(path, limit: Verifier.maxImageBytes, what: "image") } catch {
                console.err("dl-verify: \(error)")
                outcome.usageError = true
                continue
            }
            do {
                let scan = try verifier.verify(imageBytes: data, request: request, at: now)
                if scan.foundNoCode {
                    console.err("dl-verify: \(path): \(Labels.of(language).noCode)")
                    outcome.noCode = true
                }
                for (i, result) in scan.results.enumerated() {
                    outcome.add(result)
                    printer.print(result, source: scan.results.count > 1 ? "\(path)#\(i + 1)" : path, read: scan)
                }
            } catch {
                console.err("dl-verify: \(path) is not a readable image: \(error)")
                outcome.usageError = true
            }
        }
        if console.writeFailed {
            console.err("dl-verify: cannot write the answers to standard output")
            return usageExitCode
        }
        return outcome.code
    }

    enum Setup { case success((Verifier, Verifier.Request, Int64?)), failure(String) }

    func makeVerifier(console: Console) -> Setup {
        var options = verification.verifierOptions
        if let fixed = at.flatMap(Instant.parse) { options.clock = { fixed } }
        let loaded: VerificationSources.Loaded
        do { loaded = try verification.sources.load(options: options) } catch { return .failure(verification.explain(error)) }
        if let state = loaded.cacheState {
            let age = Int64(Date().timeIntervalSince1970) - state.fetchedAt
            console.err("dl-verify: status data from \(state.source), synced \(Instant.iso(state.fetchedAt)) (\(age / 3600) h \(age / 60 % 60) min ago)")
        }
        var portraitHash: [UInt8]?
        if let portrait {
            do { portraitHash = SHA256.hash(try VerifierSetup.read(portrait, limit: 64 * 1024 * 1024, what: "portrait file")) }
            catch { return .failure(error.description) }
        }
        for warning in loaded.warnings { console.err("dl-verify: warning: \(warning)") }
        return .success((loaded.verifier, Verifier.Request(category: category, portraitHash: portraitHash), loaded.oldestBundle))
    }
}

/// Combines per-input outcomes into one exit code: 2, then 3, then 1, else 0.
struct ExitOutcome {
    var usageError = false
    var noCode = false
    var invalid = false

    mutating func add(_ result: VerificationResult) {
        if !result.isValid { invalid = true }
    }

    var code: Int32 { usageError ? 2 : noCode ? 3 : invalid ? 1 : 0 }
}
