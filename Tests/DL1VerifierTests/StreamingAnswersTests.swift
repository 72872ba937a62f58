import DL1Format
import DL1TestSupport
import DL1Verifier
import Foundation
import Testing

/// `dl-verify --text -` holds its answers back in blocks, but never while it waits for input: a
/// program that writes one code and waits for its answer gets it (the real binary, over pipes).
@Suite("dl-verify --text -: answers as a stream")
struct StreamingAnswersTests {
    /// Reads standard output on a thread of its own; `line(within:)` waits for the next line.
    final class LineSource: @unchecked Sendable {
        private let condition = NSCondition()
        private var data = Data()
        private var closed = false

        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                while true {
                    let chunk = handle.availableData
                    condition.lock()
                    if chunk.isEmpty { closed = true } else { data += chunk }
                    condition.broadcast()
                    condition.unlock()
                    if chunk.isEmpty { return }
                }
            }
        }

        func line(within seconds: Double) -> String? {
            let deadline = Date().addingTimeInterval(seconds)
            condition.lock(); defer { condition.unlock() }
            while true {
                if let newline = data.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: data[data.startIndex..<newline], as: UTF8.self)
                    data = Data(data[(newline + 1)...])
                    return line
                }
                if closed || !condition.wait(until: deadline) { return nil }
            }
        }

        func rest() -> String {
            condition.lock(); defer { condition.unlock() }
            while !closed { condition.wait() }
            return String(decoding: data, as: UTF8.self)
        }
    }

    @Test("one code at a time gets its answer before the next is written; a block of 3,000 codes gets 3,000 JSON lines in order")
    func interactiveThenBlock() throws {
        let binary = try #require(StatusListHostileTests.dlVerify, "dl-verify is not built next to the tests: run 'swift build --build-tests'")
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--trust", try StatusListHostileTests.trustFolder(in: folder), "--at", Instant.iso(Fixture.now),
                             "--allow-unknown-status", "--json", "--text", "-"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        DispatchQueue.global().asyncAfter(deadline: .now() + 120) { if process.isRunning { process.terminate() } }
        let answers = LineSource(output.fileHandleForReading)
        let code = try Fixture.goodCode()

        input.fileHandleForWriting.write(Data((code + "\n").utf8))
        let first = try #require(answers.line(within: 30), "no answer while dl-verify waits for the next code")
        #expect(first.hasPrefix(#"{"source":"stdin:1","verdict":"VALID""#))
        input.fileHandleForWriting.write(Data("DL1:not a code\n".utf8))
        let second = try #require(answers.line(within: 30))
        #expect(second.hasPrefix(#"{"source":"stdin:2","verdict":"MALFORMED""#))

        input.fileHandleForWriting.write(Data(String(repeating: code + "\n", count: 3000).utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let lines = answers.rest().split(separator: "\n")
        #expect(lines.count == 3000)
        #expect(lines.enumerated().allSatisfy { i, line in line.hasPrefix(#"{"source":"stdin:\#(i + 3)","verdict":"VALID""#) })
        #expect(process.terminationStatus == 1, "one code was not valid")
    }
}
