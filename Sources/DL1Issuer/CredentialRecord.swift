import DL1Format
import Foundation

/// One issued credential as the registry keeps it.
public struct CredentialRecord: Sendable, Hashable {
    /// Where the credential is in its issuance.
    public enum State: String, Sendable {
        /// Recorded; its code may not have been written yet.
        case pending
        /// Its code was written.
        case written
        /// Left pending by a failed run and revoked by `dl-issue pending --revoke`.
        case abandoned
    }

    public let credentialID: [UInt8]
    public let documentNumber: String
    public let list: Registry.ListInfo
    public let index: UInt64
    public let status: CredentialStatus
    public let state: State
    public let licence: Licence
    public let signerKid: [UInt8]
    /// iat and exp of the latest code made for it.
    public let issuedAt: Int64, expiresAt: Int64
    public let createdAt: Int64
    public let batchKey: String?
    public let supersededBy: [UInt8]?
    /// The holder's device key, for a bound credential (FORMAT §7.1).
    public let holderKey: HolderKey?

    /// Whether this is a licence's live credential: not superseded, revoked or abandoned.
    public var isActive: Bool { state != .abandoned && (status == .valid || status == .suspended) }

    /// A credential's state as the registry keeps it: the row's own `state` ('written' or
    /// 'abandoned'), unless a row in `pending_credential` says its code is not known to be out
    /// yet (schema version 7: marking a code written deletes that narrow row instead of
    /// rewriting the wide credential row and its indexes). Needs ``from``'s `p`.
    static let state = "CASE WHEN p.cti IS NULL THEN c.state ELSE 'pending' END AS state"
    static let columns = "c.cti, c.document_number, c.idx, c.status, \(state), c.licence, c.signer_kid, c.iat, c.exp, c.created_at, c.batch_key, c.superseded_by, c.holder_key, l.id AS list_id, l.name, l.uri, l.capacity, l.bits"
    static let from = "credential c JOIN status_list l ON l.id = c.list_id LEFT JOIN pending_credential p ON p.cti = c.cti"

    init(row: SQLRow) throws {
        credentialID = try row["cti"]
        documentNumber = try row["document_number"]
        list = Registry.ListInfo(id: try row["list_id"], name: try row["name"], uri: try row["uri"], capacity: try row["capacity"], bits: try row["bits"])
        index = UInt64(try row["idx"] as Int64)
        status = CredentialStatus(rawValue: try row["status"]) ?? .invalid
        state = State(rawValue: try row["state"]) ?? .pending
        licence = try Licence(cbor: CBORDecoder().decode(try row["licence"] as [UInt8]))
        signerKid = try row["signer_kid"]
        issuedAt = try row["iat"]
        expiresAt = try row["exp"]
        createdAt = try row["created_at"]
        batchKey = try row["batch_key"]
        supersededBy = try row["superseded_by"]
        holderKey = (try row["holder_key"] as [UInt8]?).flatMap { HolderKey(compressedPoint: $0) }
    }
}

/// One entry of a licence's history.
public struct EventRecord: Sendable, Hashable {
    public let credentialID: [UInt8]
    public let documentNumber: String
    /// What happened: issued, renewed, category-changed, reissued, superseded, points, suspended,
    /// reinstated, revoked, refreshed, abandoned.
    public let kind: String
    public let at: Int64
    public let detail: String?
}
