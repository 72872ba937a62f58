import DL1Format
import Foundation

/// Group commit of refreshes' registry writes: many devices refreshing at once would each pay a
/// write transaction (and its fsync); here the first caller to find no batch running becomes
/// the leader, writes everything queued meanwhile in one transaction, hands each caller its own
/// outcome, and repeats until its own write is done; a caller still waiting then leads. A caller returns only once its write is committed,
/// so a code handed out is always recorded (kill -9 loses nothing that was answered).
final class GroupCommit: @unchecked Sendable {
    /// One refresh's write: the new code's times and signer, checked against the credential's
    /// status at commit time.
    struct Write {
        let cti: [UInt8]
        let signerKid: [UInt8]
        let iat: Int64
        let exp: Int64
        let detail: String
        /// The iat of the code the refresh was made from: a change since (points, another
        /// refresh) makes this one stale, and it is refused.
        let expectedIat: Int64
    }

    private final class Ticket {
        let write: Write
        var outcome: IssuerError??  // nil: waiting; .some(nil): committed; .some(error): refused
        init(_ write: Write) { self.write = write }
    }

    /// The most writes in one transaction.
    static let maxBatch = 256
    private let condition = NSCondition()
    private var queue: [Ticket] = []
    private var leading = false

    /// Commits `write` (with whatever else is queued); throws its own refusal.
    func commit(_ write: Write, with registry: Registry) throws(IssuerError) {
        let ticket = Ticket(write)
        condition.lock()
        queue.append(ticket)
        while ticket.outcome == nil && leading { condition.wait() }
        if let outcome = ticket.outcome {
            condition.unlock()
            if let error = outcome { throw error }
            return
        }
        // Leads until its own write is done (then a waiting caller takes over), so that a steady
        // stream of refreshes never keeps one caller waiting.
        leading = true
        while ticket.outcome == nil {
            let batch = Array(queue.prefix(Self.maxBatch))
            queue.removeFirst(batch.count)
            condition.unlock()
            let outcomes: [IssuerError?]
            do { outcomes = try registry.commitRefreshes(batch.map(\.write)) } catch {
                outcomes = Array(repeating: error, count: batch.count)
            }
            condition.lock()
            for (ticket, outcome) in zip(batch, outcomes) { ticket.outcome = .some(outcome) }
            condition.broadcast()
        }
        leading = false
        condition.broadcast()
        condition.unlock()
        if let error = ticket.outcome ?? nil { throw error }
    }
}

extension Registry {
    /// Records refreshes in one transaction: each credential must still be VALID (else that one
    /// is refused as changed meanwhile, and the others are still recorded).
    func commitRefreshes(_ writes: [GroupCommit.Write]) throws(IssuerError) -> [IssuerError?] {
        try transaction { db in
            var outcomes: [IssuerError?] = []
            for write in writes {
                guard let row = try db.row(sql: "SELECT status, document_number, iat FROM credential WHERE cti = ?", arguments: [write.cti]),
                      let status: Int = try row["status"], status == Int(CredentialStatus.valid.rawValue),
                      let iat: Int64 = try row["iat"], iat == write.expectedIat else {
                    outcomes.append(IssuerError(.changedMeanwhile, "the credential changed meanwhile (no longer VALID, or a newer code was made)"))
                    continue
                }
                try db.execute(sql: "UPDATE credential SET iat = ?, exp = ?, signer_kid = ? WHERE cti = ?",
                               arguments: [write.iat, write.exp, write.signerKid, write.cti])
                try Self.noteSignature(db, kid: write.signerKid, exp: write.exp)
                try Self.addEvent(db, cti: write.cti, number: try row["document_number"], kind: "refreshed", at: write.iat, detail: write.detail)
                outcomes.append(nil)
            }
            return outcomes
        }
    }
}
