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
        // Split on LF bytes ("\r\n" is one Character in Swift, so split the UTF-8 view).
        var lines = stdin.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
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
            let line = inputLines.removeFirst()
            return line.utf8.last == UInt8(ascii: "\r") ? String(decoding: line.utf8.dropLast(), as: UTF8.self) : line
        }
        // readLine strips a trailing LF or CRLF and nothing else (a space is a Base45 character).
        return Swift.readLine(strippingNewline: true)
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
