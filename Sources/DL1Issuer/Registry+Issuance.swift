import DL1Crypto
import DL1Format
import Foundation
import DL1Verifier
#if canImport(Glibc)
import Glibc
#endif

extension Registry {
    /// A credential reserved by ``reserve(_:settings:)``.
    public struct Reservation: Sendable, Hashable {
        public let credentialID: [UInt8]
        public let list: ListInfo
        public let index: UInt64
    }

    /// What the issuer records about a new credential.
    public struct NewCredential: Sendable {
        public var documentNumber: String
        public var licence: Licence
        public var signerKid: [UInt8]
        public var issuedAt: Int64
        public var expiresAt: Int64
        /// The credential this one replaces (set SUPERSEDED in the same transaction).
        public var supersedes: [UInt8]?
        /// The event recorded: issued, renewed, category-changed or reissued.
        public var eventKind: String
        public var eventDetail: String?
        /// A batch row's identity, so a re-run never issues it twice.
        public var batchKey: String?
        /// The holder's device key, for a bound credential.
        public var holderKey: HolderKey?

        /// A credential to record.
        public init(documentNumber: String, licence: Licence, signerKid: [UInt8], issuedAt: Int64, expiresAt: Int64,
                    supersedes: [UInt8]? = nil, eventKind: String = "issued", eventDetail: String? = nil, batchKey: String? = nil,
                    holderKey: HolderKey? = nil) {
            self.documentNumber = documentNumber
            self.licence = licence
            self.signerKid = signerKid
            self.issuedAt = issuedAt
            self.expiresAt = expiresAt
            self.supersedes = supersedes
            self.eventKind = eventKind
            self.eventDetail = eventDetail
            self.batchKey = batchKey
            self.holderKey = holderKey
        }
    }

    /// Records one pending credential (see ``reserve(batch:settings:)``).
    public func reserve(_ credential: NewCredential, settings: IssuerSettings) throws(IssuerError) -> Reservation {
        try reserve(batch: [credential], settings: settings)[0]
    }

    /// Records pending credentials in one transaction, each with a fresh random cti, a random
    /// free index in the current status list (a new list starts when one is full) and its event.
    /// A new licence is refused when its number already has an active credential; a
    /// replacement is refused unless the credential it replaces is still the active, VALID one.
    /// The work is set-based: one query checks every number, the indices of a list are drawn
    /// together, and the rows go in with multi-row INSERTs, so a group costs a handful of
    /// statements, not a dozen per credential.
    public func reserve(batch credentials: [NewCredential], settings: IssuerSettings) throws(IssuerError) -> [Reservation] {
        guard !credentials.isEmpty else { return [] }
        return try transaction { db in
            try Self.checkReplaceable(db, credentials)
            var reservations: [Reservation] = []
            reservations.reserveCapacity(credentials.count)
            var rest = credentials[...]
            while !rest.isEmpty {
                let list = try Self.currentList(db, settings: settings)
                let free = try Self.freeCount(db, list: list)
                let group = rest.prefix(free)
                rest = rest.dropFirst(group.count)
                let indices = try Self.freeIndices(db, list: list, count: group.count)
                var rows: [[any SQLBindable]] = [], pending: [[any SQLBindable]] = [], events: [[any SQLBindable]] = []
                rows.reserveCapacity(group.count)
                pending.reserveCapacity(group.count)
                let owner = Int64(ProcessProbe.current.pid), ownerStart = ProcessProbe.current.start
                // Every cti of the group from one call to the generator.
                let random = SecureRandom.bytes(16 * group.count)
                for (k, (credential, index)) in zip(group, indices).enumerated() {
                    let cti = Array(random[16 * k..<16 * k + 16])
                    // The old credential stops being live before the new one is recorded: the
                    // database keeps at most one live credential per document number.
                    if let old = credential.supersedes {
                        try db.execute(sql: "UPDATE credential SET status = \(Status.superseded), superseded_by = ? WHERE cti = ?", arguments: [cti, old])
                        try Self.addEvent(db, cti: old, number: credential.documentNumber, kind: "superseded", at: credential.issuedAt,
                                          detail: "replaced by \(Hex.encode(cti))")
                    }
                    // The row is as it will stay once the code is out; the narrow pending row
                    // says it is not out yet (``markWritten(_:)`` deletes it).
                    rows.append([cti, credential.documentNumber, list.id, Int64(index), "written", credential.licence.encoded,
                                 credential.signerKid, credential.issuedAt, credential.expiresAt, credential.issuedAt, credential.batchKey,
                                 credential.holderKey?.compressedPoint])
                    pending.append([cti, credential.issuedAt, owner, ownerStart])
                    events.append([cti, credential.documentNumber, credential.eventKind, credential.issuedAt,
                                   [credential.eventDetail, "status list \(list.name) index \(index)"].compactMap { $0 }.joined(separator: "; ")])
                    reservations.append(Reservation(credentialID: cti, list: list, index: index))
                }
                try db.insertRows(into: "credential", columns: ["cti", "document_number", "list_id", "idx", "state", "licence", "signer_kid", "iat", "exp",
                                                                "created_at", "batch_key", "holder_key"], rows: rows)
                try db.insertRows(into: "pending_credential", columns: ["cti", "created_at", "owner_pid", "owner_start"], rows: pending)
                try db.insertRows(into: "event", columns: ["cti", "document_number", "kind", "at", "detail"], rows: events)
            }
            var latest: [[UInt8]: Int64] = [:]
            for credential in credentials { latest[credential.signerKid] = max(latest[credential.signerKid] ?? .min, credential.expiresAt) }
            for (kid, exp) in latest { try Self.noteSignature(db, kid: kid, exp: exp) }
            return reservations
        }
    }

