import DL1Crypto
import DL1Format
import DL1Verifier
import Foundation

/// One input row of a batch.
public struct BatchRow: Sendable {
    /// Its line number in the input (for messages).
    public let line: Int
    /// Its identity: the same row content gives the same key, so a re-run never issues it twice.
    public let key: String
    /// The licence, or why the row is bad.
    public let licence: Result<Licence, IssuerError>
    /// The holder's device key, when the row binds its credential (its code is then text).
    public let holderKey: HolderKey?

    public init(line: Int, key: String, licence: Result<Licence, IssuerError>, holderKey: HolderKey? = nil) {
        self.line = line
        self.key = key
        self.licence = licence
        self.holderKey = holderKey
    }
}

/// What happened to each row of a batch.
public struct BatchSummary: Sendable {
    /// Rows issued now.
    public var issued = 0
    /// Rows issued by an earlier run whose output was already there.
    public var alreadyDone = 0
    /// Rows issued by an earlier (interrupted) run whose code was written again now.
    public var completed = 0
    /// Bad rows: line number and reason.
    public var failures: [(line: Int, reason: String)] = []

    /// Rows handled so far.
    public var handled: Int { issued + alreadyDone + completed + failures.count }

    /// An empty summary.
    public init() {}
}

extension Issuer {
    /// Issues every good row, `groupSize` rows per registry transaction, writing one output per
    /// licence into `folder` (named after its document number). Bad rows are reported and
    /// skipped. Re-running the same input after a crash issues only what is missing: a row whose
    /// credential exists is skipped, or its code is written again when an interrupted run left
    /// it pending or its file is gone; never a second credential.
    public func issueBatch(_ rows: [BatchRow], into folder: URL, format: OutputRequest.Format, errorCorrection: QRCodeMatrixECC,
                           scale: Int, lifetime: CodeLifetime, groupSize: Int = 50,
                           progress: (BatchSummary) -> Void = { _ in }) throws(IssuerError) -> BatchSummary {
        guard format != .terminal else { throw IssuerError("a batch writes files: choose png, svg or txt") }
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        catch { throw IssuerError("cannot create the folder \(folder.path) (is a part of the path a file, or not writable?)") }
        FileWriter.removeStaleTemporaries(in: folder)
        let destination = BatchDestination { [self] licence, bound in
            batchOutput(for: licence, folder: folder, format: bound ? .text : format, ecc: errorCorrection, scale: scale)
        }
        return try runBatch(rows, lifetime: lifetime, groupSize: groupSize, destination: destination, progress: progress) { codes throws(IssuerError) in
            // Every file of the group reaches the disk before the group is recorded written.
            if !codes.isEmpty { try FileWriter.syncFileSystem(of: folder) }
        }
    }

    /// Issues every good row as ``issueBatch(_:into:format:errorCorrection:scale:lifetime:groupSize:progress:)``
    /// does, but hands each group's codes (in input order) to `deliver` instead of writing files:
    /// they are recorded written once `deliver` returns, and stay pending if it throws (the
    /// batch then stops with that error). A re-run gives again the codes of rows an interrupted
    /// run left pending, and skips rows already delivered.
    public func issueCodes(_ rows: [BatchRow], lifetime: CodeLifetime, groupSize: Int = 500,
                           progress: (BatchSummary) -> Void = { _ in },
                           deliver: ([IssuedCode]) throws(IssuerError) -> Void) throws(IssuerError) -> BatchSummary {
        try runBatch(rows, lifetime: lifetime, groupSize: groupSize, destination: BatchDestination { _, _ in nil }, progress: progress, deliver: deliver)
    }

