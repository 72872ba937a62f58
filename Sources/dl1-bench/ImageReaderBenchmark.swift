import ArgumentParser
import DL1Raster
import DL1Scanner
import DL1Verifier
import Foundation

/// What each step of the photo reader buys, on an image set made by scripts/make-image-set.py:
/// per class, how many images the full reader decodes, which step found each code, and which
/// images only one step rescues (the reader without that step misses them). In-process, so
/// the times are the reader's own (decode + steps), without process start.
struct ImageReaderBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images",
                                                    abstract: "Photo reader: decode rate and time per image class, and what each retry step buys.")

    @Option(help: "A folder made by scripts/make-image-set.py (with manifest.json).")
    var set: String

    struct Entry: Decodable {
        let file: String
        let `class`: String
        let text: String
    }

    func run() throws {
        let folder = URL(fileURLWithPath: set)
        let manifest = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: folder.appendingPathComponent("manifest.json")))
        let full = CodeReader()
        struct ClassFigures { var images = 0, decoded = 0, asIs = 0; var times: [Double] = []; var steps: [CodeReader.Step: Int] = [:]; var rescued: [CodeReader.Step: Int] = [:] }
        var figures: [String: ClassFigures] = [:]
        var order: [String] = []
        // What each step costs: preparing its image plus one zbar pass, on every image it applies to.
        var stepSeconds: [CodeReader.Step: [Double]] = [:]
        let scanner = QRScanner()
        for entry in manifest {
            if figures[entry.class] == nil { order.append(entry.class) }
            var f = figures[entry.class, default: ClassFigures()]
            f.images += 1
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(entry.file)))
            var found: (codes: [[UInt8]], step: CodeReader.Step?) = ([], nil)
            var decoded = GreyImage(width: 1, height: 1)
            let seconds = try BenchSupport.time {
                decoded = try ImageDecoder.decode(bytes)
                found = full.read(decoded)
            }
            f.times.append(seconds)
            for step in CodeReader.Step.allCases {
                var applies = false
                let seconds = BenchSupport.time {
                    if let prepared = CodeReader.prepare(decoded, for: step) { applies = true; _ = scanner.scan(prepared) }
                }
                if applies { stepSeconds[step, default: []].append(seconds) }
            }
            let expected = Array(entry.text.utf8)
            if found.codes.contains(expected), let step = found.step {
                f.decoded += 1
                f.steps[step, default: 0] += 1
                if step == .asIs { f.asIs += 1 } else {
                    // Which steps this image depends on: the reader without each one.
                    for removed in CodeReader.Step.allCases where removed != .asIs {
                        let without = CodeReader(steps: CodeReader.Step.allCases.filter { $0 != removed })
                        if !without.read(decoded).codes.contains(expected) { f.rescued[removed, default: 0] += 1 }
                    }
                }
            }
            figures[entry.class] = f
        }
        print("| class | images | zbar alone (as is) | full reader | median ms | worst ms | found by step | only rescued by |")
        print("|---|---|---|---|---|---|---|---|")
        var total = ClassFigures()
        for name in order {
            let f = figures[name]!
            total.images += f.images; total.decoded += f.decoded; total.asIs += f.asIs; total.times += f.times
            for (k, v) in f.steps { total.steps[k, default: 0] += v }
            for (k, v) in f.rescued { total.rescued[k, default: 0] += v }
            print(row(name, f.images, f.asIs, f.decoded, f.times, f.steps, f.rescued))
        }
        print(row("all", total.images, total.asIs, total.decoded, total.times, total.steps, total.rescued))
        print("")
        print("| step | images it applies to | median ms (prepare + one zbar pass) | worst ms |")
        print("|---|---|---|---|")
        for step in CodeReader.Step.allCases {
            let times = (stepSeconds[step] ?? []).sorted()
            guard !times.isEmpty else { continue }
            print("| \(step.rawValue) | \(times.count) | \(String(format: "%.1f", times[times.count / 2] * 1000)) | \(String(format: "%.0f", times.last! * 1000)) |")
        }
    }

    private func row(_ name: String, _ images: Int, _ asIs: Int, _ decoded: Int, _ times: [Double],
                     _ steps: [CodeReader.Step: Int], _ rescued: [CodeReader.Step: Int]) -> String {
        let sorted = times.sorted()
        let median = sorted.isEmpty ? 0 : sorted[sorted.count / 2] * 1000
        let worst = (sorted.last ?? 0) * 1000
        func list(_ counts: [CodeReader.Step: Int]) -> String {
            CodeReader.Step.allCases.compactMap { s in counts[s].map { "\(s.rawValue) \($0)" } }.joined(separator: ", ")
        }
        func pct(_ n: Int) -> String { images == 0 ? "0" : String(format: "%d (%.0f%%)", n, 100 * Double(n) / Double(images)) }
        return "| \(name) | \(images) | \(pct(asIs)) | \(pct(decoded)) | \(String(format: "%.1f", median)) | \(String(format: "%.0f", worst)) | \(list(steps)) | \(list(rescued)) |"
    }
}
