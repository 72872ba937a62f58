import ArgumentParser
import DL1CommandSupport
import DL1Crypto
import DL1Format
import DL1Holder
import DL1Verifier
import Foundation

/// `dl-wallet init DIR`: a new wallet with a fresh device key.
public struct WalletInitCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Make a wallet folder with a new device key (a 0600 key file, encrypted, or in a PKCS#11 token).")

    @Argument(help: ArgumentHelp("The new wallet folder.", valueName: "DIR")) public var folder: String
    @Flag(name: .long, help: "Encrypt the device key file (needs --passphrase-file or --passphrase-env).") public var encryptKey = false
    @Option(name: .long, help: ArgumentHelp("Keep the key, non-extractable, in a PKCS#11 token: the module's path.", valueName: "PATH"))
    public var pkcs11Module: String?
    @Option(name: .long, help: ArgumentHelp("The token's label (with --pkcs11-module).", valueName: "LABEL")) public var tokenLabel: String?
    @OptionGroup public var secretOptions: WalletSecretOptions

    public init() {}

    public func validate() throws {
        if (pkcs11Module == nil) != (tokenLabel == nil) { throw ValidationError("--pkcs11-module and --token-label go together") }
        if pkcs11Module != nil && encryptKey { throw ValidationError("a key in a PKCS#11 token is not a file: drop --encrypt-key") }
        if encryptKey && secretOptions.passphraseFile == nil && secretOptions.passphraseEnv == nil {
            throw ValidationError("--encrypt-key needs --passphrase-file or --passphrase-env")
        }
        if pkcs11Module != nil && secretOptions.pinFile == nil && secretOptions.pinEnv == nil {
            throw ValidationError("--pkcs11-module needs --pin-file or --pin-env")
        }
    }

    public func execute(console: Console) -> Int32 {
        WalletCommand.run("init", console: console) { () throws(HolderError) in
            let storage: Wallet.KeyStorage = pkcs11Module.map { .pkcs11(module: $0, tokenLabel: tokenLabel!) } ?? .file(encrypted: encryptKey)
            let wallet = try Wallet.create(at: URL(fileURLWithPath: folder), storage: storage, secrets: try secretOptions.secrets())
            let key = try wallet.deviceKey().publicKey
            console.out("Made the wallet \(folder): device key thumbprint \(HolderKey(key)?.thumbprint ?? "?")")
            var secretFlags = ""
            if let file = secretOptions.passphraseFile { secretFlags += " --passphrase-file \(file)" }
            if let env = secretOptions.passphraseEnv { secretFlags += " --passphrase-env \(env)" }
            if let file = secretOptions.pinFile { secretFlags += " --pin-file \(file)" }
            if let env = secretOptions.pinEnv { secretFlags += " --pin-env \(env)" }
            let pem = URL(fileURLWithPath: folder).lastPathComponent + "-device.pem"
            console.out("Enrol it with the issuer: 'dl-wallet enrol \(folder) --server URL --code CODE' with the code the authority gives, or 'dl-wallet public-key \(folder)\(secretFlags) --output \(pem)', then 'dl-issue issue ... --holder-key \(pem)'")
        }
    }
}

/// `dl-wallet public-key DIR`: the device's public key for enrolment.
public struct PublicKeyCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "public-key", abstract: "Print the device's public key (PEM) for the issuer to bind credentials to.")

    @Argument(help: ArgumentHelp("The wallet folder.", valueName: "DIR")) public var folder: String
    @Option(name: .long, help: ArgumentHelp("Write it to this file instead.", valueName: "FILE")) public var output: String?
    @OptionGroup public var secretOptions: WalletSecretOptions

    public init() {}

    public func execute(console: Console) -> Int32 {
        WalletCommand.run("public-key", console: console) { () throws(HolderError) in
            let wallet = try Wallet.open(at: URL(fileURLWithPath: folder), secrets: try secretOptions.secrets())
            let pem = try wallet.publicKeyPEM()
            if let output {
                try AtomicFile.write(Array(pem.utf8), to: URL(fileURLWithPath: output), code: .wallet)
                console.err("Wrote the device's public key to \(output)")
            } else {
                console.write(pem)
            }
        }
    }
}

