import DL1Format
import Foundation
import GRDB

extension Registry {
    /// Every credential of a document number, oldest first.
    public func credentials(documentNumber: String) throws(IssuerError) -> [CredentialRecord] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT \(CredentialRecord.columns) FROM \(CredentialRecord.from) WHERE c.document_number = ? ORDER BY c.created_at, c.rowid"),
                             arguments: [documentNumber]).map(CredentialRecord.init(row:))
        }
    }

    /// The credential with this cti.
    public func credential(_ cti: [UInt8]) throws(IssuerError) -> CredentialRecord? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(CredentialRecord.columns) FROM \(CredentialRecord.from) WHERE c.cti = ?"), arguments: [Data(cti)])
                .map(CredentialRecord.init(row:))
        }
    }

    /// The credential a batch row produced, if any.
    public func credential(batchKey: String) throws(IssuerError) -> CredentialRecord? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(CredentialRecord.columns) FROM \(CredentialRecord.from) WHERE c.batch_key = ?"), arguments: [batchKey])
                .map(CredentialRecord.init(row:))
        }
    }

    /// The history of a document number, oldest first.
    public func events(documentNumber: String) throws(IssuerError) -> [EventRecord] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT cti, document_number, kind, at, detail FROM event WHERE document_number = ? ORDER BY id"),
                             arguments: [documentNumber]).map {
                EventRecord(credentialID: [UInt8]($0["cti"] as Data), documentNumber: $0["document_number"], kind: $0["kind"],
                            at: $0["at"], detail: $0["detail"])
            }
        }
    }

    /// Changes a credential's status (and optionally its licence data and code times) in one
    /// transaction with its event, provided it is still in one of the `expected` statuses.
    public func update(_ cti: [UInt8], expected: Set<CredentialStatus>, status: CredentialStatus? = nil,
                       licence: Licence? = nil, signerKid: [UInt8]? = nil, codeTimes: (iat: Int64, exp: Int64)? = nil,
                       holderKey: HolderKey? = nil, events: [(kind: String, detail: String?)], at now: Int64) throws(IssuerError) {
        try transaction { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT status, document_number FROM credential WHERE cti = ?"), arguments: [Data(cti)]),
                  let current = CredentialStatus(rawValue: row["status"]) else {
                throw IssuerError("the credential \(Hex.encode(cti)) does not exist")
            }
            guard expected.contains(current) else {
                throw IssuerError("the credential changed meanwhile (it is now \(current)): run the command again")
            }
            if let status { try db.cachedStatement(sql: "UPDATE credential SET status = ? WHERE cti = ?").execute(arguments: [status.rawValue, Data(cti)]) }
            if let licence {
                try db.cachedStatement(sql: "UPDATE credential SET licence = ? WHERE cti = ?").execute(arguments: [Data(CBOREncoder.encode(licence.cbor)), Data(cti)])
            }
            if let signerKid {
                try db.cachedStatement(sql: "UPDATE credential SET signer_kid = ? WHERE cti = ?").execute(arguments: [Data(signerKid), Data(cti)])
            }
            if let holderKey {
                try db.cachedStatement(sql: "UPDATE credential SET holder_key = ? WHERE cti = ?").execute(arguments: [Data(holderKey.compressedPoint), Data(cti)])
            }
            if let codeTimes {
                try db.cachedStatement(sql: "UPDATE credential SET iat = ?, exp = ? WHERE cti = ?").execute(arguments: [codeTimes.iat, codeTimes.exp, Data(cti)])
                if let signerKid { try Self.noteSignature(db, kid: signerKid, exp: codeTimes.exp) }
            }
            for event in events {
                try Self.addEvent(db, cti: cti, number: row["document_number"], kind: event.kind, at: now, detail: event.detail)
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
            try Row.fetchAll(db, sql: """
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
                try db.cachedStatement(sql: "UPDATE credential SET status = ? WHERE cti = ?").execute(arguments: [status.rawValue, Data(cti)])
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
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT kid, last_exp FROM signer_usage")) {
                usage[Hex.encode([UInt8](row["kid"] as Data))] = (0, row["last_exp"])
            }
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT signer_kid, COUNT(*) AS n FROM credential GROUP BY signer_kid")) {
                let kid = Hex.encode([UInt8](row["signer_kid"] as Data))
                usage[kid] = (row["n"], usage[kid]?.lastExpiry ?? .min)
            }
            return usage
        }
    }

    /// Live (VALID or SUSPENDED, written) credentials whose latest code `kid` signed.
    public func liveCredentials(signedBy kid: [UInt8]) throws(IssuerError) -> [CredentialRecord] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(CredentialRecord.columns) FROM \(CredentialRecord.from)
                WHERE c.signer_kid = ? AND c.status IN \(Status.live) AND c.state = 'written' ORDER BY c.document_number
                """, arguments: [Data(kid)]).map(CredentialRecord.init(row:))
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
            for row in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT DISTINCT c.idx, e.kind FROM credential c JOIN event e ON e.cti = c.cti
                WHERE c.list_id = ? AND e.kind IN ('reinstated', 'restored') AND \(condition)
                """), arguments: [listID, value]) {
                if (row["kind"] as String) == "reinstated" { found.reinstated.insert(row["idx"]) } else { found.restored.insert(row["idx"]) }
            }
            return found
        }
    }

    /// A list's non-VALID entries and the last event id, read in one snapshot (so that no
    /// change can fall between the two).
    func snapshot(listID: Int64) throws(IssuerError) -> (entries: [(index: Int, status: UInt8)], lastEventID: Int64, used: Int) {
        try read { db in
            let entries = try Self.notValidEntries(db, listID: listID)
            let last = try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(id), 0) FROM event")) ?? 0
            let used = try Int.fetchOne(db.cachedStatement(sql: "SELECT used FROM status_list WHERE id = ?"), arguments: [listID]) ?? 0
            return (entries, last, used)
        }
    }
}
