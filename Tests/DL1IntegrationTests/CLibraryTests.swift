import DL1CommandSupport
import DL1Crypto
import DL1IssueCommand
import DL1Format
import DL1Verifier
import DL1TestSupport
import DL1IssuerTestSupport
import Foundation
import Testing

/// libdlverify.so through its C header: the example program in Examples/c is compiled with gcc,
/// run against every published test vector, and run under valgrind (no leaks, no invalid access).
@Suite("C library (libdlverify.so, dlverify.h)", .serialized, .tags(.slow))
struct CLibraryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL
    static let vectorsFolder = root.appendingPathComponent("testvectors")

    /// The folder holding libdlverify.so: next to the test binary, or the package's debug folder.
    static var libraryFolder: URL? {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          root.appendingPathComponent(".build/debug")]
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("libdlverify.so").path) }
    }

    /// Compiles Examples/c/dlverify_example.c with gcc (warnings are errors) once per run.
    static let example: Result<URL, CLibraryError> = {
        guard let lib = libraryFolder else { return .failure(CLibraryError("libdlverify.so is not built: run 'swift build --build-tests'")) }
        let output = Fixture.temporaryFolder().appendingPathComponent("dlverify_example")
        let run = Self.run("/usr/bin/env", ["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pthread", "-o", output.path,
                                           root.appendingPathComponent("Examples/c/dlverify_example.c").path,
                                           "-I", root.appendingPathComponent("Sources/CDLVerify/include").path,
                                           "-L", lib.path, "-ldlverify", "-Wl,-rpath,\(lib.path)"])
        guard run.status == 0 else { return .failure(CLibraryError("gcc failed: \(run.stderr)")) }
        return .success(output)
    }()

    struct CLibraryError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    struct Run { let status: Int32; let stdout: String; let stderr: String }

    static func run(_ tool: String, _ arguments: [String], stdin: String = "") -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { return Run(status: -1, stdout: "", stderr: "\(error)") }
        // Read both pipes while the process runs, so neither can fill up and block it.
        let group = DispatchGroup()
        nonisolated(unsafe) var out = Data(), err = Data()
        DispatchQueue.global().async(group: group) { out = output.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { err = errors.fileHandleForReading.readDataToEndOfFile() }
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return Run(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// The example's arguments for one vector's setup (trust, status, time, request).
    static func arguments(_ v: TestVectors.Vector, portraitMismatch: URL) throws -> [String] {
        var args = ["--trust", vectorsFolder.appendingPathComponent("trust").path]
        for status in v.status { args += ["--status", vectorsFolder.appendingPathComponent(status).path] }
        args += ["--at", String(try #require(Instant.parse(v.at)))]
        if v.allow_unknown_status { args.append("--allow-unknown-status") }
        if let window = v.holder_window { args += ["--holder-window", String(window)] }
        if v.require_holder_binding == true { args.append("--require-holder-binding") }
        if let category = v.category { args += ["--category", category] }
        if let hash = v.portrait_sha256 {
            let matching = vectorsFolder.appendingPathComponent("portrait.txt")
            args += ["--portrait", Hex.encode(SHA256Check.hash(of: matching)) == hash ? matching.path : portraitMismatch.path]
        }
        return args
    }

    @Test("the C example gives every published vector its expected verdict, check, layer and condition")
    func vectors() throws {
        let example = try Self.example.get()
        let document = try #require(TestVectors.document)
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("other-portrait-\(UUID().uuidString)")
        try Data("another portrait".utf8).write(to: other)
        defer { try? FileManager.default.removeItem(at: other) }
        // Vectors sharing a setup go through one process, one code per line.
        var groups: [[String]: [TestVectors.Vector]] = [:]
        for vector in document.vectors {
            #expect(vector.leeway == 300, "the example uses the default leeway")
            groups[try Self.arguments(vector, portraitMismatch: other), default: []].append(vector)
        }
        for (arguments, vectors) in groups {
            let run = Self.run(example.path, arguments + ["--json", "--stdin"], stdin: vectors.map(\.code).joined(separator: "\n") + "\n")
            let lines = run.stdout.split(separator: "\n")
            try #require(lines.count == vectors.count, "\(run.stderr)")
            for (vector, line) in zip(vectors, lines) {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(object["verdict"] as? String == vector.expected.verdict, "\(vector.name)")
                #expect(object["check"] as? String == vector.expected.check, "\(vector.name)")
                #expect(object["layer"] as? String == vector.expected.layer, "\(vector.name)")
                #expect(object["condition"] as? String == vector.expected.condition, "\(vector.name)")
            }
            #expect(run.status == (vectors.allSatisfy { $0.expected.verdict == "VALID" } ? 0 : 1))
        }
    }

    @Test("one verifier shared by 4 C threads gives every thread the single-threaded answers")
    func threads() throws {
        let example = try Self.example.get()
        let document = try #require(TestVectors.document)
        let codes = document.vectors.filter { $0.status == ["status/current.cwt"] && $0.category == nil && $0.portrait_sha256 == nil && !$0.allow_unknown_status
                                           && $0.holder_window == nil && $0.require_holder_binding != true }
        let run = Self.run(example.path, ["--trust", Self.vectorsFolder.appendingPathComponent("trust").path,
                                          "--status", Self.vectorsFolder.appendingPathComponent("status/current.cwt").path,
                                          "--at", "1780315200", "--stdin", "--bench", "20", "--threads", "4"],
                           stdin: codes.map(\.code).joined(separator: "\n") + "\n")
        #expect(run.stdout.hasPrefix("\(codes.count) codes x 20 rounds x 4 threads in "), "\(run.stderr)")
        #expect(!run.stderr.contains("differed"))
        #expect(run.status == 1, "\(run.stderr)")  // some vectors are meant to fail; 2 would mean a thread disagreed
    }

    @Test("images through the C API: the PNG and the photo verify, in Chinese when asked, with the licence's fields")
    func images() throws {
        let example = try Self.example.get()
        let images = try #require(TestVectors.document).images.map { Self.vectorsFolder.appendingPathComponent($0.file).path }
        let setup = ["--trust", Self.vectorsFolder.appendingPathComponent("trust").path,
                     "--status", Self.vectorsFolder.appendingPathComponent("status/current.cwt").path, "--at", "1780315200"]
        let run = Self.run(example.path, setup + ["--lang", "zh"] + images)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.components(separatedBy: Explanation.valid.text(in: .chinese)).count == images.count + 1)
        #expect(run.stdout.contains("holder:     张 小明 (born 1990-01-01)"))
        #expect(run.stdout.contains("category:   A2 from 2022-03-01 to 2028-03-01 (glasses)"))
        #expect(run.stdout.contains("points:     9/12 as of 2026-06-01T08:00:00Z"))
    }

    @Test("a handheld bundle through the C API: its status list makes a fresh code VALID; without it the status is unknown")
    func bundle() throws {
        let example = try Self.example.get()
        let world = try CLIWorld.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let bundle = world.folder.appendingPathComponent("handheld.dlb").path
        let console = Console.capturing()
        #expect(CommandRunner.run(DLIssue.self, ["export-bundle", "--issuer", world.issuer, "--output", bundle], console: console) == 0,
                "\(console.stderr)")
        let with = Self.run(example.path, ["--trust", world.trust, "--bundle", bundle, "--json", world.png])
        #expect(with.status == 0, "\(with.stderr)")
        #expect(with.stdout.contains("\"verdict\":\"VALID\""))
        let without = Self.run(example.path, ["--trust", world.trust, world.png])
        #expect(without.status == 1)
        #expect(without.stdout.hasPrefix("STATUS_UNKNOWN\n"))
    }

    @Test("errors cross the C boundary as codes and messages: missing trust folder, bad bundle, not an image, no code, bad language")
    func errors() throws {
        let example = try Self.example.get()
        let trust = Self.vectorsFolder.appendingPathComponent("trust").path
        let missing = Self.run(example.path, ["--trust", "/nonexistent/trust", "--text", "DL1:x"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("trust folder: the trust folder /nonexistent/trust does not exist or is not a folder (code 3)"))
        let portrait = Self.vectorsFolder.appendingPathComponent("portrait.txt").path
        let bundle = Self.run(example.path, ["--trust", trust, "--bundle", portrait, "--text", "DL1:x"])
        #expect(bundle.status == 2)
        #expect(bundle.stderr.contains("not a DL1 bundle") && bundle.stderr.contains("(code 4)"))
        let notImage = Self.run(example.path, ["--trust", trust, portrait])
        #expect(notImage.status == 2)
        #expect(notImage.stderr.contains("not a readable image: not a PNG or JPEG image (code 5)"))
        let language = Self.run(example.path, ["--trust", trust, "--lang", "fr", "--text", "DL1:x"])
        #expect(language.stderr.contains("the language must be \"en\" or \"zh\" (code 1)"))
        let malformed = Self.run(example.path, ["--trust", trust, "--text", "not a code"])
        #expect(malformed.status == 1)
        #expect(malformed.stdout.hasPrefix("MALFORMED\nThis is not a DL1 driving-licence code"))
    }

    /// A C program that misuses the interface the ways integrators do, under valgrind.
    static let misuse = #"""
    #include "dlverify.h"
    #include <stdio.h>
    #include <string.h>
    int main(int argc, char **argv) {
        if (dlv_abi_version() != DLV_ABI_VERSION) return 10;
        dlv_error *error = NULL;
        dlv_builder *builder = dlv_builder_new();
        if (dlv_builder_add_status_file(builder, argv[2], &error) != DLV_E_STATE) return 11;   /* before the trust folder */
        dlv_error_free(error); error = NULL;
        if (dlv_builder_set_trust_folder(builder, argv[1], &error) != DLV_OK) return 12;
        if (dlv_builder_set_leeway(builder, -1, &error) != DLV_E_ARGUMENT) return 13;
        dlv_error_free(error); error = NULL;
        dlv_verifier *verifier = NULL;
        if (dlv_builder_build(builder, &verifier, &error) != DLV_OK) return 14;
        dlv_error_free((dlv_error *)builder);             /* wrong type: must do nothing */
        dlv_builder_free(builder);
        dlv_request zeroed;
        memset(&zeroed, 0, sizeof zeroed);                 /* not DLV_REQUEST_INIT */
        dlv_results *results = NULL;
        if (dlv_verify_text(verifier, "DL1:x", &zeroed, &results, &error) != DLV_E_ARGUMENT) return 15;
        printf("%s\n", dlv_error_message(error));
        dlv_error_free(error); error = NULL;
        dlv_request request = DLV_REQUEST_INIT;
        if (dlv_verify_text(verifier, "DL1:x", &request, &results, &error) != DLV_OK) return 16;
        const dlv_result *result = dlv_results_get(results, 0);
        dlv_results_free((dlv_results *)result);           /* a result is not owned: must do nothing */
        if (dlv_result_verdict(result) != DLV_MALFORMED) return 17;
        if (dlv_results_get(results, 1) != NULL || dlv_result_field(result, (dlv_field)999) != NULL) return 18;
        if (dlv_verify_image(verifier, (const uint8_t *)"nope", 4, NULL, &results, &error) != DLV_E_IMAGE) return 19;
        printf("%s\n", dlv_error_message(error));
        dlv_error_free(error);
        dlv_results_free(results);
        dlv_verifier_free(verifier);
        dlv_verifier_free(NULL);
        return 0;
    }
    """#

    @Test("misuse from C: zeroed request, frees of the wrong type, calls out of order, bad leeway, unknown field: codes and messages, no crash, clean under valgrind")
    func misuse() throws {
        guard let lib = Self.libraryFolder else { Issue.record("libdlverify.so is not built"); return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dlv-misuse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("misuse.c"), program = folder.appendingPathComponent("misuse")
        try Data(Self.misuse.utf8).write(to: source)
        let gcc = Self.run("/usr/bin/env", ["gcc", "-std=c11", "-Wall", "-Werror", "-o", program.path, source.path,
                                            "-I", Self.root.appendingPathComponent("Sources/CDLVerify/include").path,
                                            "-L", lib.path, "-ldlverify", "-Wl,-rpath,\(lib.path)"])
        try #require(gcc.status == 0, "\(gcc.stderr)")
        let arguments = [Self.vectorsFolder.appendingPathComponent("trust").path, Self.vectorsFolder.appendingPathComponent("status/current.cwt").path]
        let run = Self.run(program.path, arguments)
        #expect(run.status == 0, "step \(run.status) failed: \(run.stderr)")
        #expect(run.stdout == "the request's size is not set: start from DLV_REQUEST_INIT\nnot a readable image: not a PNG or JPEG image\n")
        let checked = Self.run("/usr/bin/valgrind", ["--leak-check=full", "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99",
                                                     "--suppressions=\(Self.root.appendingPathComponent("scripts/valgrind.supp").path)", program.path] + arguments)
        #expect(checked.status == 0, "\(checked.stderr.suffix(3000))")
    }

    @Test("valgrind: the example over every valid-setup vector, the images and an error path: no leak, no invalid access")
    func valgrind() throws {
        let example = try Self.example.get()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/valgrind") else {
            Issue.record("valgrind is not installed: scripts/setup installs it")
            return
        }
        let document = try #require(TestVectors.document)
        let codes = document.vectors.filter { $0.status == ["status/current.cwt"] && $0.category == nil && $0.portrait_sha256 == nil
                                               && $0.holder_window == nil && $0.require_holder_binding != true }.map(\.code)
        let trust = Self.vectorsFolder.appendingPathComponent("trust").path
        let setup = ["--trust", trust, "--status", Self.vectorsFolder.appendingPathComponent("status/current.cwt").path, "--at", "1780315200"]
        let valgrind = ["--leak-check=full", "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99",
                        "--suppressions=\(Self.root.appendingPathComponent("scripts/valgrind.supp").path)", example.path]
        let runs = [
            Self.run("/usr/bin/valgrind", valgrind + setup + ["--json", "--stdin"], stdin: codes.joined(separator: "\n") + "\n"),
            Self.run("/usr/bin/valgrind", valgrind + setup + ["--lang", "zh"] + document.images.map { Self.vectorsFolder.appendingPathComponent($0.file).path }),
            Self.run("/usr/bin/valgrind", valgrind + ["--trust", trust, "--bundle", trust + "/root.pem", "--text", "DL1:x"]),
        ]
        for run in runs {
            #expect(run.status != 99 && run.status >= 0, "valgrind found errors:\n\(run.stderr.suffix(4000))")
            #expect(run.stderr.contains("ERROR SUMMARY: 0 errors"), "\(run.stderr.suffix(2000))")
        }
        #expect(runs[0].stdout.split(separator: "\n").count == codes.count)
    }
}

/// SHA-256 of a file, for matching a vector's portrait hash.
enum SHA256Check {
    static func hash(of url: URL) -> [UInt8] {
        DL1Crypto.SHA256.hash([UInt8]((try? Data(contentsOf: url)) ?? Data()))
    }
}
