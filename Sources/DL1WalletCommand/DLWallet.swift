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
                      PresentCommand.self, EnrolCommand.self, RefreshCommand.self, ApplicationCommand.self])

    public init() {}
}

/// The wallet's secret options are the shared ones (an encrypted device key, a PKCS#11 PIN).
public typealias WalletSecretOptions = SecretOptions

extension SecretOptions {
    func secrets() throws(HolderError) -> WalletSecrets {
        do {
            let (passphrase, pin) = try read()
            return WalletSecrets(passphrase: passphrase, pin: pin)
        } catch { throw HolderError(.deviceKey, error.description) }
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
