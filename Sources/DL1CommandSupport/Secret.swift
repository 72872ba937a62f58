import ArgumentParser
import Foundation

/// A secret (a passphrase, a PIN) from a file or an environment variable, never the command
/// line, where other users could see it. The file is read only when it is a regular file of at
/// most 4 KiB; its final line end is dropped.
public enum Secret {
    /// Why a secret could not be read; the message names the file or variable.
    public struct Unreadable: Error, CustomStringConvertible {
        public let description: String
    }

    /// The secret from `file` or else `env`, nil when neither is given.
    public static func read(file: String?, env: String?, what: String) throws(Unreadable) -> String? {
        if let file {
            let type = (try? FileManager.default.attributesOfItem(atPath: file))?[.type] as? FileAttributeType
            guard type == .typeRegular, let handle = FileHandle(forReadingAtPath: file),
                  let data = try? handle.read(upToCount: 4097), data.count <= 4096,
                  var bytes = String(data: data, encoding: .utf8).map({ Array($0.utf8) }) else {
                throw Unreadable(description: "cannot read the \(what) file \(file) (a regular file of at most 4 KiB, UTF-8)")
            }
            try? handle.close()
            // Strip the line end as bytes ("\r\n" is a single Character in Swift).
            while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
            guard !bytes.isEmpty else { throw Unreadable(description: "the \(what) file \(file) is empty") }
            return String(decoding: bytes, as: UTF8.self)
        }
        if let env {
            guard let value = ProcessInfo.processInfo.environment[env], !value.isEmpty else {
                throw Unreadable(description: "the environment variable \(env) (the \(what)) is not set")
            }
            return value
        }
        return nil
    }
}

/// `--passphrase-file`/`--passphrase-env` and `--pin-file`/`--pin-env`: where the secrets that
/// unlock keys come from (files or environment variables, never the command line).
public struct SecretOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A file holding the passphrase of encrypted key files.", valueName: "FILE"))
    public var passphraseFile: String?

    @Option(name: .long, help: ArgumentHelp("An environment variable holding that passphrase.", valueName: "VAR"))
    public var passphraseEnv: String?

    @Option(name: .long, help: ArgumentHelp("A file holding the PIN of the PKCS#11 token.", valueName: "FILE"))
    public var pinFile: String?

    @Option(name: .long, help: ArgumentHelp("An environment variable holding that PIN.", valueName: "VAR"))
    public var pinEnv: String?

    public init() {}

    public func validate() throws {
        if passphraseFile != nil && passphraseEnv != nil { throw ValidationError("give --passphrase-file or --passphrase-env, not both") }
        if pinFile != nil && pinEnv != nil { throw ValidationError("give --pin-file or --pin-env, not both") }
    }

    /// The passphrase and the PIN the options name (nil where none is given).
    public func read() throws(Secret.Unreadable) -> (passphrase: String?, pin: String?) {
        (try Secret.read(file: passphraseFile, env: passphraseEnv, what: "passphrase"),
         try Secret.read(file: pinFile, env: pinEnv, what: "PIN"))
    }
}
