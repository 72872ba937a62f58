import ArgumentParser
import DL1CommandSupport
import DL1Holder
import Foundation

/// `dl-wallet`: the holder's side of holder binding (FORMAT §7), for tests, kiosks and as the
/// reference for phone apps: a device key, bound credentials, DL2 presentations.
public struct DLWallet: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dl-wallet",
        abstract: "Keep a device key and holder-bound licence credentials, and show DL2 presentations.",
        subcommands: [WalletInitCommand.self, PublicKeyCommand.self, AddCommand.self, WalletListCommand.self, RemoveCommand.self,
                      PresentCommand.self])

    public init() {}
}

/// Where the secrets that unlock the device key come from (files or environment variables).
public struct WalletSecretOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A file holding the passphrase of an encrypted device key.", valueName: "FILE"))
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

    func secrets() throws(HolderError) -> WalletSecrets {
        WalletSecrets(passphrase: try Self.secret(file: passphraseFile, env: passphraseEnv, what: "passphrase"),
                      pin: try Self.secret(file: pinFile, env: pinEnv, what: "PIN"))
    }

    static func secret(file: String?, env: String?, what: String) throws(HolderError) -> String? {
        if let file {
            guard let read = BoundedFile.read(file, limit: 4096),
                  var bytes = String(validating: read, as: UTF8.self).map({ Array($0.utf8) }) else {
                throw HolderError(.deviceKey, "cannot read the \(what) file \(file)")
            }
            while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
            guard !bytes.isEmpty else { throw HolderError(.deviceKey, "the \(what) file \(file) is empty") }
            return String(decoding: bytes, as: UTF8.self)
        }
        if let env {
            guard let value = ProcessInfo.processInfo.environment[env], !value.isEmpty else {
                throw HolderError(.deviceKey, "the environment variable \(env) (the \(what)) is not set")
            }
            return value
        }
        return nil
    }
}

/// Runs a wallet command body, mapping a failure to exit code 2.
enum WalletCommand {
    static func run(_ name: String, console: Console, _ body: () throws(HolderError) -> Void) -> Int32 {
        do {
            try body()
            return 0
        } catch {
            console.err("dl-wallet \(name): \(error)")
            if error.code == .secretNeeded {
                console.err("dl-wallet: give the device key's secret with --passphrase-file or --passphrase-env (an encrypted key), or --pin-file or --pin-env (a PKCS#11 token)")
            }
            return usageExitCode
        }
    }
}