    /// The output file of a licence inside a folder, named after its document number.
    func batchOutput(for licence: Licence, folder: URL, format: OutputRequest.Format, ecc: QRCodeMatrixECC, scale: Int) -> OutputRequest {
        let safe = String(licence.documentNumber.unicodeScalars.map { s -> Character in
            (s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "-" || s == "_" || s == ".")) ? Character(s) : "_"
        })
        var name = safe.hasPrefix(".") ? "_" + safe : safe
        // Numbers that needed changing get a short hash of the real number, so that two
        // numbers never share a file (K/1 and K_1).
        if name != licence.documentNumber { name += "-" + Hex.encode(SHA256.hash(Array(licence.documentNumber.utf8)).prefix(4)) }
        var request = OutputRequest(format: format, file: folder.appendingPathComponent("\(name).\(format.rawValue)"), errorCorrection: ecc, scale: scale)
        request.flush = false  // the group is flushed at once before it is recorded written
        return request
    }

    /// The batch pipeline: for each group, plan and reserve (registry) → sign, encode and write
    /// (every core) → deliver → record written (registry). The registry's steps run on a worker
    /// thread of their own, in order, so that while a group is signed the next one is already
    /// being reserved and the one before is being recorded written: with a database server the
    /// signing cores do not wait for it. Once a registry step fails the worker runs no other, and
    /// the batch stops with that error at the next group. At most two groups are pending at any
    /// moment (the one being made and the next, reserved); a crash leaves them pending, and a
    /// re-run finds them by their batch keys. Nothing runs on the worker once this returns.
    private func runBatch(_ rows: [BatchRow], lifetime: CodeLifetime, groupSize: Int, destination: BatchDestination,
                          progress: (BatchSummary) -> Void, deliver: ([IssuedCode]) throws(IssuerError) -> Void) throws(IssuerError) -> BatchSummary {
        let rows = Self.refusingRepeatedNumbers(rows)
        let size = max(1, groupSize)
        let groups = stride(from: 0, to: rows.count, by: size).map { Array(rows[$0..<min(rows.count, $0 + size)]) }
        var summary = BatchSummary()
        guard !groups.isEmpty else { return summary }
        let worker = RegistryWorker()
        // Whatever way this returns, the worker has finished everything queued.
        defer { worker.finish() }
        var next = worker.run { [self] () throws(IssuerError) in try planGroup(groups[0], lifetime: lifetime, destination: destination) }
        var recorded: RegistryWorker.Job<Void>?
        for index in groups.indices {
            // Throws the first failure of any registry step so far (a failed record included).
            let plan = try next.wait()
            if index + 1 < groups.count {
                next = worker.run { [self] () throws(IssuerError) in try planGroup(groups[index + 1], lifetime: lifetime, destination: destination) }
            }
            let made = makeGroup(plan, destination: destination)
            summary.add(plan.outcome)
            summary.add(made.outcome)
            try deliver(made.codes)
            recorded = worker.run { [self] () throws(IssuerError) in try recordGroup(made) }
            progress(summary)
        }
        // The worker stops at its first failure, so the last record's outcome is every one's.
        try recorded?.wait()
        summary.failures.sort { $0.line < $1.line }
        return summary
    }

    /// A later row whose number an earlier row of the same input already has is refused as the
    /// duplicate it is (on every run, so a re-run says the same).
    private static func refusingRepeatedNumbers(_ rows: [BatchRow]) -> [BatchRow] {
        var firstLine: [String: Int] = [:]
        var rows = rows
        for (i, row) in rows.enumerated() {
            guard case .success(let licence) = row.licence else { continue }
            if let first = firstLine[licence.documentNumber] {
                rows[i] = BatchRow(line: row.line, key: row.key, licence: .failure(IssuerError(.duplicateInBatch,
                    "document \(licence.documentNumber) appears again in this input (first on line \(first)): one licence per document number")))
            } else {
                firstLine[licence.documentNumber] = row.line
            }
        }
        return rows
    }

    /// Plans a group on the registry's worker: rows an earlier run issued are skipped or made
    /// again, bad rows are reported, and the fresh ones are reserved in one transaction (one
    /// per row when the group is refused, so that the others go through).
    private func planGroup(_ group: [BatchRow], lifetime: CodeLifetime, destination: BatchDestination) throws(IssuerError) -> PlannedGroup {
        var plan = PlannedGroup(iat: clock())
        let iat = plan.iat
        let earlier = try registry.credentials(batchKeys: group.compactMap { row in
            if case .success = row.licence { return row.key } else { return nil }
        })
        var fresh: [(row: BatchRow, licence: Licence, exp: Int64, kid: [UInt8])] = []
        for row in group {
            let licence: Licence
            switch row.licence {
            case .failure(let error): plan.outcome.failures.append((row.line, error.description)); continue
            case .success(let l): licence = l
            }
            if let existing = earlier[row.key] {
                // Issued by an earlier run: never again. Its code is made again (same
                // credential, new iat and exp) when it may not have reached its destination.
                let file = destination.output(licence, existing.holderKey != nil)?.file
                if existing.state == .written, file.map({ FileManager.default.fileExists(atPath: $0.path) }) ?? true {
                    plan.outcome.alreadyDone += 1
                } else if !existing.isActive || existing.status != .valid {
                    plan.outcome.failures.append((row.line, "its credential \(Hex.encode(existing.credentialID)) is \(existing.state == .abandoned ? "abandoned" : existing.status.description) since this batch issued it: no code written"))
                } else {
                    // The registry learns of the new code (its times, its signer, the event)
                    // before the code exists, as for a new credential; still VALID is checked here.
                    do {
                        let exp = try expiry(for: lifetime, licence: existing.licence, iat: iat)
                        let signer = try signer(for: try authority(of: existing.licence).code)
                        try checkSigner(signer, at: iat)
                        try registry.update(existing.credentialID, expected: [.valid], signerKid: signer.kid, codeTimes: (iat, exp),
                                            events: [("refreshed", "batch line \(row.line): code written again")], at: iat)
                        plan.jobs.append(.init(line: row.line, credentialID: existing.credentialID, list: existing.list, index: existing.index,
                                               licence: existing.licence, holderKey: existing.holderKey, exp: exp, again: true))
                    } catch { plan.outcome.failures.append((row.line, error.description)) }
                }
                continue
            }
            do {
                try validate(licence)
                let signer = try signer(for: try authority(of: licence).code)
                try checkSigner(signer, at: iat)
                fresh.append((row, licence, try expiry(for: lifetime, licence: licence, iat: iat), signer.kid))
            } catch { plan.outcome.failures.append((row.line, error.description)) }
        }
        let candidates = fresh.map { item in
            Registry.NewCredential(documentNumber: item.licence.documentNumber, licence: item.licence, signerKid: item.kid,
                                   issuedAt: iat, expiresAt: item.exp, eventKind: "issued",
                                   eventDetail: "batch line \(item.row.line)" + (item.row.holderKey.map { "; bound to device \(String($0.thumbprint.prefix(16)))" } ?? ""),
                                   batchKey: item.row.key, holderKey: item.row.holderKey)
        }
        var reservations: [Registry.Reservation?]
        do { reservations = try registry.reserve(batch: candidates, settings: settings) } catch {
            reservations = []
            for (item, candidate) in zip(fresh, candidates) {
                do { reservations.append(try registry.reserve(candidate, settings: settings)) } catch {
                    plan.outcome.failures.append((item.row.line, error.description))
                    reservations.append(nil)
                }
            }
        }
        for (item, reservation) in zip(fresh, reservations) {
            guard let reservation else { continue }
            plan.jobs.append(.init(line: item.row.line, credentialID: reservation.credentialID, list: reservation.list, index: reservation.index,
                                   licence: item.licence, holderKey: item.row.holderKey, exp: item.exp, again: false))
        }
        plan.jobs.sort { $0.line < $1.line }
        return plan
    }

    /// Signs, encodes and writes a group's codes on every core (each row its own output); the
    /// results are then taken in input order.
    private func makeGroup(_ plan: PlannedGroup, destination: BatchDestination) -> MadeGroup {
        let made = ParallelResults<IssuedCode>(count: plan.jobs.count)
        DispatchQueue.concurrentPerform(iterations: plan.jobs.count) { i in
            let job = plan.jobs[i]
            made.set(i, Result { () throws(IssuerError) -> IssuedCode in
                try makeCode(credentialID: job.credentialID, list: job.list, index: job.index, licence: job.licence, holderKey: job.holderKey,
                             iat: plan.iat, exp: job.exp, output: destination.output(job.licence, job.holderKey != nil))
            })
        }
        var group = MadeGroup()
        for (job, result) in zip(plan.jobs, made.results) {
            switch result {
            case .success(let code)?:
                group.codes.append(code)
                group.written.append(job.credentialID)
                if job.again { group.outcome.completed += 1 } else { group.outcome.issued += 1 }
            case .failure(let error)?:
                group.outcome.failures.append((job.line, error.description))
                if !job.again { group.unmade.append(job.credentialID) }
            case nil:
                group.outcome.failures.append((job.line, "internal error: the code was not made"))
                if !job.again { group.unmade.append(job.credentialID) }
            }
        }
        return group
    }

    /// Records a delivered group on the registry's worker: its codes are marked written, and
    /// the pending records of codes that could not be made are removed.
    private func recordGroup(_ made: MadeGroup) throws(IssuerError) {
        try registry.markWritten(made.written)
        for cti in made.unmade { registry.discardPending(cti, at: clock()) }
    }
}

