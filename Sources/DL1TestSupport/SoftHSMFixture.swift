import Foundation

/// SoftHSM2 tokens for tests, in one temporary token folder per process (SoftHSM reads its
/// configuration once, when its module is first initialized, so every token shares it).
public enum SoftHSMFixture {
    /// The SoftHSM2 module, when installed.
    public static let module = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]
        .first { FileManager.default.fileExists(atPath: $0) }
    /// The user PIN of every test token.
    public static let pin = "246810"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: [String: Bool] = [:]

    private static let tokenFolder: URL? = {
        let folder = Fixture.temporaryFolder()
        let tokens = folder.appendingPathComponent("tokens")
        let config = folder.appendingPathComponent("softhsm2.conf")
        do {
            try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
            try Data("directories.tokendir = \(tokens.path)\nobjectstore.backend = file\nlog.level = ERROR\n".utf8).write(to: config)
        } catch { return nil }
        setenv("SOFTHSM2_CONF", config.path, 1)
        return tokens
    }()

    /// The labels of every token the tests use. They are all made before the first one is
    /// used: SoftHSM lists its tokens once, when a process first initializes it.
    public static let labels = ["dl1-crypto", "dl1-e2e", "dl1-wallet"]

    /// A fresh token labelled `label` (one of ``labels``), or nil when SoftHSM2 is missing.
    public static func token(_ label: String) -> String? {
        guard module != nil, tokenFolder != nil else { return nil }
        lock.lock(); defer { lock.unlock() }
        if made.isEmpty { for other in labels where other != label { made[other] = initToken(other) } }
        if let done = made[label] { return done ? label : nil }
        let ok = initToken(label)
        made[label] = ok
        return ok ? label : nil
    }

    private static func initToken(_ label: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/softhsm2-util")
        process.arguments = ["--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", "13579"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
