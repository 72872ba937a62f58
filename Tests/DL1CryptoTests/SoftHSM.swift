import Foundation

/// A SoftHSM2 token in a temporary folder, made once per test process (SoftHSM reads its
/// configuration when the module is first initialized).
enum SoftHSM {
    static let module = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]
        .first { FileManager.default.fileExists(atPath: $0) }
    static let pin = "123456"

    /// The label of a fresh token, or nil when SoftHSM2 is not installed.
    static let token: String? = {
        guard module != nil else { return nil }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dl1-softhsm-\(UUID().uuidString)")
        let tokens = folder.appendingPathComponent("tokens")
        try? FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        let config = folder.appendingPathComponent("softhsm2.conf")
        try? Data("directories.tokendir = \(tokens.path)\nobjectstore.backend = file\nlog.level = ERROR\n".utf8).write(to: config)
        setenv("SOFTHSM2_CONF", config.path, 1)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/softhsm2-util")
        process.arguments = ["--init-token", "--free", "--label", "dl1-test", "--pin", pin, "--so-pin", "654321"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? "dl1-test" : nil
    }()
}
