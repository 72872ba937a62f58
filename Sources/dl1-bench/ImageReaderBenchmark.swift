import ArgumentParser
import DL1Raster
import DL1Verifier
import Foundation

/// What each step of the photo reader buys and costs, on an image set made by
/// scripts/make-image-set.py. In-process, so the times are the reader's own (decode + steps),
/// without process start.
///
/// Every step is run on every image once, alone, and timed; which step reads which image and
/// what it costs then give, exactly, what any order of the steps would read and cost. So the
/// reader's order is chosen from measurements: the table of orders shows the shipped one
/// beside the alternatives, and zxing-cpp on its own (its default effort, the same library
/// build) is the reference each class is held to.
struct ImageReaderBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images",
                                                    abstract: "Photo reader: what each step reads and costs, and what each order of the steps would.")

    @Option(help: "A folder made by scripts/make-image-set.py (with manifest.json).")
    var set: String

    struct Entry: Decodable {
        let file: String
        let `class`: String
        let text: String
    }

    /// One image, measured.
    struct Measured {
        let className: String
        /// Empty for a picture without a code: then reading nothing is right.
        let expected: [UInt8]
        let decodeSeconds: Double
        /// Each step that applies: whether it read the expected code (without a code: read
        /// nothing), whether it read any code at all (the reader stops there), and its cost
        /// (prepare + scan).
        var steps: [CodeReader.Step: (read: Bool, any: Bool, seconds: Double)] = [:]
        /// zxing-cpp alone (its step: the frame as decoded, its default effort): read the
        /// expected code (or, without a code, nothing).
        var zxingAlone: Bool { steps[.zxing]?.read ?? false }
        var hasCode: Bool { !expected.isEmpty }
    }

    /// What an order of steps does to one image, as `CodeReader.read` would: read it right?,
    /// the step that stopped the reader, seconds spent. The reader stops at the first step that
    /// reads any code (right or wrong), and after `givesUpAfter` once zxing-cpp has looked.
    static func simulate(_ image: Measured, order: [CodeReader.Step], givesUpAfter: CodeReader.Step?) -> (read: Bool, step: CodeReader.Step?, seconds: Double) {
        var seconds = image.decodeSeconds
        var zxingLooked = false
        for step in order {
            if let outcome = image.steps[step] {
                seconds += outcome.seconds
                if outcome.any { return (outcome.read, step, seconds) }
                zxingLooked = zxingLooked || step == .zxing
            }
            if zxingLooked, step == givesUpAfter { break }
        }
        return (!image.hasCode, nil, seconds)
    }

    func run() throws {
        let folder = URL(fileURLWithPath: set)
        let manifest = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: folder.appendingPathComponent("manifest.json")))
        var images: [Measured] = []
        var classes: [String] = []
        for entry in manifest {
            if !classes.contains(entry.class) { classes.append(entry.class) }
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(entry.file)))
            var decoded = GreyImage(width: 1, height: 1)
            let decodeSeconds = try BenchSupport.time { decoded = try ImageDecoder.decode(bytes) }
            var image = Measured(className: entry.class, expected: Array(entry.text.utf8), decodeSeconds: decodeSeconds)
            for step in CodeReader.Step.allCases {
                var codes: [[UInt8]]? = nil
                let seconds = BenchSupport.time {
                    if let prepared = CodeReader.prepare(decoded, for: step) { codes = CodeReader.scan(prepared, for: step) }
                }
                guard let codes else { continue }
                // Without a code, reading nothing is right.
                image.steps[step] = (image.hasCode ? codes.contains(image.expected) : codes.isEmpty, !codes.isEmpty, seconds)
            }
            images.append(image)
        }

        let shipped = CodeReader()
        func named(_ steps: [CodeReader.Step], _ givesUpAfter: CodeReader.Step?) -> String {
            steps.map { $0.rawValue + ($0 == givesUpAfter ? " (give up if nothing read yet)" : "") }.joined(separator: " → ")
        }
        let zbarSteps = CodeReader.Step.allCases.filter { $0 != .zxing }
        let candidates: [([CodeReader.Step], CodeReader.Step?)] = [
            (shipped.steps, shipped.givesUpAfter),
            (shipped.steps, nil),
            (zbarSteps + [.zxing], nil),
            (zbarSteps, nil),
            ([.asIs, .zxing] + zbarSteps.filter { $0 != .asIs }, .zxing),
            (shipped.steps, .zxing),
        ]
        let orders = candidates.enumerated().map { index, candidate in
            ((index == 0 ? "**shipped**: " : "") + named(candidate.0, candidate.1), candidate.0, candidate.1)
        }

        func pct(_ n: Int, _ total: Int) -> String { total == 0 ? "0" : String(format: "%d (%.0f%%)", n, 100 * Double(n) / Double(total)) }
        func median(_ values: [Double]) -> String {
            let sorted = values.sorted()
            return sorted.isEmpty ? "-" : String(format: "%.1f", sorted[sorted.count / 2] * 1000)
        }
        func worst(_ values: [Double]) -> String { String(format: "%.0f", (values.max() ?? 0) * 1000) }

        // Per class: zbar alone, zxing-cpp alone, the shipped reader; its time; which step read.
        print("| class | images | zbar alone (as is) | zxing-cpp alone | reader | median ms | worst ms | read by step |")
        print("|---|---|---|---|---|---|---|---|")
        for name in classes + ["all"] {
            // The total is over the images with a code; the no-code class has its own row.
            let rows = images.filter { name == "all" ? $0.hasCode : $0.className == name }
            let outcomes = rows.map { Self.simulate($0, order: shipped.steps, givesUpAfter: shipped.givesUpAfter) }
            var byStep: [CodeReader.Step: Int] = [:]
            for outcome in outcomes where outcome.read { if let step = outcome.step { byStep[step, default: 0] += 1 } }
            let zbar = rows.filter { $0.steps[.asIs]?.read == true }.count
            let steps = CodeReader.Step.allCases.compactMap { s in byStep[s].map { "\(s.rawValue) \($0)" } }.joined(separator: ", ")
            print("| \(name == "all" ? "**all with a code**" : name) | \(rows.count) | \(pct(zbar, rows.count)) | \(pct(rows.filter(\.zxingAlone).count, rows.count)) "
                  + "| \(pct(outcomes.filter(\.read).count, rows.count)) | \(median(outcomes.map(\.seconds))) | \(worst(outcomes.map(\.seconds))) | \(steps) |")
        }

        // The orders: what each would read and cost, over images with a code and over those without.
        print("")
        print("| order of the steps | read (images with a code) | median ms | worst ms | pictures without a code: median ms | worst ms |")
        print("|---|---|---|---|---|---|")
        let withCode = images.filter(\.hasCode), without = images.filter { !$0.hasCode }
        for (name, order, givesUpAfter) in orders {
            let a = withCode.map { Self.simulate($0, order: order, givesUpAfter: givesUpAfter) }
            let b = without.map { Self.simulate($0, order: order, givesUpAfter: givesUpAfter) }
            print("| \(name) | \(pct(a.filter(\.read).count, withCode.count)) | \(median(a.map(\.seconds))) | \(worst(a.map(\.seconds))) "
                  + "| \(median(b.map(\.seconds))) | \(worst(b.map(\.seconds))) |")
        }

        // Each step alone: what it reads, the images only it reads, and what it costs.
        print("")
        print("| step | images it applies to | reads alone | only this step reads | median ms (prepare + one pass) | worst ms |")
        print("|---|---|---|---|---|---|")
        for step in CodeReader.Step.allCases {
            let applied = withCode.filter { $0.steps[step] != nil }
            let all = images.compactMap { $0.steps[step]?.seconds }
            guard !all.isEmpty else { continue }
            let only = withCode.filter { image in image.steps[step]?.read == true && image.steps.allSatisfy { $0.key == step || !$0.value.read } }
            print("| \(step.rawValue) | \(all.count) | \(applied.filter { $0.steps[step]!.read }.count) | \(only.count) | \(median(all)) | \(worst(all)) |")
        }
    }
}
