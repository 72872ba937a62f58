import DL1Crypto
import DL1Format
import DL1Verifier

/// What an enrolment came to: a bound credential at once, or an application with a new
/// portrait that waits for an officer.
public enum EnrolmentOutcome: Sendable {
    case issued(IssuedCode)
    case applied(EnrolmentApplication)
}

/// An enrolment that carries a new portrait (as in the 12123 service: the holder applies in the
/// app, the police check the photo, the digital licence follows).
public struct EnrolmentApplication: Sendable, Hashable {
    /// `approving` while an approval issues its credential (left so only if that process died).
    public enum State: String, Sendable, CaseIterable { case pending, approving, approved, rejected }
    /// 32 hex digits, random: the device asks about its application by it.
    public let id: String
    public let documentNumber: String
    public let deviceKey: HolderKey
    public let portraitSHA256: [UInt8]
    public let portraitSize: Int
    public let createdAt: Int64
    public let state: State
    public let decidedAt: Int64?
    /// Why it was rejected.
    public let reason: String?
    /// The bound credential (DL1 text) once approved.
    public let credentialText: String?
}

extension Issuer {
    /// The largest portrait an application may carry.
    public static let maxPortraitBytes = 512 * 1024

    /// Applications in `state` (all when nil), oldest first.
    public func applications(_ state: EnrolmentApplication.State? = .pending) throws(IssuerError) -> [EnrolmentApplication] {
        try registry.applications(state)
    }

    /// One application.
    public func application(_ id: String) throws(IssuerError) -> EnrolmentApplication {
        guard let found = try registry.application(id) else {
            throw IssuerError(.unknownApplication, "no enrolment application has the id \(id)")
        }
        return found
    }

    /// The portrait an application carries, for the officer to look at.
    public func applicationPortrait(_ id: String) throws(IssuerError) -> [UInt8] {
        _ = try application(id)
        return try registry.applicationPortrait(id) ?? []
    }

    /// Approves a pending application: a new credential with the application's portrait hash,
    /// bound to its device key, superseding the licence's current one; the application keeps
    /// the credential for the device to fetch.
    public func approveApplication(_ id: String, lifetime: CodeLifetime) throws(IssuerError) -> IssuedCode {
        let application = try pending(id)
        // Claimed first, so that a reject at the same time cannot leave a live credential
        // whose application says otherwise; put back when issuing fails.
        try registry.moveApplication(id, from: .pending, to: .approving, at: clock())
        let code: IssuedCode
        do {
            let current = try enrollableCredential(application.documentNumber, at: clock())
            var licence = current.licence
            licence.portraitHash = application.portraitSHA256
            code = try createCredential(licence, lifetime: lifetime, output: nil, supersedes: current.credentialID,
                                        holderKey: application.deviceKey,
                                        event: ("portrait-changed", "enrolment application \(id) approved; bound to device \(String(application.deviceKey.thumbprint.prefix(16)))"),
                                        deliver: { _ in })
        } catch {
            try? registry.moveApplication(id, from: .approving, to: .pending, at: clock())
            throw error
        }
        try registry.decideApplication(id, from: .approving, state: .approved, reason: nil, credential: code, at: clock())
        return code
    }

    /// Rejects a pending application, with the reason the device is told.
    public func rejectApplication(_ id: String, reason: String) throws(IssuerError) {
        try Self.checkText(reason, "the reason", max: 500)
        _ = try pending(id)
        try registry.decideApplication(id, from: .pending, state: .rejected, reason: reason, credential: nil, at: clock())
    }

    func pending(_ id: String) throws(IssuerError) -> EnrolmentApplication {
        let application = try application(id)
        guard application.state == .pending else {
            throw IssuerError(.applicationDecided, "the application \(id) was already \(application.state.rawValue)")
        }
        return application
    }
}

extension Registry {
    static let applicationColumns = "id, document_number, device_key, portrait_sha256, LENGTH(portrait) AS portrait_size, created_at, state, decided_at, reason, credential_text"

