import DL1TestSupport
import Foundation
import Testing

/// Examples/VerifyExample, an app that depends on this package by path, builds with SwiftPM
/// and gives every published vector (that shares the common setup) its expected verdict.
@Suite("Examples/VerifyExample: a package that depends on DL1Verifier by path", .tags(.slow))
struct ExamplePackageTests {
    @Test("it builds, verifies the vectors concurrently and reads the images")
    func buildAndRun() throws {
        let root = CLibraryTests.root
        let scratch = root.appendingPathComponent(".build-examples")
        let build = CLibraryTests.run("/usr/bin/env", ["swift", "build", "--package-path", root.appendingPathComponent("Examples/VerifyExample").path,
                                                       "--scratch-path", scratch.path])
        try #require(build.status == 0, "swift build failed:\n\(build.stdout.suffix(3000))\n\(build.stderr.suffix(3000))")
        let example = scratch.appendingPathComponent("debug/verify-example").path
        let document = try #require(TestVectors.document)
        let vectors = document.vectors.filter { $0.status == ["status/current.cwt"] && $0.category == nil && $0.portrait_sha256 == nil
            && $0.at == "2026-06-01T12:00:00Z" && !$0.allow_unknown_status && $0.holder_window == nil && $0.require_holder_binding != true }
        let setup = [TestVectors.folder.appendingPathComponent("trust").path,
                     TestVectors.folder.appendingPathComponent("status/current.cwt").path, "2026-06-01T12:00:00Z"]
        let run = CLibraryTests.run(example, setup, stdin: vectors.map(\.code).joined(separator: "\n") + "\n")
        let verdicts = run.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[0]) }
        #expect(verdicts == vectors.map(\.expected.verdict), "\(run.stderr)")
        #expect(run.status == 1)
        let images = CLibraryTests.run(example, setup + ["--lang", "zh"] + document.images.map { TestVectors.folder.appendingPathComponent($0.file).path })
        #expect(images.status == 0, "\(images.stderr)")
        let imageLines = images.stdout.split(separator: "\n")
        #expect(imageLines.count == document.images.count)
        #expect(imageLines.allSatisfy { $0.contains("\tVALID\t驾驶证有效") })
    }
}
