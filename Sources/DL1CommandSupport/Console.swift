import Foundation

/// Where a command writes and reads: the real terminal, or buffers in tests.
///
/// Writes never trap: a failed write (a full disk, a closed stream) is remembered in
/// ``writeFailed`` so the command can answer with an error exit code instead of crashing.
public final class Console: @unchecked Sendable {
    // Guarded by `lock`; tests read the buffers after the command returns.
    private let lock = NSLock()
    private var outBuffer = ""
    private var errBuffer = ""
    private let capture: Bool
    private var inputLines: [String]
    private var reader: LineReader?
    private var failed = false
    /// Whether standard output is a terminal (colour, progress).
    public let isTerminal: Bool
    /// The environment the command sees (the process's, or a test's).
    public let environment: [String: String]

    /// The longest input line kept, in bytes; the rest of a longer line is skipped, so a
    /// hostile input cannot make the process grow (a QR code holds at most 4,296 characters).
    public static let maxLineBytes = 65_536

    private init(capture: Bool, input: [String], isTerminal: Bool, environment: [String: String]) {
        self.capture = capture
        self.environment = environment
        self.inputLines = input
        self.isTerminal = isTerminal
        self.reader = capture ? nil : LineReader(handle: .standardInput, maxLineBytes: Self.maxLineBytes)
    }

    /// The process's standard streams.
    public static func standard() -> Console {
        Console(capture: false, input: [], isTerminal: isatty(STDOUT_FILENO) == 1,
                environment: ProcessInfo.processInfo.environment)
    }

    /// A console that records output and serves `stdin` as standard input, for tests; it
    /// pretends to be a terminal when `terminal` is set, and shows commands `environment`.
    public static func capturing(stdin: String = "", terminal: Bool = false, environment: [String: String] = [:]) -> Console {
        // Split on LF bytes ("\r\n" is one Character in Swift, so split the UTF-8 view).
        var lines = stdin.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        if lines.last == "" { lines.removeLast() }
        return Console(capture: true, input: lines, isTerminal: terminal, environment: environment)
    }

    /// Writes to standard output (a newline is added).
    public func out(_ text: String) { emit(text + "\n", toError: false) }
    /// Writes to standard output as is.
    public func write(_ text: String) { emit(text, toError: false) }
    /// Writes a line to standard error.
    public func err(_ text: String) { emit(text + "\n", toError: true) }
    /// Writes to standard error as is (progress bars).
    public func errWithoutNewline(_ text: String) { emit(text, toError: true) }

    /// Whether any write failed.
    public var writeFailed: Bool { lock.lock(); defer { lock.unlock() }; return failed }

    /// Reads one line of standard input without its line end (LF or CRLF, nothing else), or nil
    /// at the end. A line longer than ``maxLineBytes`` comes back cut to that length.
    public func readLine() -> String? {
        lock.lock(); defer { lock.unlock() }
        let line: String
        if capture {
            guard !inputLines.isEmpty else { return nil }
            line = inputLines.removeFirst()
        } else {
            guard let next = reader?.next() else { return nil }
            line = next
        }
        return line.utf8.last == UInt8(ascii: "\r") ? String(decoding: line.utf8.dropLast(), as: UTF8.self) : line
    }

    /// What was written to standard output (capturing consoles only).
    public var stdout: String { lock.lock(); defer { lock.unlock() }; return outBuffer }
    /// What was written to standard error (capturing consoles only).
    public var stderr: String { lock.lock(); defer { lock.unlock() }; return errBuffer }

    private func emit(_ text: String, toError: Bool) {
        lock.lock(); defer { lock.unlock() }
        if capture {
            if toError { errBuffer += text } else { outBuffer += text }
            return
        }
        let handle = toError ? FileHandle.standardError : FileHandle.standardOutput
        do { try handle.write(contentsOf: Data(text.utf8)) } catch { failed = true }
    }
}

/// Reads lines from a file handle in chunks, keeping at most `maxLineBytes` of any line.
final class LineReader {
    private let handle: FileHandle
    private let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var atEnd = false

    init(handle: FileHandle, maxLineBytes: Int) {
        self.handle = handle
        self.maxLineBytes = maxLineBytes
    }

    func next() -> String? {
        var line: [UInt8] = []
        var overflowed = false
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                if !overflowed { line += buffer[..<newline].prefix(maxLineBytes - line.count) }
                buffer.removeSubrange(...newline)
                return String(decoding: line, as: UTF8.self)
            }
            if !overflowed {
                line += buffer.prefix(maxLineBytes - line.count)
                overflowed = line.count >= maxLineBytes
            }
            buffer.removeAll(keepingCapacity: true)
            if atEnd {
                return line.isEmpty && !overflowed ? nil : String(decoding: line, as: UTF8.self)
            }
            let chunk = (try? handle.read(upToCount: 65_536)) ?? nil
            if let chunk, !chunk.isEmpty { buffer = [UInt8](chunk) } else { atEnd = true }
        }
    }
}