    func addApplication(id: String, number: String, deviceKey: HolderKey, portrait: [UInt8], at now: Int64) throws(IssuerError) -> EnrolmentApplication {
        let digest = SHA256.hash(portrait)
        try transaction { db in
            try db.execute(sql: "INSERT INTO enrolment_application (id, document_number, device_key, portrait, portrait_sha256, created_at, state) VALUES (?, ?, ?, ?, ?, ?, 'pending')",
                           arguments: [id, number, deviceKey.compressedPoint, portrait, digest, now])
        }
        return EnrolmentApplication(id: id, documentNumber: number, deviceKey: deviceKey, portraitSHA256: digest, portraitSize: portrait.count,
                                    createdAt: now, state: .pending, decidedAt: nil, reason: nil, credentialText: nil)
    }

    func applications(_ state: EnrolmentApplication.State?) throws(IssuerError) -> [EnrolmentApplication] {
        try read { db in
            let rows = if let state {
                try db.rows(sql: "SELECT \(Self.applicationColumns) FROM enrolment_application WHERE state = ? ORDER BY created_at, id",
                            arguments: [state.rawValue])
            } else {
                try db.rows(sql: "SELECT \(Self.applicationColumns) FROM enrolment_application ORDER BY created_at, id")
            }
            return try rows.map(Self.application(row:))
        }
    }

    func application(_ id: String) throws(IssuerError) -> EnrolmentApplication? {
        try read { db in
            try db.row(sql: "SELECT \(Self.applicationColumns) FROM enrolment_application WHERE id = ?", arguments: [id]).map(Self.application(row:))
        }
    }

    func applicationPortrait(_ id: String) throws(IssuerError) -> [UInt8]? {
        try read { db in try db.value(sql: "SELECT portrait FROM enrolment_application WHERE id = ?", arguments: [id]) }
    }

    /// Moves an application from one state to another, refused when it is no longer in `from`.
    func moveApplication(_ id: String, from: EnrolmentApplication.State, to: EnrolmentApplication.State, at now: Int64) throws(IssuerError) {
        try transaction { db in
            let changed = try db.execute(sql: "UPDATE enrolment_application SET state = ? WHERE id = ? AND state = ?",
                                         arguments: [to.rawValue, id, from.rawValue])
            guard changed == 1 else { throw IssuerError(.applicationDecided, "the application \(id) was decided meanwhile") }
        }
    }

    func decideApplication(_ id: String, from: EnrolmentApplication.State, state: EnrolmentApplication.State, reason: String?,
                           credential: IssuedCode?, at now: Int64) throws(IssuerError) {
        try transaction { db in
            let changed = try db.execute(sql: "UPDATE enrolment_application SET state = ?, decided_at = ?, reason = ?, credential_id = ?, credential_text = ? WHERE id = ? AND state = ?",
                                         arguments: [state.rawValue, now, reason, credential?.credentialID, credential?.text, id, from.rawValue])
            guard changed == 1 else { throw IssuerError(.applicationDecided, "the application \(id) was decided meanwhile") }
        }
    }

    static func application(row: SQLRow) throws -> EnrolmentApplication {
        let point: [UInt8] = try row["device_key"]
        let stateText: String = try row["state"]
        guard let key = HolderKey(compressedPoint: point), let state = EnrolmentApplication.State(rawValue: stateText) else {
            throw IssuerError(.registryDamaged, "an enrolment application holds an unreadable device key or state")
        }
        return EnrolmentApplication(id: try row["id"], documentNumber: try row["document_number"], deviceKey: key,
                                    portraitSHA256: try row["portrait_sha256"], portraitSize: try row["portrait_size"],
                                    createdAt: try row["created_at"], state: state, decidedAt: try row["decided_at"],
                                    reason: try row["reason"], credentialText: try row["credential_text"])
    }
}
