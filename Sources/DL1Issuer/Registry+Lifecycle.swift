import DL1Format
import Foundation

extension Registry {
    /// Every credential of a document number, oldest first.
    public func credentials(documentNumber: String) throws(IssuerError) -> [CredentialRecord] {
        try read { db in
            try db.rows(sql: "SELECT \(CredentialRecord.columns) FROM \(CredentialRecord.from) WHERE c.document_number = ? ORDER BY c.created_at, c.\(db.engine.insertionOrder)",
                             arguments: [documentNumber]).map(CredentialRecord.init(row:))
        }
    }

    /// The credential with this cti.
    public func credential(_ cti: [UInt8]) throws(IssuerError) -> CredentialRecord? {
        try read { db in
            try db.row(sql: "SELECT \(CredentialRecord.columns) FROM \(CredentialRecord.from) WHERE c.cti = ?", arguments: [cti])
                .map(CredentialRecord.init(row:))
        }
    }

    /// The credentials some batch rows produced, by batch key (one query for a whole group).
    public func credentials(batchKeys: [String]) throws(IssuerError) -> [String: CredentialRecord] {
        try read { db in
            var found: [String: CredentialRecord] = [:]
            try db.eachIn(sql: "SELECT \(CredentialRecord.columns) FROM \(CredentialRecord.from) WHERE c.batch_key IN {IN}", values: batchKeys) { row in
                let record = try CredentialRecord(row: row)
                if let key = record.batchKey { found[key] = record }
            }
            return found
        }
    }

    /// The history of a document number, oldest first.
    public func events(documentNumber: String) throws(IssuerError) -> [EventRecord] {
        try read { db in
            try db.rows(sql: "SELECT cti, document_number, kind, at, detail FROM event WHERE document_number = ? ORDER BY id",
                             arguments: [documentNumber]).map {
                EventRecord(credentialID: try $0["cti"], documentNumber: try $0["document_number"], kind: try $0["kind"],
                            at: try $0["at"], detail: try $0["detail"])
            }
        }
    }

    /// Changes a credential's status (and optionally its licence data and code times) in one
    /// transaction with its event, provided it is still in one of the `expected` statuses.
    public func update(_ cti: [UInt8], expected: Set<CredentialStatus>, status: CredentialStatus? = nil,
                       licence: Licence? = nil, signerKid: [UInt8]? = nil, codeTimes: (iat: Int64, exp: Int64)? = nil,
                       holderKey: HolderKey? = nil, events: [(kind: String, detail: String?)], at now: Int64) throws(IssuerError) {
        try transaction { db in
            guard let row = try db.row(sql: "SELECT status, document_number FROM credential WHERE cti = ?", arguments: [cti]),
                  let current = CredentialStatus(rawValue: try row["status"]) else {
                throw IssuerError("the credential \(Hex.encode(cti)) does not exist")
            }
            guard expected.contains(current) else {
                throw IssuerError(.changedMeanwhile, "the credential changed meanwhile (it is now \(current))")
            }
            if let status { try db.execute(sql: "UPDATE credential SET status = ? WHERE cti = ?", arguments: [status.rawValue, cti]) }
            if let licence {
                try db.execute(sql: "UPDATE credential SET licence = ? WHERE cti = ?", arguments: [licence.encoded, cti])
            }
            if let signerKid {
                try db.execute(sql: "UPDATE credential SET signer_kid = ? WHERE cti = ?", arguments: [signerKid, cti])
            }
            if let holderKey {
                try db.execute(sql: "UPDATE credential SET holder_key = ? WHERE cti = ?", arguments: [holderKey.compressedPoint, cti])
            }
            if let codeTimes {
                try db.execute(sql: "UPDATE credential SET iat = ?, exp = ? WHERE cti = ?", arguments: [codeTimes.iat, codeTimes.exp, cti])
                if let signerKid { try Self.noteSignature(db, kid: signerKid, exp: codeTimes.exp) }
            }
            for event in events {
                try Self.addEvent(db, cti: cti, number: try row["document_number"], kind: event.kind, at: now, detail: event.detail)
            }
        }
    }

    /// What `list` selects.
    public struct Filter: Sendable {
        public var status: CredentialStatus?
        public var category: String?
        public var expiringBefore: CalendarDate?

        public init(status: CredentialStatus? = nil, category: String? = nil, expiringBefore: CalendarDate? = nil) {
            self.status = status
            self.category = category
            self.expiringBefore = expiringBefore
        }
    }

    /// Each document number's latest credential (the active one, else the newest), filtered.
    public func latestCredentials(_ filter: Filter = Filter()) throws(IssuerError) -> [CredentialRecord] {
        let all = try read { db in
            try db.rows(sql: """
                SELECT \(CredentialRecord.columns) FROM \(CredentialRecord.from)
                WHERE c.superseded_by IS NULL AND c.state != 'abandoned' ORDER BY c.document_number, c.created_at
                """).map(CredentialRecord.init(row:))
        }
        var latest: [String: CredentialRecord] = [:]
        for record in all { latest[record.documentNumber] = record }
        return latest.values.sorted { $0.documentNumber < $1.documentNumber }.filter { record in
            (filter.status.map { record.status == $0 } ?? true)
                && (filter.category.map { c in record.licence.privileges.contains { $0.category == c } } ?? true)
                && (filter.expiringBefore.map { record.licence.expiryDate < $0 } ?? true)
        }
    }
}

