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
    /// Standard output held back while ``bufferOutput(_:)`` is on (real streams only).
    private var pending: [UInt8] = []
    private var buffering = false
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
    /// Writes a line of UTF-8 bytes to standard output (a newline is added), with no string made.
    public func out(line bytes: [UInt8]) { emit(bytes + [UInt8(ascii: "\n")], toError: false) }

    /// The most standard output held back before it is written.
    static let bufferLimit = 65_536

    /// Holds standard output back (about 64 KiB) instead of one write per line, for a stream of
    /// answers. It is still written before reading input would wait (so a program that writes a
    /// code and waits for its answer gets it), before anything goes to standard error, when
    /// ``writeFailed`` is asked, and when buffering is turned off.
    public func bufferOutput(_ on: Bool) {
        lock.lock(); defer { lock.unlock() }
        if !on { flushLocked() }
        buffering = on
    }

    /// Writes what standard output holds back.
    public func flush() {
        lock.lock(); defer { lock.unlock() }
        flushLocked()
    }

    private func flushLocked() {
        guard !pending.isEmpty else { return }
        let bytes = pending
        pending.removeAll(keepingCapacity: true)
        write(bytes, toError: false)
    }

    private func write(_ bytes: [UInt8], toError: Bool) {
        let handle = toError ? FileHandle.standardError : FileHandle.standardOutput
        do { try handle.write(contentsOf: Data(bytes)) } catch { failed = true }
    }
    /// Writes to standard output as is.
    public func write(_ text: String) { emit(text, toError: false) }
    /// Writes a line to standard error.
    public func err(_ text: String) { emit(text + "\n", toError: true) }
    /// Writes to standard error as is (progress bars).
    public func errWithoutNewline(_ text: String) { emit(text, toError: true) }

    /// Whether any write failed (what standard output holds back is written first).
    public var writeFailed: Bool { lock.lock(); defer { lock.unlock() }; flushLocked(); return failed }

    /// Reads one line of standard input without its line end (LF or CRLF, nothing else), or nil
    /// at the end. A line longer than ``maxLineBytes`` comes back cut to that length.
    public func readLine() -> String? {
        lock.lock(); defer { lock.unlock() }
        let line: String
        if capture {
            guard !inputLines.isEmpty else { return nil }
            line = inputLines.removeFirst()
        } else {
            guard let next = reader?.next(beforeWaiting: { flushLocked() }) else { return nil }
            line = next
        }
        return line.utf8.last == UInt8(ascii: "\r") ? String(decoding: line.utf8.dropLast(), as: UTF8.self) : line
    }

    /// What was written to standard output (capturing consoles only).
    public var stdout: String { lock.lock(); defer { lock.unlock() }; return outBuffer }
    /// What was written to standard error (capturing consoles only).
    public var stderr: String { lock.lock(); defer { lock.unlock() }; return errBuffer }

    private func emit(_ text: String, toError: Bool) { emit(Array(text.utf8), toError: toError) }

    private func emit(_ bytes: [UInt8], toError: Bool) {
        lock.lock(); defer { lock.unlock() }
        if capture {
            let text = String(decoding: bytes, as: UTF8.self)
            if toError { errBuffer += text } else { outBuffer += text }
            return
        }
        if buffering, !toError {
            pending += bytes
            if pending.count >= Self.bufferLimit { flushLocked() }
            return
        }
        // Standard error never overtakes the answers written before it.
        if toError { flushLocked() }
        write(bytes, toError: toError)
    }
}

/// Reads lines from a file handle in chunks, keeping at most `maxLineBytes` of any line.
final class LineReader {
    private let handle: FileHandle
    private let maxLineBytes: Int
    private var buffer: [UInt8] = []
    /// Where the unread part of `buffer` starts (lines are not removed from its front one by one).
    private var start = 0
    private var atEnd = false

    /// Whether the handle is a regular file (read in 64 KiB blocks); a pipe or a terminal is
    /// read as its data arrives, so that a line is answered without waiting for more.
    private let isRegularFile: Bool

    init(handle: FileHandle, maxLineBytes: Int) {
        self.handle = handle
        self.maxLineBytes = maxLineBytes
        var info = stat()
        isRegularFile = fstat(handle.fileDescriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The next line; `beforeWaiting` runs before a read of the handle (which may wait).
    func next(beforeWaiting: () -> Void = {}) -> String? {
        var line: [UInt8] = []
        var overflowed = false
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if !overflowed { line += buffer[start..<newline].prefix(maxLineBytes - line.count) }
                start = newline + 1
                return String(decoding: line, as: UTF8.self)
            }
            if !overflowed {
                line += buffer[start...].prefix(maxLineBytes - line.count)
                overflowed = line.count >= maxLineBytes
            }
            buffer.removeAll(keepingCapacity: true)
            start = 0
            if atEnd {
                return line.isEmpty && !overflowed ? nil : String(decoding: line, as: UTF8.self)
            }
            beforeWaiting()
            // (read(upToCount:) waits until it has the whole count or the end; availableData
            // returns what one read gets, at most a pipe's buffer.)
            let chunk = isRegularFile ? ((try? handle.read(upToCount: 65_536)) ?? nil) : handle.availableData
            if let chunk, !chunk.isEmpty { buffer = [UInt8](chunk) } else { atEnd = true }
        }
    }
}
