import DL1Format
import Foundation
import GRDB

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

    static let columns = "c.cti, c.document_number, c.idx, c.status, c.state, c.licence, c.signer_kid, c.iat, c.exp, c.created_at, c.batch_key, c.superseded_by, c.holder_key, l.id AS list_id, l.name, l.uri, l.capacity, l.bits"
    static let from = "credential c JOIN status_list l ON l.id = c.list_id"

    init(row: Row) throws {
        let licenceBytes: Data = row["licence"]
        credentialID = [UInt8](row["cti"] as Data)
        documentNumber = row["document_number"]
        list = Registry.ListInfo(id: row["list_id"], name: row["name"], uri: row["uri"], capacity: row["capacity"], bits: row["bits"])
        index = UInt64(row["idx"] as Int64)
        status = CredentialStatus(rawValue: row["status"]) ?? .invalid
        state = State(rawValue: row["state"]) ?? .pending
        licence = try Licence(cbor: CBORDecoder().decode([UInt8](licenceBytes)))
        signerKid = [UInt8](row["signer_kid"] as Data)
        issuedAt = row["iat"]
        expiresAt = row["exp"]
        createdAt = row["created_at"]
        batchKey = row["batch_key"]
        supersededBy = (row["superseded_by"] as Data?).map { [UInt8]($0) }
        holderKey = (row["holder_key"] as Data?).flatMap { HolderKey(compressedPoint: [UInt8]($0)) }
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