extension Registry {
    /// Sets many credentials' statuses in one transaction, with no events: for benchmarks only.
    public func setStatusesForBenchmark(_ entries: [([UInt8], CredentialStatus)]) throws(IssuerError) {
        try transaction { db in
            for (cti, status) in entries {
                try db.execute(sql: "UPDATE credential SET status = ? WHERE cti = ?", arguments: [status.rawValue, cti])
            }
        }
    }
}

extension Registry {
    /// For each signer kid (hex): how many credentials' latest codes it signed, and the latest
    /// exp of any code it ever signed.
    public func signerUsage() throws(IssuerError) -> [String: (count: Int, lastExpiry: Int64)] {
        try read { db in
            var usage: [String: (count: Int, lastExpiry: Int64)] = [:]
            for row in try db.rows(sql: "SELECT kid, last_exp FROM signer_usage") {
                usage[Hex.encode(try row["kid"] as [UInt8])] = (0, try row["last_exp"])
            }
            for row in try db.rows(sql: "SELECT signer_kid, COUNT(*) AS n FROM credential GROUP BY signer_kid") {
                let kid = Hex.encode(try row["signer_kid"] as [UInt8])
                usage[kid] = (try row["n"], usage[kid]?.lastExpiry ?? .min)
            }
            return usage
        }
    }

    /// Live (VALID or SUSPENDED, written) credentials whose latest code `kid` signed.
    public func liveCredentials(signedBy kid: [UInt8]) throws(IssuerError) -> [CredentialRecord] {
        try read { db in
            try db.rows(sql: """
                SELECT \(CredentialRecord.columns) FROM \(CredentialRecord.from)
                WHERE c.signer_kid = ? AND c.status IN \(Status.live) AND c.state = 'written' AND p.cti IS NULL ORDER BY c.document_number
                """, arguments: [kid]).map(CredentialRecord.init(row:))
        }
    }
}

extension Registry {
    /// Where a list's entries may have gone back to VALID since a publication: indices whose
    /// credential had its suspension ended (`reinstated`), and indices whose credential was made
    /// the live one again when its replacement was abandoned or never written (`restored`).
    public struct Reinstatements: Sendable, Hashable {
        public var reinstated: Set<Int> = []
        public var restored: Set<Int> = []
    }

    /// The point a publication saw: the events recorded so far are those up to `eventID`.
    public enum EventMark: Sendable, Hashable {
        /// Events with an id above this one came later (the precise mark).
        case eventID(Int64)
        /// Records written before event ids were kept: events at or after this time.
        case time(Int64)
    }

    /// The reinstatements of `listID`'s entries after `mark`.
    public func reinstatements(listID: Int64, after mark: EventMark) throws(IssuerError) -> Reinstatements {
        try read { db in
            let condition: String, value: Int64
            switch mark {
            case .eventID(let id): (condition, value) = ("e.id > ?", id)
            case .time(let at): (condition, value) = ("e.at >= ?", at)
            }
            var found = Reinstatements()
            for row in try db.rows(sql: """
                SELECT DISTINCT c.idx, e.kind FROM credential c JOIN event e ON e.cti = c.cti
                WHERE c.list_id = ? AND e.kind IN ('reinstated', 'restored') AND \(condition)
                """, arguments: [listID, value]) {
                if try (row["kind"] as String) == "reinstated" { found.reinstated.insert(try row["idx"]) } else { found.restored.insert(try row["idx"]) }
            }
            return found
        }
    }

    /// A list's entries and the last event id, read in one snapshot (so that no change can fall
    /// between the two). The entries stream from the database into the packed list: memory is
    /// the list's own bits (25 MB for 100 million entries of 2 bits), whatever the row count.
    func snapshot(of list: ListInfo) throws(IssuerError) -> (entries: StatusList, lastEventID: Int64, used: Int) {
        try read { db in
            let entries = try Self.entries(db, of: list)
            let last: Int64 = try db.value(sql: "SELECT COALESCE(MAX(id), 0) FROM event") ?? 0
            let used: Int = try db.value(sql: "SELECT used FROM status_list WHERE id = ?", arguments: [list.id]) ?? 0
            return (entries, last, used)
        }
    }

    /// The id of the last event recorded (0 when none): a change to any credential records one,
    /// so a service that sees the same id twice knows nothing changed in between.
    public func lastEventID() throws(IssuerError) -> Int64 {
        try read { db in try db.value(sql: "SELECT COALESCE(MAX(id), 0) FROM event") ?? 0 }
    }

    /// The entries of `list` as the registry has them now.
    public func entries(of list: ListInfo) throws(IssuerError) -> StatusList {
        try read { db in try Self.entries(db, of: list) }
    }

    static func entries(_ db: any SQLSession, of list: ListInfo) throws -> StatusList {
        var entries = StatusList(bits: list.bits, capacity: list.capacity)
        try eachNotValidEntry(db, listID: list.id) { index, status in
            guard index >= 0, index < list.capacity, Int(status) < 1 << list.bits else {
                throw IssuerError(.registryDamaged, "status list \(list.name) holds index \(index) with status \(status), outside its \(list.capacity) entries of \(list.bits) bits")
            }
            entries.set(index, to: status)
        }
        return entries
    }
}
