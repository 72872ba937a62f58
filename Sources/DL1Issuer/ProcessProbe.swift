import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which process this is, in a way that survives process-id reuse: its id and its start time
/// (clock ticks since boot, from /proc), so that a process id reused by another process (a new
/// container's PID 1, say) is not taken for the one that recorded it.
enum ProcessProbe {
    /// This process's id and start time.
    static let current: (pid: Int32, start: Int64) = (getpid(), startTime(getpid()) ?? 0)

    /// A process's start time in clock ticks since boot (field 22 of /proc/PID/stat), if it runs.
    static func startTime(_ pid: Int32) -> Int64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After the command name (which may hold spaces and parentheses): state is field 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? Int64(fields[19]) : nil
    }

    /// Whether the process that recorded (`pid`, `start`) still runs. A start time of 0 (not
    /// recorded) falls back to the process id alone.
    static func isRunning(_ pid: Int32, start: Int64 = 0) -> Bool {
        guard pid > 0 else { return false }
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard start != 0, let now = startTime(pid) else { return true }
        return now == start
    }

    /// Whether (`pid`, `start`) is this very process.
    static func isCurrent(_ pid: Int32, start: Int64) -> Bool {
        pid == current.pid && (start == 0 || start == current.start)
    }
}
