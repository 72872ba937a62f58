import DL1Issuer
import DL1TestSupport
import Foundation

/// The PostgreSQL server the tests may use: `DL1_TEST_POSTGRES` (an address, with
/// `DL1_TEST_POSTGRES_PASSWORD`), which `scripts/test` sets after starting a throw-away cluster.
public enum TestPostgres {
    /// The server, when one was given.
    public static let server: PostgresAddress? = {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["DL1_TEST_POSTGRES"], !url.isEmpty else { return nil }
        return try? PostgresAddress(url: url, password: environment["DL1_TEST_POSTGRES_PASSWORD"])
    }()

    /// Why the PostgreSQL tests do not run, when they do not.
    public static let skipReason = "no PostgreSQL server for the tests: DL1_TEST_POSTGRES is unset (./scripts/test starts one with scripts/postgres)"

    /// A fresh, empty database on the test server.
    public static func freshDatabase() throws -> PostgresAddress {
        guard let server else { throw CLIWorld.SetupError(description: skipReason) }
        return try server.creatingDatabase("dl1_test_\(UInt64.random(in: 0...UInt64.max))")
    }

    /// Writes the test server's password to a file (mode 0600) in `folder`; returns its path.
    public static func passwordFile(in folder: URL) throws -> String {
        let file = folder.appendingPathComponent("registry-password")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: file.path, contents: Data((server?.password ?? "").utf8), attributes: [.posixPermissions: 0o600])
        return file.path
    }
}

/// The registry engines a test runs on: SQLite always, PostgreSQL when a server is given.
public enum TestEngine: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite, postgres

    /// The engines available here.
    public static var available: [TestEngine] { TestPostgres.server == nil ? [.sqlite] : [.sqlite, .postgres] }

    public var description: String { rawValue }
}
