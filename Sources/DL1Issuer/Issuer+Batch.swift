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
        var summary = BatchSummary()
        // One licence per document number in one input: a later row with a number already seen
        // is reported as the duplicate it is (on every run, so a re-run says the same).
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
        var start = 0
        while start < rows.count {
            let group = Array(rows[start..<min(rows.count, start + max(1, groupSize))])
            start += group.count
            try issueGroup(group, folder: folder, format: format, ecc: errorCorrection, scale: scale, lifetime: lifetime, summary: &summary)
            progress(summary)
        }
        return summary
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

    private func issueGroup(_ group: [BatchRow], folder: URL, format: OutputRequest.Format, ecc: QRCodeMatrixECC, scale: Int,
                            lifetime: CodeLifetime, summary: inout BatchSummary) throws(IssuerError) {
        let iat = clock()
        var fresh: [(row: BatchRow, licence: Licence, exp: Int64, kid: [UInt8])] = []
        var toMark: [[UInt8]] = []
        let earlier = try registry.credentials(batchKeys: group.compactMap { row in
            if case .success = row.licence { return row.key } else { return nil }
        })
        for row in group {
            let licence: Licence
            switch row.licence {
            case .failure(let error): summary.failures.append((row.line, error.description)); continue
            case .success(let l): licence = l
            }
            let existing = earlier[row.key]
            // A bound credential's code is text for its holder's device, whatever the format asked.
            let bound = existing.map { $0.holderKey != nil } ?? (row.holderKey != nil)
            let request = batchOutput(for: licence, folder: folder, format: bound ? .text : format, ecc: ecc, scale: scale)
            if let existing {
                // Issued by an earlier run: never again. Write its code if it may be missing.
                if existing.state == .written, FileManager.default.fileExists(atPath: request.file!.path) {
                    summary.alreadyDone += 1
                } else if !existing.isActive || existing.status != .valid {
                    summary.failures.append((row.line, "its credential \(Hex.encode(existing.credentialID)) is \(existing.state == .abandoned ? "abandoned" : existing.status.description) since this batch issued it: no code written"))
                } else {
                    // Its code may never have been written: make a fresh one (new iat/exp) of the same credential.
                    do {
                        let exp = try expiry(for: lifetime, licence: existing.licence, iat: iat)
                        _ = try makeCode(credentialID: existing.credentialID, list: existing.list, index: existing.index,
                                                licence: existing.licence, holderKey: existing.holderKey, iat: iat, exp: exp, output: request)
                        try registry.update(existing.credentialID, expected: [.valid],
                                            signerKid: try signer(for: try authority(of: existing.licence).code).kid, codeTimes: (iat, exp),
                                            events: [("refreshed", "batch line \(row.line): code written again")], at: iat)
                        toMark.append(existing.credentialID)
                        summary.completed += 1
                    } catch { summary.failures.append((row.line, error.description)) }
                }
                continue
            }
            do {
                try validate(licence)
                let signer = try signer(for: try authority(of: licence).code)
                try checkSigner(signer, at: iat)
                fresh.append((row, licence, try expiry(for: lifetime, licence: licence, iat: iat), signer.kid))
            } catch { summary.failures.append((row.line, error.description)) }
        }
        // One transaction for the group; if a row is refused (e.g. its number already has an
        // active credential), fall back to one transaction per row so the others go through.
        let candidates = fresh.map { item in
            Registry.NewCredential(documentNumber: item.licence.documentNumber, licence: item.licence,
                                   signerKid: item.kid,
                                   issuedAt: iat, expiresAt: item.exp, eventKind: "issued",
                                   eventDetail: "batch line \(item.row.line)" + (item.row.holderKey.map { "; bound to device \(String($0.thumbprint.prefix(16)))" } ?? ""),
                                   batchKey: item.row.key, holderKey: item.row.holderKey)
        }
        var reservations: [Registry.Reservation?]
        do { reservations = try registry.reserve(batch: candidates, settings: settings) } catch {
            reservations = []
            for (item, candidate) in zip(fresh, candidates) {
                do { reservations.append(try registry.reserve(candidate, settings: settings)) } catch {
                    summary.failures.append((item.row.line, error.description))
                    reservations.append(nil)
                }
            }
        }
        // Sign, encode and write the group's codes on every core (each row its own file);
        // the results are then taken in input order.
        let jobs = zip(fresh, reservations).compactMap { item, reservation in reservation.map { (item, $0) } }
        let made = ParallelResults<IssuedCode>(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
            let (item, reservation) = jobs[i]
            made.set(i, Result { () throws(IssuerError) -> IssuedCode in
                try makeCode(credentialID: reservation.credentialID, list: reservation.list, index: reservation.index,
                             licence: item.licence, holderKey: item.row.holderKey, iat: iat, exp: item.exp,
                             output: batchOutput(for: item.licence, folder: folder, format: item.row.holderKey == nil ? format : .text,
                                                 ecc: ecc, scale: scale))
            })
        }
        for ((item, reservation), result) in zip(jobs, made.results) {
            switch result {
            case .success?:
                toMark.append(reservation.credentialID)
                summary.issued += 1
            case .failure(let error)?:
                registry.discardPending(reservation.credentialID, at: clock())
                summary.failures.append((item.row.line, error.description))
            case nil:
                registry.discardPending(reservation.credentialID, at: clock())
                summary.failures.append((item.row.line, "internal error: the code was not made"))
            }
        }
        if !toMark.isEmpty { try FileWriter.syncFileSystem(of: folder) }
        try registry.markWritten(toMark)
    }
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
