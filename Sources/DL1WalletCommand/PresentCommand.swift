import ArgumentParser
import DL1CommandSupport
import DL1Format
import DL1Holder
import DL1QREncode
import DL1Verifier
import Foundation

/// `dl-wallet present DIR`: a DL2 presentation, now or at a given time, once or every 15 s.
public struct PresentCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "present",
        abstract: "Make a DL2 presentation of a stored credential, signed now by the device key, as a QR code or text.",
        discussion: """
        A presentation is accepted by verifiers for about 90 seconds (their window): show a fresh one \
        each time. --watch redraws it in the terminal every 15 seconds, with the seconds left, as a \
        phone screen does, until interrupted (Ctrl-C).
        """)

    @Argument(help: ArgumentHelp("The wallet folder.", valueName: "DIR")) public var folder: String
    @Option(name: .long, help: ArgumentHelp("Which credential: its document number or id (needed when the wallet holds several).", valueName: "ID"))
    public var credential: String?
    @Option(name: .long, help: ArgumentHelp("terminal, png, svg or txt (default: from --output's extension, else terminal).", valueName: "FORMAT"))
    public var format: String?
    @Option(name: .long, help: ArgumentHelp("Output file (.png, .svg or .txt).", valueName: "FILE")) public var output: String?
    @Option(name: .customLong("at"), help: ArgumentHelp("Sign as of this time (ISO 8601, e.g. 2026-12-07T09:00:00Z; --at=VALUE for years before 0), for tests.", valueName: "INSTANT"))
    public var at: String?
    @Option(name: .long, help: "QR error correction: L, M, Q or H.") public var ecc: String = "M"
    @Option(name: .long, help: "Pixels (PNG) or units (SVG) per module, 2 to 100.") public var scale: Int = 8
    @Flag(name: .long, help: "Redraw a fresh presentation in the terminal every --interval seconds until interrupted.") public var watch = false
    @Option(name: .long, help: ArgumentHelp("Seconds between presentations with --watch (1 to 20; default 15).", valueName: "S")) public var interval: Int = 15
    @Option(name: .long, help: ArgumentHelp("With --watch, stop after N presentations (default: until interrupted).", valueName: "N")) public var frames: Int?
    @OptionGroup public var secretOptions: WalletSecretOptions

    public init() {}

    enum Format: String { case terminal, png, svg, txt }

    var chosenFormat: Format? {
        if let format { return Format(rawValue: format.lowercased()) }
        if let output { return Format(rawValue: URL(fileURLWithPath: output).pathExtension.lowercased()) }
        return .terminal
    }

    public func validate() throws {
        guard let chosen = chosenFormat else {
            throw ValidationError(format != nil ? "--format must be terminal, png, svg or txt" : "cannot tell the format of \(output ?? ""): use .png, .svg or .txt, or --format")
        }
        if chosen == .terminal, output != nil { throw ValidationError("--format terminal draws in the terminal: drop --output") }
        if chosen == .png || chosen == .svg, output == nil { throw ValidationError("--format \(chosen.rawValue) needs --output FILE") }
        if watch, chosen != .terminal { throw ValidationError("--watch draws in the terminal: drop --output and --format") }
        guard QRCodeMatrix.ErrorCorrection(rawValue: ecc.uppercased()) != nil else { throw ValidationError("--ecc must be L, M, Q or H") }
        guard (2...100).contains(scale) else { throw ValidationError("--scale must be between 2 and 100") }
        guard (1...20).contains(interval) else { throw ValidationError("--interval must be between 1 and 20 seconds (a verifier accepts a presentation for about 90 s)") }
        if let frames, frames < 1 { throw ValidationError("--frames must be at least 1") }
        if frames != nil && !watch { throw ValidationError("--frames goes with --watch") }
        if let at, Instant.parse(at) == nil { throw ValidationError("--at '\(at)' is not an ISO 8601 instant such as 2026-12-07T09:00:00Z") }
    }

    public func execute(console: Console) -> Int32 {
        WalletCommand.run("present", console: console) { () throws(HolderError) in
            let wallet = try Wallet.open(at: URL(fileURLWithPath: folder), secrets: try secretOptions.secrets())
            let chosen = try wallet.credential(credential)
            let level = QRCodeMatrix.ErrorCorrection(rawValue: ecc.uppercased())!
            let start = at.flatMap(Instant.parse)
            let now = { Int64(Date().timeIntervalSince1970) }
            guard watch else {
                let time = start ?? now()
                let text = try wallet.present(chosen, at: time)
                try deliver(text, level: level, console: console)
                console.err("Presentation of \(chosen.claims.licence.documentNumber) made at \(Instant.iso(time)) (\(text.count) characters): verifiers accept it for about 90 s")
                return
            }
            var frame = 0
            while frames.map({ frame < $0 }) ?? true {
                let time = start.map { $0 + Int64(frame * interval) } ?? now()
                let text = try wallet.present(chosen, at: time)
                let matrix = try matrix(text, level)
                if console.isTerminal { console.write("\u{1B}[H\u{1B}[2J") }
                console.write(QRRenderer(matrix: matrix).terminal())
                console.out("\(chosen.claims.licence.documentNumber) · \(chosen.claims.issuer) · presented \(Instant.iso(time)) · QR version \(matrix.version)")
                frame += 1
                if let frames, frame >= frames { break }
                for left in stride(from: interval, to: 0, by: -1) {
                    if console.isTerminal { console.write("\r  next presentation in \(left) s ") } else if left == interval { console.out("next presentation in \(left) s") }
                    Thread.sleep(forTimeInterval: 1)
                }
            }
        }
    }

    func matrix(_ text: String, _ level: QRCodeMatrix.ErrorCorrection) throws(HolderError) -> QRCodeMatrix {
        do { return try QRCodeMatrix(encoding: text, errorCorrection: level) }
        catch { throw HolderError(.presentation, "the presentation does not fit a QR code at level \(level.rawValue): \(error)") }
    }

    func deliver(_ text: String, level: QRCodeMatrix.ErrorCorrection, console: Console) throws(HolderError) {
        switch chosenFormat! {
        case .txt:
            if let output { try write(Array((text + "\n").utf8), output) } else { console.out(text) }
        case .terminal:
            let matrix = try matrix(text, level)
            console.write(QRRenderer(matrix: matrix).terminal())
        case .png:
            let png: [UInt8]
            do { png = try QRRenderer(matrix: try matrix(text, level)).png(scale: scale) }
            catch { throw HolderError(.presentation, "cannot encode the PNG: \(error)") }
            try write(png, output!)
        case .svg:
            try write(Array(QRRenderer(matrix: try matrix(text, level)).svg(scale: scale).utf8), output!)
        }
    }

    func write(_ bytes: [UInt8], _ path: String) throws(HolderError) {
        try AtomicFile.write(bytes, to: URL(fileURLWithPath: path), code: .presentation)
    }
}