    /// Refuses the group when a number appears twice in it, when a new licence's number already
    /// has a live credential, or when a replacement's predecessor is no longer the live, VALID one.
    private static func checkReplaceable(_ db: any SQLSession, _ credentials: [NewCredential]) throws {
        var seen = Set<String>()
        for credential in credentials where !seen.insert(credential.documentNumber).inserted {
            throw IssuerError(.duplicateInBatch, "document \(credential.documentNumber) was already issued earlier in this run")
        }
        var live: [String: [SQLRow]] = [:]
        try db.eachIn(sql: """
            SELECT c.document_number, c.cti, c.status, \(CredentialRecord.state), COALESCE(p.owner_pid, c.owner_pid) AS owner_pid,
                   COALESCE(p.owner_start, c.owner_start) AS owner_start, c.batch_key, c.created_at
            FROM credential c LEFT JOIN pending_credential p ON p.cti = c.cti
            WHERE c.document_number IN {IN} AND c.state != 'abandoned' AND c.status IN \(Status.live)
            """, values: credentials.map(\.documentNumber)) { row in live[try row["document_number"], default: []].append(row) }
        for credential in credentials {
            try checkReplaceable(credential, live: live[credential.documentNumber] ?? [])
        }
    }

    private static func checkReplaceable(_ credential: NewCredential, live active: [SQLRow]) throws {
        guard let old = credential.supersedes else {
            if let row = active.first {
                let status = CredentialStatus(rawValue: try row["status"]) ?? .valid
                if try (row["state"] as String) == CredentialRecord.State.pending.rawValue {
                    let owner: Int64? = try row["owner_pid"]
                    let start: Int64 = try row["owner_start"] ?? 0
                    if let owner, ProcessProbe.isCurrent(Int32(truncatingIfNeeded: owner), start: start) {
                        throw IssuerError(.duplicateInBatch, "document \(credential.documentNumber) was already issued earlier in this run")
                    }
                    if let owner, ProcessProbe.isRunning(Int32(truncatingIfNeeded: owner), start: start) {
                        throw IssuerError(.heldByAnotherProcess, "document \(credential.documentNumber) is being issued right now by another process (pid \(owner)), pending since \(Instant.iso(try row["created_at"]))")
                    }
                    throw IssuerError(.pendingFromInterruptedRun, "document \(credential.documentNumber) has a pending credential from an interrupted or failed run (since \(Instant.iso(try row["created_at"]))): it must be revoked before the number can be issued again")
                }
                throw IssuerError(.activeCredentialExists, "document \(credential.documentNumber) already has an active credential (\(status))")
            }
            return
        }
        guard let row = try active.first(where: { try ($0["cti"] as [UInt8]) == old }) else {
            throw IssuerError(.changedMeanwhile, "the credential of document \(credential.documentNumber) changed meanwhile")
        }
        guard try (row["status"] as UInt8) == CredentialStatus.valid.rawValue else {
            throw IssuerError("document \(credential.documentNumber) is suspended: reinstate it first")
        }
    }

    /// Marks pending credentials as written: their codes are out. Only the narrow pending rows
    /// go; the credential rows and their indexes are not touched.
    public func markWritten(_ credentialIDs: [[UInt8]]) throws(IssuerError) {
        guard !credentialIDs.isEmpty else { return }
        try transaction { db in
            try db.execute(sql: "DELETE FROM pending_credential WHERE cti IN (SELECT v.column1 FROM {ROWS} AS v)",
                           rows: credentialIDs.map { [$0] })
        }
    }

