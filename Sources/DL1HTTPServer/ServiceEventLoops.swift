import Foundation
import NIOCore
import NIOPosix

/// The event loops the services run on: one per CPU this process may run on. NIO's shared
/// group has one per CPU of the machine (or of its cgroup's cpuset), so a server pinned with
/// `taskset`, `numactl` or systemd's `CPUAffinity=` would run several loops that take turns on
/// the same CPUs: more context switches, and answers flushed in smaller rounds.
public enum ServiceEventLoops {
    public static let group = MultiThreadedEventLoopGroup(numberOfThreads: loopCount)

    static var loopCount: Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        return min(System.coreCount, allowedCPUs(procStatus: status) ?? System.coreCount)
    }

    /// The number of CPUs in `/proc/self/status`'s `Cpus_allowed_list` (say `0`, `0-3` or
    /// `0,2,4-7`); nil when the line is missing or not in that form.
    static func allowedCPUs(procStatus: String) -> Int? {
        guard let line = procStatus.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        var count = 0
        for range in line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
            .split(separator: ",", omittingEmptySubsequences: false) {
            let ends = range.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            switch ends.count {
            case 1:
                guard ends[0] != nil else { return nil }
                count += 1
            case 2:
                guard let low = ends[0], let high = ends[1], low <= high else { return nil }
                count += high - low + 1
            default: return nil
            }
        }
        return count > 0 ? count : nil
    }
}
