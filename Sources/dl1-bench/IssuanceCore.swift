import ArgumentParser
import DL1Format
import DL1Issuer
import Foundation

/// The issuance core as the product runs it without output files: the issuer's batch pipeline
/// (``Issuer/issueCodes(_:lifetime:groupSize:progress:deliver:)``: reserve a group in the
/// registry, sign each code, mark the group written, the registry's steps beside the signing),
/// with the codes dropped. Shared by `issuance` and `scale`.
enum IssuanceCore {
    /// Issues `count` licences numbered `prefix`0, `prefix`1, … (copies of `licence`), `group`
    /// per registry transaction, a hundred groups of rows in memory at a time.
    static func issue(_ issuer: Issuer, licence: Licence, prefix: String, count: Int, group: Int) throws {
        let chunk = max(1, group) * 100
        var done = 0
        while done < count {
            let n = min(chunk, count - done)
            let rows = (0..<n).map { i -> BatchRow in
                var l = licence
                l.documentNumber = "\(prefix)\(done + i)"
                return BatchRow(line: done + i + 1, key: l.documentNumber, licence: .success(l))
            }
            let summary = try issuer.issueCodes(rows, lifetime: .seconds(86_400), groupSize: group) { _ in }
            guard summary.issued == n else {
                throw ValidationError("issued \(summary.issued) of \(n): \(summary.failures.prefix(3).map { "line \($0.line): \($0.reason)" }.joined(separator: "; "))")
            }
            done += n
        }
    }

    /// CPU seconds (user + system) this process has used so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