/// Where a batch puts a licence's code: a file request, or nil for codes handed back in memory.
struct BatchDestination: Sendable {
    let output: @Sendable (_ licence: Licence, _ bound: Bool) -> OutputRequest?
    init(_ output: @escaping @Sendable (_ licence: Licence, _ bound: Bool) -> OutputRequest?) { self.output = output }
}

/// A group planned and reserved: its codes to make, and what was decided without making any.
struct PlannedGroup: Sendable {
    /// One code to make: for a credential just reserved, or `again` for one an earlier run
    /// left unfinished (its new times already recorded).
    struct Job: Sendable {
        let line: Int
        let credentialID: [UInt8]
        let list: Registry.ListInfo
        let index: UInt64
        let licence: Licence
        let holderKey: HolderKey?
        let exp: Int64
        let again: Bool
    }

    let iat: Int64
    var jobs: [Job] = []
    var outcome = BatchSummary()
}

/// A group's codes once made, in input order.
struct MadeGroup: Sendable {
    var codes: [IssuedCode] = []
    /// The credentials whose codes were made.
    var written: [[UInt8]] = []
    /// Reserved credentials whose code could not be made.
    var unmade: [[UInt8]] = []
    var outcome = BatchSummary()
}

extension BatchSummary {
    mutating func add(_ other: BatchSummary) {
        issued += other.issued
        alreadyDone += other.alreadyDone
        completed += other.completed
        failures += other.failures
    }
}

