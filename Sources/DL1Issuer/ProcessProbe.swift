#if canImport(Glibc)
import Glibc
#endif

/// Whether a process id names a running process (on this machine).
enum ProcessProbe {
    static func isRunning(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) == 0 { return true }
        return errno == EPERM
    }
}
