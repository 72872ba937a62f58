// verify-example: verifies DL1 codes with the DL1Verifier library, as an app would.
//
//   verify-example TRUST_DIR STATUS_FILE AT_ISO8601 [--lang zh] < codes.txt   (one code per line)
//   verify-example TRUST_DIR STATUS_FILE AT_ISO8601 IMAGE...
//
// Prints one line per code: the verdict, the reason and the holder's name. All codes are
// verified concurrently with one shared verifier (it is Sendable and immutable).
import DL1Verifier
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 3, let at = Instant.parse(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: verify-example TRUST_DIR STATUS_FILE AT_ISO8601 [--lang zh] [IMAGE...]\n".utf8))
    exit(2)
}
var rest = Array(arguments.dropFirst(3))
var chosenLanguage = Language.english
if let flag = rest.firstIndex(of: "--lang"), flag + 1 < rest.count, let chosen = Language(rawValue: rest[flag + 1]) {
    chosenLanguage = chosen
    rest.removeSubrange(flag...(flag + 1))
}
let language = chosenLanguage

// 1. Trust material: a trust folder, then status lists (and bundles, if the device has any).
let verifier: Verifier
do {
    var setup = try VerifierSetup(trustDirectory: URL(fileURLWithPath: arguments[0]))
    try setup.addStatusToken(file: arguments[1])
    // A fixed clock makes the answers reproducible; an app would keep the default (system) clock.
    let made = setup.makeVerifier(options: Verifier.Options(clock: { at }))
    for warning in made.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
    verifier = made.verifier
} catch {
    FileHandle.standardError.write(Data("verify-example: \(error)\n".utf8))
    exit(2)
}

func line(_ result: VerificationResult) -> String {
    let holder = result.licence.map { "\($0.familyName) \($0.givenName ?? "")" } ?? "-"
    return "\(result.verdict.rawValue)\t\(result.reason(in: language))\t\(holder)"
}

// 2. Verify: images if given, else codes from standard input, all at once.
var anyInvalid = false
if rest.isEmpty {
    var codes: [String] = []
    while let code = readLine() { codes.append(code) }
    let results = await withTaskGroup(of: (Int, VerificationResult).self) { group in
        for (i, code) in codes.enumerated() { group.addTask { (i, verifier.verify(text: code)) } }
        var ordered = [VerificationResult?](repeating: nil, count: codes.count)
        for await (i, result) in group { ordered[i] = result }
        return ordered.compactMap { $0 }
    }
    for result in results {
        print(line(result))
        anyInvalid = anyInvalid || !result.isValid
    }
} else {
    for path in rest {
        guard let data = FileManager.default.contents(atPath: path) else {
            FileHandle.standardError.write(Data("verify-example: cannot read \(path)\n".utf8))
            exit(2)
        }
        do {
            let scan = try verifier.verify(imageBytes: [UInt8](data))
            if scan.foundNoCode { print("\(path): no QR code") }
            for result in scan.results {
                print("\(path)\t" + line(result))
                anyInvalid = anyInvalid || !result.isValid
            }
        } catch {
            FileHandle.standardError.write(Data("verify-example: \(path): \(error)\n".utf8))
            exit(2)
        }
    }
}
exit(anyInvalid ? 1 : 0)
