import Foundation

/// Enrolment applications this wallet made (an enrolment with a new portrait waits for an
/// officer): their ids and the service each was made at, one file each in `applications/`.
extension Wallet {
    /// A pending application.
    public struct PendingApplication: Codable, Sendable, Hashable {
        public var id: String
        public var server: String
        public var createdAt: Int64
        public init(id: String, server: String, createdAt: Int64) {
            self.id = id
            self.server = server
            self.createdAt = createdAt
        }
    }

    var applicationsFolder: URL { folder.appendingPathComponent("applications") }

    /// Remembers an application until its credential is fetched or it is rejected.
    public func addApplication(_ application: PendingApplication) throws(HolderError) {
        guard application.id.utf8.count == 32, application.id.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            throw HolderError(.wallet, "an application id is 32 lower-case hex digits, not '\(application.id.prefix(40))'")
        }
        do { try FileManager.default.createDirectory(at: applicationsFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
        catch { throw HolderError(.wallet, "cannot create \(applicationsFolder.path): \(error.localizedDescription)") }
        let encoded: Data
        do { encoded = try JSONEncoder().encode(application) } catch { throw HolderError(.wallet, "cannot encode the application") }
        try Self.write([UInt8](encoded), to: applicationsFolder.appendingPathComponent("\(application.id).json"), permissions: 0o600)
    }

    /// The applications waiting, oldest first (unreadable files are skipped).
    public func pendingApplications() -> [PendingApplication] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: applicationsFolder.path)) ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
        return names.compactMap { name in
            BoundedFile.read(applicationsFolder.appendingPathComponent(name).path, limit: 4096)
                .flatMap { try? JSONDecoder().decode(PendingApplication.self, from: Data($0)) }
        }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// Forgets an application (its credential was stored, or it was rejected).
    public func removeApplication(_ id: String) {
        try? FileManager.default.removeItem(at: applicationsFolder.appendingPathComponent("\(id).json"))
    }
}