/// Runs registry work one job at a time, in order, on a thread of its own. Once a job has
/// failed, the jobs after it do not run: each fails with that first error.
final class RegistryWorker: @unchecked Sendable {
    /// A job's result, once it has run.
    final class Job<Value: Sendable>: @unchecked Sendable {
        // `done` is signalled once `result` is set; `result` is never written again.
        private let done = DispatchSemaphore(value: 0)
        fileprivate var result: Result<Value, IssuerError>?

        fileprivate func finish(_ result: Result<Value, IssuerError>) {
            self.result = result
            done.signal()
        }

        /// Waits for the job and returns its value (or throws its error); may be called again.
        func wait() throws(IssuerError) -> Value {
            done.wait()
            done.signal()
            return try result!.get()
        }
    }

    private let queue = DispatchQueue(label: "dl1.registry-worker")
    // Touched only by jobs on `queue`, one at a time.
    private var failure: IssuerError?

    func run<Value: Sendable>(_ body: @escaping @Sendable () throws(IssuerError) -> Value) -> Job<Value> {
        let job = Job<Value>()
        queue.async {
            if let failure = self.failure { return job.finish(.failure(failure)) }
            let result = Result(catching: body)
            if case .failure(let error) = result { self.failure = error }
            job.finish(result)
        }
        return job
    }

    /// Waits until every job queued so far has run.
    func finish() { queue.sync {} }
}

import DL1QREncode
/// QR error-correction levels, as the batch API takes them.
public typealias QRCodeMatrixECC = QRCodeMatrix.ErrorCorrection

/// Results filled in by concurrent workers, one slot each.
final class ParallelResults<Value>: @unchecked Sendable {
    // `lock` guards `results`.
    private let lock = NSLock()
    private(set) var results: [Result<Value, IssuerError>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<Value, IssuerError>) {
        lock.lock()
        results[index] = result
        lock.unlock()
    }
}
