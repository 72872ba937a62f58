import DL1CommandSupport
import DL1Crypto
import DL1Format
import DL1Verifier
import DL1VerifyCommand
import DL1TestSupport
import Foundation
import Testing

/// `dl-verify --json` output checked against schemas/dl-verify-result.schema.json by a real
/// JSON Schema validator (Python's jsonschema), for every published test vector.
@Suite("JSON output schema")
struct JSONSchemaTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

    @Test("every test vector's and test image's --json output has its expected verdict and validates against the schema; --quiet prints nothing")
    func schema() throws {
        let vectors = Self.repo.appendingPathComponent("testvectors")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: vectors.appendingPathComponent("vectors.json"))) as? [String: Any])
        let list = try #require(document["vectors"] as? [[String: Any]])
        var lines: [String] = []
        let otherPortrait = FileManager.default.temporaryDirectory.appendingPathComponent("dl1-other-portrait-\(UUID().uuidString)")
        try Data("another holder's photo".utf8).write(to: otherPortrait)
        defer { try? FileManager.default.removeItem(at: otherPortrait) }
        for vector in list {
            var arguments = ["--trust", vectors.appendingPathComponent("trust").path, "--at", vector["at"] as! String, "--json",
                             "--text", vector["code"] as! String]
            for status in vector["status"] as! [String] { arguments += ["--status", vectors.appendingPathComponent(status).path] }
            if vector["allow_unknown_status"] as? Bool == true { arguments.append("--allow-unknown-status") }
            if let window = vector["holder_window"] as? Int { arguments += ["--holder-window", String(window)] }
            if vector["require_holder_binding"] as? Bool == true { arguments.append("--require-holder-binding") }
            if let category = vector["category"] as? String { arguments += ["--category", category] }
            if let hash = vector["portrait_sha256"] as? String {
                let matching = vectors.appendingPathComponent("portrait.txt")
                arguments += ["--portrait", Hex.encode(SHA256.hash([UInt8](try Data(contentsOf: matching)))) == hash ? matching.path : otherPortrait.path]
            }
            let console = Console.capturing()
            _ = CommandRunner.run(DLVerify.self, arguments, console: console)
            lines += console.stdout.split(separator: "\n").map(String.init)
            // The CLI gives each vector its expected verdict too.
            let object = try JSONSerialization.jsonObject(with: Data(console.stdout.utf8)) as? [String: Any]
            let expected = (vector["expected"] as? [String: Any])?["verdict"] as? String
            #expect(object?["verdict"] as? String == expected, "\(vector["name"] ?? "?")")
        }
        // The images too: their objects carry the `read` member (the reader step and size).
        let images = try #require(document["images"] as? [[String: Any]]).map { vectors.appendingPathComponent($0["file"] as! String).path }
        let console = Console.capturing()
        _ = CommandRunner.run(DLVerify.self, ["--trust", vectors.appendingPathComponent("trust").path, "--at", "2026-06-01T12:00:00Z", "--json",
                                              "--status", vectors.appendingPathComponent("status/current.cwt").path] + images, console: console)
        let imageLines = console.stdout.split(separator: "\n").map(String.init)
        #expect(imageLines.count == images.count && imageLines.allSatisfy { $0.contains("\"read\":{\"step\":\"as is\"") })
        #expect(lines.count == list.count)
        lines += imageLines
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("dl1-json-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: output) }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.Draft202012Validator(schema)
            bad = 0
            # The schema lets a counter's profile hold licence members back; the CLI holds none back.
            every = set(schema["properties"]["licence"]["properties"])
            for n, line in enumerate(open(sys.argv[2]), 1):
                item = json.loads(line)
                for error in validator.iter_errors(item):
                    bad += 1
                    print(f"line {n}: {error.message}")
                missing = every - set(item.get("licence", every))
                if missing:
                    bad += 1
                    print(f"line {n}: the licence lacks {sorted(missing)}")
            sys.exit(1 if bad else 0)
            """, Self.repo.appendingPathComponent("schemas/dl-verify-result.schema.json").path, output.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let report = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "schema validation (needs python3 with jsonschema): \(report)")
        let quiet = Console.capturing()
        let rc = CommandRunner.run(DLVerify.self, ["--trust", vectors.appendingPathComponent("trust").path, "--quiet", "--text", "DL1:x"], console: quiet)
        #expect(rc == 1 && quiet.stdout.isEmpty)
    }

    @Test("JSON values: integers at every width and sign, escapes, nesting, member order")
    func values() {
        for value: Int64 in [0, 7, 9, 10, 99, 100, -1, -10, 1_234_567_890, Int64.max, Int64.min, Int64.min + 1] {
            #expect(JSONValue.int(value).serialized == String(value))
        }
        let value = JSONValue.object([("b", .array([.int(-3), .bool(true), .null, .string("a\"\\\n\u{1B}é")])), ("a", .object([]))])
        #expect(value.serialized == #"{"b":[-3,true,null,"a\"\\\n\u001bé"],"a":{}}"#)
        // Copied as they are: ASCII, accents, Chinese; escaped: C1 controls and bidirectional
        // controls (their lead bytes C2, D8, E2 also start characters that stay as they are).
        for (text, json) in [("张 伟", #""张 伟""#), ("Zoë", #""Zoë""#), ("a\u{85}b", #""a\u0085b""#), ("¢", #""¢""#),
                             ("x\u{202E}y", #""x\u202ey""#), ("\u{061C}ب", #""\u061cب""#), ("—\u{2028}", #""—\u2028""#), ("€", #""€""#)] {
            #expect(JSONValue.string(text).serialized == json, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test("Instant.iso: the fast four-digit-year form is the general one, around days, years and the ends of Int64")
    func instants() {
        func general(_ seconds: Int64) -> String {
            let day = CalendarDate(utcDayOf: seconds)
            let remainder = seconds % 86_400
            let s = remainder < 0 ? remainder + 86_400 : remainder
            func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
            return "\(day)T\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))Z"
        }
        var values: [Int64] = [0, -1, 1, 86_399, 86_400, -86_400, -86_401, 951_782_400, 1_798_761_599, 253_402_300_799, 253_402_300_800,
                               -62_167_219_200, -62_167_219_201, .max, .min, .max - 1, .min + 1]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 { values.append(Int64.random(in: -70_000_000_000...260_000_000_000, using: &generator)) }
        for value in values { #expect(Instant.iso(value) == general(value), "\(value)") }
        #expect(Instant.iso(1_798_761_599) == "2026-12-31T23:59:59Z")
    }
}
