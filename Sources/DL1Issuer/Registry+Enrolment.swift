import DL1Verifier
import Foundation

/// Enrolment codes: one open code per licence, found by its public lookup part and kept as a
/// salted SHA-256 digest of its secret part (never the code), with its expiry and its count of
/// wrong tries.
extension Registry {
    /// The table, in both engines' column types.
    static func enrolmentCodeTable(blob: String, integer: String) -> String {
        """
        CREATE TABLE enrolment_code (
            lookup TEXT PRIMARY KEY,
            document_number TEXT NOT NULL UNIQUE,
            salt \(blob) NOT NULL,
            digest \(blob) NOT NULL,
            created_at \(integer) NOT NULL,
            expires_at \(integer) NOT NULL,
            failures \(integer) NOT NULL DEFAULT 0 CHECK (failures >= 0))
        """
    }

    /// Applications that carry a new portrait: they wait for an officer's decision.
    static func applicationTable(blob: String, integer: String) -> String {
        """
        CREATE TABLE enrolment_application (
            id TEXT PRIMARY KEY,
            document_number TEXT NOT NULL,
            device_key \(blob) NOT NULL,
            portrait \(blob) NOT NULL,
            portrait_sha256 \(blob) NOT NULL,
            created_at \(integer) NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'approving', 'approved', 'rejected')),
            decided_at \(integer),
            reason TEXT,
            credential_id \(blob),
            credential_text TEXT)
        """
    }

    /// What a presented enrolment code came to. A code is withdrawn (deleted) when it is
    /// accepted, when it has expired and when the last wrong try is spent, in the same
    /// transaction that decides it.
    public enum EnrolmentCodeCheck: Sendable, Hashable {
        case accepted(SpentCode)
        case wrong(triesLeft: Int)
        case locked
        case expired(at: Int64)
        case none
    }

    /// An enrolment code as it was when accepted, so that it can be put back when what it was
    /// spent on fails.
    public struct SpentCode: Sendable, Hashable {
        let lookup: String, number: String, salt: [UInt8], digest: [UInt8], createdAt: Int64, expiresAt: Int64, failures: Int
    }

    /// Puts an accepted code back (the enrolment it was spent on failed), unless the licence
    /// has a newer code meanwhile.
    func restoreEnrolmentCode(_ code: SpentCode, cti: [UInt8], at now: Int64) throws(IssuerError) {
        try transaction { db in
            let inserted = try db.execute(sql: """
                INSERT INTO enrolment_code (lookup, document_number, salt, digest, created_at, expires_at, failures)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, arguments: [code.lookup, code.number, code.salt, code.digest, code.createdAt, code.expiresAt, code.failures])
            if inserted > 0 {
                try Self.addEvent(db, cti: cti, number: code.number, kind: "enrolment-code-restored", at: now,
                                  detail: "the enrolment it was used for failed; the code stays valid until \(Instant.iso(code.expiresAt))")
            }
        }
    }

    /// Records a new enrolment code for the credential `cti` of licence `number`, replacing an
    /// open one, with an event that says until when it is valid. `lookup` draws the code's
    /// public part until one is free; the lookup part taken is returned. Expired codes are
    /// dropped on the way.
    func openEnrolment(cti: [UInt8], number: String, lookup: () -> String, salt: [UInt8], digest: [UInt8],
                       at now: Int64, expiresAt: Int64) throws(IssuerError) -> String {
        try transaction { db in
            try db.execute(sql: "DELETE FROM enrolment_code WHERE expires_at <= ?", arguments: [now])
            let replaced = try db.execute(sql: "DELETE FROM enrolment_code WHERE document_number = ?", arguments: [number])
            var id = lookup()
            while try db.row(sql: "SELECT 1 FROM enrolment_code WHERE lookup = ?", arguments: [id]) != nil { id = lookup() }
            try db.execute(sql: "INSERT INTO enrolment_code (lookup, document_number, salt, digest, created_at, expires_at, failures) VALUES (?, ?, ?, ?, ?, ?, 0)",
                           arguments: [id, number, salt, digest, now, expiresAt])
            try Self.addEvent(db, cti: cti, number: number, kind: "enrolment-code",
                              at: now, detail: "valid until \(Instant.iso(expiresAt))" + (replaced > 0 ? "; the previous code is withdrawn" : ""))
            return id
        }
    }

    /// The licence an open code's `lookup` part belongs to.
    func enrolmentLicence(lookup: String) throws(IssuerError) -> String? {
        try read { db in try db.value(sql: "SELECT document_number FROM enrolment_code WHERE lookup = ?", arguments: [lookup]) }
    }

    /// Checks a presented code for licence `number` (its credential `cti` gets the events):
    /// `matches` compares the stored salt and digest with the code's secret part. After
    /// `maxFailures` wrong tries the code is withdrawn.
    func checkEnrolmentCode(lookup: String, number: String, cti: [UInt8], at now: Int64, maxFailures: Int,
                            matches: (_ salt: [UInt8], _ digest: [UInt8]) -> Bool) throws(IssuerError) -> EnrolmentCodeCheck {
        try transaction { db in
            guard let row = try db.row(sql: "SELECT salt, digest, created_at, expires_at, failures FROM enrolment_code WHERE lookup = ? AND document_number = ?",
                                       arguments: [lookup, number]) else { return .none }
            let expiresAt: Int64 = try row["expires_at"]
            if now >= expiresAt {
                try db.execute(sql: "DELETE FROM enrolment_code WHERE document_number = ?", arguments: [number])
                return .expired(at: expiresAt)
            }
            let salt: [UInt8] = try row["salt"], digest: [UInt8] = try row["digest"], previous: Int = try row["failures"]
            if matches(salt, digest) {
                try db.execute(sql: "DELETE FROM enrolment_code WHERE document_number = ?", arguments: [number])
                try Self.addEvent(db, cti: cti, number: number, kind: "enrolment-code-used", at: now, detail: nil)
                return .accepted(SpentCode(lookup: lookup, number: number, salt: salt, digest: digest, createdAt: try row["created_at"],
                                           expiresAt: expiresAt, failures: previous))
            }
            let failures = previous + 1
            if failures >= maxFailures {
                try db.execute(sql: "DELETE FROM enrolment_code WHERE document_number = ?", arguments: [number])
                try Self.addEvent(db, cti: cti, number: number, kind: "enrolment-code-locked", at: now,
                                  detail: "withdrawn after \(failures) wrong tries")
                return .locked
            }
            try db.execute(sql: "UPDATE enrolment_code SET failures = ? WHERE document_number = ?", arguments: [failures, number])
            return .wrong(triesLeft: maxFailures - failures)
        }
    }
}
