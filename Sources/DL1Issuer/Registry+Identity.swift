import DL1Crypto
import DL1Format
import Foundation
import GRDB

/// A registry's identity: a random id and the schema version it was made with. `init` records
/// it both in the registry and in the issuer's settings; every later open compares the two.
public struct RegistryIdentity: Codable, Sendable, Hashable {
    /// 32 hex digits, random.
    public var id: String
    /// The schema version when the identity was recorded.
    public var schemaVersion: Int

    /// An identity with these values.
    public init(id: String, schemaVersion: Int) {
        self.id = id
        self.schemaVersion = schemaVersion
    }
}

extension Registry {
    /// The schema version this software writes (one per migration).
    public static let schemaVersion = 5

    /// Creates a new registry at `url`, which must not exist, with a fresh identity. Creating a
    /// registry happens here and nowhere else (an issuer's `create`).
    static func create(url: URL, at now: Int64) throws(IssuerError) -> (registry: Registry, identity: RegistryIdentity) {
        guard !FileManager.default.fileExists(atPath: url.path) else {
            throw IssuerError("a registry already exists at \(url.path)")
        }
        let pool = try openPool(url, access: .readWrite)
        let identity = RegistryIdentity(id: Hex.encode(SecureRandom.bytes(16)), schemaVersion: schemaVersion)
        do {
            try migrator.migrate(pool)
            try pool.write { db in
                try db.execute(sql: "INSERT INTO registry_identity (id, schema_version, created_at) VALUES (?, ?, ?)",
                               arguments: [identity.id, identity.schemaVersion, now])
            }
        } catch {
            throw IssuerError("cannot create the registry \(url.path): \(describe(error))")
        }
        return (Registry(pool: pool), identity)
    }

    /// Opens the registry at `url` and checks that it is the one `expected` names. It must exist,
    /// be non-empty and carry that identity; an older schema is brought up to date (read-write
    /// only). With `expected` nil (settings written before registries had an identity), a
    /// registry made by that older version is given an identity, returned as `adopted` for the
    /// caller to record in the settings; anything else is refused.
    static func open(url: URL, expected: RegistryIdentity?, access: Access,
                     at now: Int64) throws(IssuerError) -> (registry: Registry, adopted: RegistryIdentity?) {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: url.path) } catch {
            throw IssuerError(.registryMissing, "the registry \(url.path) is missing; a new, empty registry would forget every credential and revocation, so none is made")
        }
        guard (attributes[.type] as? FileAttributeType) == .typeRegular else {
            throw IssuerError(.registryDamaged, "the registry \(url.path) is not a regular file")
        }
        guard ((attributes[.size] as? NSNumber)?.intValue ?? 0) > 0 else {
            throw IssuerError(.registryEmpty, "the registry \(url.path) is empty (0 bytes): it was truncated or replaced")
        }
        let pool = try openPool(url, access: access)
        let found: (identity: RegistryIdentity?, legacy: Bool, superseded: Bool, complete: Bool)
        do {
            found = try pool.read { db in
                let superseded = try migrator.hasBeenSuperseded(db)
                let complete = try migrator.hasCompletedMigrations(db)
                if try db.tableExists("registry_identity"),
                   let row = try Row.fetchOne(db, sql: "SELECT id, schema_version FROM registry_identity LIMIT 1") {
                    return (RegistryIdentity(id: row["id"], schemaVersion: row["schema_version"]), false, superseded, complete)
                }
                let legacy = try db.tableExists("credential") && db.tableExists("status_list")
                return (nil, legacy, superseded, complete)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
            throw IssuerError(.registryDamaged, "the registry \(url.path) is not a readable SQLite database (\(describe(error)))")
        } catch {
            throw IssuerError(.registryDamaged, "cannot read the registry \(url.path): \(describe(error))")
        }
        if found.superseded {
            throw IssuerError(.registryTooNew, "the registry \(url.path) was made or upgraded by a newer version of this software")
        }
        var adopted: RegistryIdentity?
        switch (found.identity, expected) {
        case let (actual?, expected?):
            guard actual.id == expected.id else {
                throw IssuerError(.registryIdentityMismatch, "the registry \(url.path) is registry \(actual.id), but this issuer's registry is \(expected.id): it belongs to another issuer or was replaced")
            }
        case (_?, nil):
            throw IssuerError(.registryIdentityMismatch, "the registry \(url.path) has an identity that the issuer's settings do not record: the settings file was replaced")
        case (nil, _?):
            throw IssuerError(.registryEmpty, "\(url.path) holds no registry identity: it is not this issuer's registry (an empty or foreign database, or a copy made before registries had an identity)")
        case (nil, nil):
            guard found.legacy else {
                throw IssuerError(.registryEmpty, "\(url.path) holds no registry (no tables): it was emptied or replaced")
            }
            adopted = RegistryIdentity(id: Hex.encode(SecureRandom.bytes(16)), schemaVersion: schemaVersion)
        }
        if !found.complete || adopted != nil {
            guard access == .readWrite else {
                throw IssuerError(.registryReadOnly, "the registry \(url.path) must first be brought up to date by a command that may write to it")
            }
            do {
                try migrator.migrate(pool)
                if let identity = adopted {
                    // Two processes may adopt at once: the first row wins and both report it.
                    adopted = try pool.write { db in
                        if let row = try Row.fetchOne(db, sql: "SELECT id, schema_version FROM registry_identity LIMIT 1") {
                            return RegistryIdentity(id: row["id"], schemaVersion: row["schema_version"])
                        }
                        try db.execute(sql: "INSERT INTO registry_identity (id, schema_version, created_at) VALUES (?, ?, ?)",
                                       arguments: [identity.id, identity.schemaVersion, now])
                        return identity
                    }
                }
                try pool.write { db in
                    try db.execute(sql: "UPDATE registry_identity SET schema_version = ?", arguments: [schemaVersion])
                }
            } catch {
                throw IssuerError(.registryReadOnly, "cannot bring the registry \(url.path) up to date: \(describe(error))")
            }
        }
        return (Registry(pool: pool), adopted)
    }

    /// The identity recorded in this registry.
    public func identity() throws(IssuerError) -> RegistryIdentity? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT id, schema_version FROM registry_identity LIMIT 1")
                .map { RegistryIdentity(id: $0["id"], schemaVersion: $0["schema_version"]) }
        }
    }
}