    /// Removes a pending credential whose code was never produced (a clean failure), restoring
    /// the credential it was to replace. When even that fails, the record stays pending and the
    /// next command reports it.
    @discardableResult
    public func discardPending(_ cti: [UInt8], at now: Int64) -> Bool {
        do {
            try transaction { db in
                guard let row = try db.row(sql: "SELECT c.list_id, c.idx FROM credential c JOIN pending_credential p ON p.cti = c.cti WHERE c.cti = ?",
                                           arguments: [cti]) else { return }
                // The pending record goes first (the database allows one live credential per
                // number), then the credential it was to replace is the live one again; a
                // publication may already have shown it SUPERSEDED, so the history says it was
                // restored (never deleted).
                try db.execute(sql: "DELETE FROM pending_credential WHERE cti = ?", arguments: [cti])
                try db.execute(sql: "DELETE FROM credential WHERE cti = ?", arguments: [cti])
                for old in try db.rows(sql: "SELECT cti, document_number FROM credential WHERE superseded_by = ?", arguments: [cti]) {
                    try db.execute(sql: "UPDATE credential SET status = \(Status.valid), superseded_by = NULL WHERE cti = ?", arguments: [try old["cti"] as [UInt8]])
                    try Self.addEvent(db, cti: try old["cti"], number: try old["document_number"], kind: "restored", at: now,
                                      detail: "its replacement \(Hex.encode(cti)) was never written")
                }
                try Self.returnIndex(db, list: try row["list_id"], index: try row["idx"])
            }
            return true
        } catch {
            return false
        }
    }

    /// Schema version 7, the same on both engines: a credential whose code is not known to be
    /// out yet has a row in a narrow table of its own, which marking it written deletes. Before,
    /// the credential row's own state went from 'pending' to 'written': an UPDATE of a wide row
    /// whose every index (PostgreSQL keeps a new entry in each for a new row version) was written
    /// again, as costly as recording the credential. The process that recorded it moves there
    /// too (only a pending credential has one). No foreign key: on PostgreSQL its check locks
    /// the credential row for every pending row (a third of the pending insert's cost); the
    /// registry deletes a pending row with its credential, and `check` reports any left alone.
    /// `options` ends the CREATE TABLE (SQLite: WITHOUT ROWID).
    static func pendingCredentialMigration(blob: String, integer: String, options: String) -> [String] {
        [
            """
            CREATE TABLE pending_credential (
                cti \(blob) PRIMARY KEY NOT NULL,
                created_at \(integer) NOT NULL,
                owner_pid \(integer),
                owner_start \(integer))\(options)
            """,
            "INSERT INTO pending_credential (cti, created_at, owner_pid, owner_start) SELECT cti, created_at, owner_pid, owner_start FROM credential WHERE state = 'pending'",
            "UPDATE credential SET state = 'written', owner_pid = NULL, owner_start = NULL WHERE state = 'pending'",
        ]
    }

    /// Pending credentials outside batches: those with a pending row, and those a process of
    /// schema version 6 still running recorded pending in the credential row itself (an empty
    /// partial index finds them).
    static let pendingRows = """
        SELECT c.cti, c.document_number, p.created_at FROM pending_credential p JOIN credential c ON c.cti = p.cti WHERE c.batch_key IS NULL
        UNION ALL
        SELECT c.cti, c.document_number, c.created_at FROM credential c WHERE c.state = 'pending' AND c.batch_key IS NULL
        """

    /// A credential left pending by an interrupted run.
    public struct Pending: Sendable, Hashable {
        public let credentialID: [UInt8]
        public let documentNumber: String
        public let createdAt: Int64
    }

    /// Credentials still pending.
    public func pending() throws(IssuerError) -> [Pending] {
        try read { db in
            try db.rows(sql: "\(Self.pendingRows) ORDER BY created_at")
                .map { Pending(credentialID: try $0["cti"], documentNumber: try $0["document_number"], createdAt: try $0["created_at"]) }
        }
    }

    /// Marks every pending credential created before `cutoff` as abandoned and INVALID in its
    /// status list: whatever code may exist for it stops being accepted once the list is
    /// published. Returns how many were changed.
    public func abandonPending(before cutoff: Int64, at now: Int64) throws(IssuerError) -> Int {
        try transaction { db in
            let rows = try db.rows(sql: "SELECT cti, document_number FROM (\(Self.pendingRows)) AS pending WHERE created_at < ?", arguments: [cutoff])
            for row in rows {
                let cti: [UInt8] = try row["cti"], number: String = try row["document_number"]
                try db.execute(sql: "DELETE FROM pending_credential WHERE cti = ?", arguments: [cti])
                try db.execute(sql: "UPDATE credential SET state = 'abandoned', status = \(Status.invalid) WHERE cti = ?", arguments: [cti])
                try Self.addEvent(db, cti: cti, number: number, kind: "abandoned", at: now,
                                  detail: "pending credential from an interrupted run revoked")
                // The credential it was to replace is the live one again (its holder still has its code).
                for restored in try db.rows(sql: "SELECT cti FROM credential WHERE superseded_by = ?", arguments: [cti]) {
                    let old: [UInt8] = try restored["cti"]
                    try db.execute(sql: "UPDATE credential SET status = \(Status.valid), superseded_by = NULL WHERE cti = ?", arguments: [old])
                    try Self.addEvent(db, cti: old, number: number, kind: "restored", at: now,
                                      detail: "its replacement \(Hex.encode(cti)) was abandoned")
                }
            }
            return rows.count
        }
    }
}