/// `dl-wallet add DIR FILE`: store a bound credential.
public struct AddCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Store a bound credential (its DL1 text from the issuer) after checking it is bound to this wallet's key.",
        discussion: "With --trust, its issuer signature and chain are verified too. A credential with the same id replaces the stored one (a refresh).")

    @Argument(help: ArgumentHelp("The wallet folder.", valueName: "DIR")) public var folder: String
    @Argument(help: ArgumentHelp("The credential's text file (DL1:…), or - for standard input.", valueName: "CREDENTIAL")) public var credential: String
    @Option(name: .long, help: ArgumentHelp("A trust folder (as dl-verify takes) to verify the issuer's signature against.", valueName: "DIR"))
    public var trust: String?
    @OptionGroup public var secretOptions: WalletSecretOptions

    public init() {}

    public func execute(console: Console) -> Int32 {
        WalletCommand.run("add", console: console) { () throws(HolderError) in
            let text: String
            if credential == "-" {
                text = console.readLine() ?? ""
            } else {
                guard let bytes = BoundedFile.read(credential, limit: 16 * 1024) else {
                    throw HolderError(.notBoundCredential, "cannot read \(credential) (not a regular file, or larger than 16 KiB)")
                }
                text = String(decoding: bytes, as: UTF8.self)
            }
            let wallet = try Wallet.open(at: URL(fileURLWithPath: folder), secrets: try secretOptions.secrets())
            var verifier: Verifier?
            if let trust {
                do { verifier = try VerifierSetup(trustDirectory: URL(fileURLWithPath: trust)).makeVerifier(options: .init(allowUnknownStatus: true)).verifier }
                catch { throw HolderError(.untrusted, "cannot use the trust folder \(trust): \(error)") }
            }
            let stored = try wallet.add(text, verifier: verifier, at: Int64(Date().timeIntervalSince1970))
            let l = stored.claims.licence
            console.out("Stored credential \(stored.id) for \(l.documentNumber) (\(stored.claims.issuer)), valid until \(Instant.iso(stored.claims.expiresAt))\(trust != nil ? ", issuer signature verified" : "")")
        }
    }
}

/// `dl-wallet remove DIR ID`.
public struct RemoveCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a stored credential (by its id, or its document number when only one has it).")

    @Argument(help: ArgumentHelp("The wallet folder.", valueName: "DIR")) public var folder: String
    @Argument(help: ArgumentHelp("The credential's id (or a prefix of 4 hex digits or more), or its document number.", valueName: "ID"))
    public var credential: String

    public init() {}

    public func execute(console: Console) -> Int32 {
        WalletCommand.run("remove", console: console) { () throws(HolderError) in
            let removed = try Wallet.open(at: URL(fileURLWithPath: folder)).remove(credential)
            console.out("Removed credential \(removed.id) for \(removed.claims.licence.documentNumber)")
        }
    }
}

/// `dl-wallet list DIR`.
public struct WalletListCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(commandName: "list", abstract: "List the stored credentials.")

    @Argument(help: ArgumentHelp("The wallet folder.", valueName: "DIR")) public var folder: String

    public init() {}

    public func execute(console: Console) -> Int32 {
        WalletCommand.run("list", console: console) { () throws(HolderError) in
            let wallet = try Wallet.open(at: URL(fileURLWithPath: folder))
            let all = wallet.credentials()
            for c in all {
                console.out("\(c.id)\t\(c.claims.licence.documentNumber)\t\(c.claims.issuer)\tcode valid until \(Instant.iso(c.claims.expiresAt))")
            }
            console.err("\(all.count) credential(s)")
        }
    }
}
