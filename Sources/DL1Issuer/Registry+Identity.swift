import DL1Crypto
import DL1Format
import Foundation

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

/// Where a registry lives.
public enum RegistryLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite file (the default: `registry.sqlite` in the issuer folder).
    case sqlite(URL)
    /// A PostgreSQL database, shared by every office and process that names it.
    case postgres(PostgresAddress)

    public var description: String {
        switch self {
        case .sqlite(let url): url.path
        case .postgres(let address): address.description
        }
    }
}

extension Registry {
    /// The schema version this software writes (one per migration).
    public static let schemaVersion = 7

    /// Creates a new registry at `location`, which must not hold one yet, with a fresh identity.
    /// Creating a registry happens here and nowhere else (an issuer's `create`).
    static func create(_ location: RegistryLocation, at now: Int64) throws(IssuerError) -> (registry: Registry, identity: RegistryIdentity) {
        let store: any RegistryStore
        switch location {
        case .sqlite(let url):
            guard !FileManager.default.fileExists(atPath: url.path) else {
                throw IssuerError(.registryExists, "a registry already exists at \(url.path)")
            }
            store = try SQLiteStore.open(url, access: .readWrite)
        case .postgres(let address):
            store = try PostgresStore.connect(address)
            let status: RegistrySchemaStatus
            do { status = try store.schemaStatus() } catch {
                throw IssuerError(.registryUnreadable, "cannot read the database \(address): \(store.describe(error))")
            }
            if let identity = status.identity {
                try? store.close()
                throw IssuerError(.registryExists, "the database \(address) already holds registry \(identity.id): give an empty database")
            }
            if status.legacy {
                try? store.close()
                throw IssuerError(.registryExists, "the database \(address) already holds registry tables: give an empty database")
            }
        }
        let identity = RegistryIdentity(id: Hex.encode(SecureRandom.bytes(16)), schemaVersion: schemaVersion)
        do {
            try store.migrate()
            _ = try store.write { db in
                try db.execute(sql: "INSERT INTO registry_identity (id, schema_version, created_at) VALUES (?, ?, ?)",
                               arguments: [identity.id, identity.schemaVersion, now])
            }
        } catch {
            throw IssuerError(.registryRefused, "cannot create the registry \(location): \(store.describe(error))")
        }
        return (Registry(store: store), identity)
    }

    /// Opens the registry at `location` and checks that it is the one `expected` names. It must
    /// exist, be non-empty and carry that identity; an older schema is brought up to date
    /// (read-write only). With `expected` nil (settings written before registries had an
    /// identity), a registry made by that older version is given an identity, returned as
    /// `adopted` for the caller to record in the settings; anything else is refused.
    static func open(_ location: RegistryLocation, expected: RegistryIdentity?, access: Access,
                     at now: Int64) throws(IssuerError) -> (registry: Registry, adopted: RegistryIdentity?) {
        let store: any RegistryStore
        switch location {
        case .sqlite(let url):
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
            store = try SQLiteStore.open(url, access: access)
        case .postgres(let address):
            store = try PostgresStore.connect(address)
        }
        let found: RegistrySchemaStatus
        do {
            found = try store.schemaStatus()
        } catch {
            throw IssuerError(.registryDamaged, "cannot read the registry \(location): \(store.describe(error))")
        }
        if found.tooNew {
            throw IssuerError(.registryTooNew, "the registry \(location) was made or upgraded by a newer version of this software")
        }
        var adopted: RegistryIdentity?
        switch (found.identity, expected) {
        case let (actual?, expected?):
            guard actual.id == expected.id else {
                throw IssuerError(.registryIdentityMismatch, "the registry \(location) is registry \(actual.id), but this issuer's registry is \(expected.id): it belongs to another issuer or was replaced")
            }
        case (_?, nil):
            throw IssuerError(.registryIdentityMismatch, "the registry \(location) has an identity that the issuer's settings do not record: the settings file was replaced")
        case (nil, _?):
            throw IssuerError(.registryEmpty, "\(location) holds no registry identity: it is not this issuer's registry (an empty or foreign database, or a copy made before registries had an identity)")
        case (nil, nil):
            guard found.legacy else {
                throw IssuerError(.registryEmpty, "\(location) holds no registry (no tables): it was emptied or replaced")
            }
            adopted = RegistryIdentity(id: Hex.encode(SecureRandom.bytes(16)), schemaVersion: schemaVersion)
        }
        if !found.upToDate || adopted != nil {
            guard access == .readWrite else {
                throw IssuerError(.registryReadOnly, "the registry \(location) must first be brought up to date by a command that may write to it")
            }
            do {
                try store.migrate()
                if let identity = adopted {
                    // Two processes may adopt at once: the first row wins and both report it.
                    adopted = try store.write { db in
                        if let row = try db.row(sql: "SELECT id, schema_version FROM registry_identity LIMIT 1") {
                            return RegistryIdentity(id: try row["id"], schemaVersion: try row["schema_version"])
                        }
                        try db.execute(sql: "INSERT INTO registry_identity (id, schema_version, created_at) VALUES (?, ?, ?)",
                                       arguments: [identity.id, identity.schemaVersion, now])
                        return identity
                    }
                }
                _ = try store.write { db in
                    try db.execute(sql: "UPDATE registry_identity SET schema_version = ?", arguments: [schemaVersion])
                }
            } catch {
                throw IssuerError(.registryReadOnly, "cannot bring the registry \(location) up to date: \(store.describe(error))")
            }
        }
        return (Registry(store: store), adopted)
    }

    /// The identity recorded in this registry.
    public func identity() throws(IssuerError) -> RegistryIdentity? {
        try read { db in
            try db.row(sql: "SELECT id, schema_version FROM registry_identity LIMIT 1")
                .map { RegistryIdentity(id: try $0["id"], schemaVersion: try $0["schema_version"]) }
        }
    }
}
