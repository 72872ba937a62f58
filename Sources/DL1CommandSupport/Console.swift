import Foundation

/// Where a command writes and reads: the real terminal, or buffers in tests.
public final class Console: @unchecked Sendable {
    // Guarded by `lock`; tests read the buffers after the command returns.
    private let lock = NSLock()
    private var outBuffer = ""
    private var errBuffer = ""
    private let capture: Bool
    private var inputLines: [String]
    /// Whether standard output is a terminal (colour, progress).
    public let isTerminal: Bool

    private init(capture: Bool, input: [String], isTerminal: Bool) {
        self.capture = capture
        self.inputLines = input
        self.isTerminal = isTerminal
    }

    /// The process's standard streams.
    public static func standard() -> Console {
        Console(capture: false, input: [], isTerminal: isatty(STDOUT_FILENO) == 1)
    }

    /// A console that records output and serves `stdin` as standard input, for tests.
    public static func capturing(stdin: String = "") -> Console {
        var lines = stdin.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return Console(capture: true, input: lines, isTerminal: false)
    }

    /// Writes to standard output (a newline is added).
    public func out(_ text: String) { emit(text + "\n", toError: false) }
    /// Writes to standard output as is.
    public func write(_ text: String) { emit(text, toError: false) }
    /// Writes a line to standard error.
    public func err(_ text: String) { emit(text + "\n", toError: true) }

    /// Reads one line of standard input without its line end (LF or CRLF), or nil at the end.
    public func readLine() -> String? {
        if capture {
            lock.lock(); defer { lock.unlock() }
            guard !inputLines.isEmpty else { return nil }
            var line = inputLines.removeFirst()
            if line.hasSuffix("\r") { line.removeLast() }
            return line
        }
        guard var line = Swift.readLine(strippingNewline: true) else { return nil }
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }

    /// What was written to standard output (capturing consoles only).
    public var stdout: String { lock.lock(); defer { lock.unlock() }; return outBuffer }
    /// What was written to standard error (capturing consoles only).
    public var stderr: String { lock.lock(); defer { lock.unlock() }; return errBuffer }

    private func emit(_ text: String, toError: Bool) {
        if capture {
            lock.lock(); defer { lock.unlock() }
            if toError { errBuffer += text } else { outBuffer += text }
            return
        }
        let handle = toError ? FileHandle.standardError : FileHandle.standardOutput
        handle.write(Data(text.utf8))
    }
}
