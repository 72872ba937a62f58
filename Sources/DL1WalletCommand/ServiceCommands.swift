import ArgumentParser
import DL1CommandSupport
import DL1Crypto
import DL1Format
import DL1Holder
import DL1ServiceAPI
import DL1ServiceClient
import DL1Verifier
import Foundation

/// The issuing service's address and how to trust its TLS certificate.
public struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The issuing service's URL ('dl-issue serve'), e.g. https://dl.example.cn.", valueName: "URL"))
    public var server: String
    @Option(name: .long, help: ArgumentHelp("Trust this CA certificate (PEM) for the service's TLS instead of the system's roots.", valueName: "FILE"))
    public var ca: String?
    public init() {}
}

/// `dl-wallet enrol DIR --server URL --code CODE`.
public struct EnrolCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "enrol",
        abstract: "Enrol this wallet's device key with the issuing service, using the one-time code the authority gave, and store the bound credential.",
        discussion: "The service sends a challenge; the device signs it with the code and its public key; the credential that comes back is checked to be bound to this key (and, with --trust, its issuer signature) before it is stored.")

    @Argument(help: ArgumentHelp("The wallet folder.", valueName: "DIR")) public var folder: String
    @OptionGroup public var serverOptions: ServerOptions
    @Option(name: .long, help: ArgumentHelp("The enrolment code, e.g. 7KQ2-M9XD-PT4H-0RWB.", valueName: "CODE")) public var code: String
    @Option(name: .long, help: ArgumentHelp("A new portrait (JPEG or PNG, at most 512 KiB): the enrolment becomes an application an officer approves; 'dl-wallet application' then fetches the credential.", valueName: "FILE"))
    public var portrait: String?
    @Option(name: .long, help: ArgumentHelp("A trust folder to verify the issuer's signature against.", valueName: "DIR")) public var trust: String?
    @OptionGroup public var secretOptions: WalletSecretOptions

    public init() {}

    public func execute(console: Console) -> Int32 {
        let code = self.code
        var photo: [UInt8]?
        if let portrait {
            guard let bytes = BoundedFile.read(portrait, limit: 512 * 1024) else {
                console.err("dl-wallet enrol: cannot read the portrait \(portrait) (a regular file of at most 512 KiB)")
                return usageExitCode
            }
            photo = bytes
        }
        let newPortrait = photo
        let server = serverOptions.server
        return ServiceCall.run("enrol", folder: folder, server: serverOptions, trust: trust, secrets: secretOptions, console: console) { wallet, client, device in
            switch try await client.enrol(code: code, device: device, portrait: newPortrait) {
            case .credential(let answer):
                return (answer, nil)
            case .application(let application):
                try wallet.addApplication(.init(id: application.applicationId, server: server, createdAt: Int64(Date().timeIntervalSince1970)))
                throw ServiceCall.Waiting(message: "Application \(application.applicationId) waits for an officer to check the portrait; 'dl-wallet application \(wallet.folder.path) --server \(server)' fetches the credential once it is approved.")
            }
        }
    }
}

/// `dl-wallet refresh DIR --server URL`.
public struct RefreshCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Get the current bound credential (with the live point balance) from the issuing service, proving possession of the device key.",
        discussion: "A superseded, revoked or suspended credential gets the reason, not a credential; the stored one is then left as it is.")

    @Argument(help: ArgumentHelp("The wallet folder.", valueName: "DIR")) public var folder: String
    @OptionGroup public var serverOptions: ServerOptions
    @Option(name: .long, help: ArgumentHelp("Which credential: its document number or id (needed when the wallet holds several).", valueName: "ID"))
    public var credential: String?
    @Option(name: .long, help: ArgumentHelp("A trust folder to verify the issuer's signature against.", valueName: "DIR")) public var trust: String?
    @OptionGroup public var secretOptions: WalletSecretOptions

    public init() {}

    public func execute(console: Console) -> Int32 {
        let selector = credential
        return ServiceCall.run("refresh", folder: folder, server: serverOptions, trust: trust, secrets: secretOptions, console: console) { wallet, client, device in
            let stored = try wallet.credential(selector)
            let answer = try await client.refresh(credentialID: stored.claims.credentialID, device: device)
            return (answer, stored)
        }
    }
}

/// `dl-wallet application DIR --server URL`.
public struct ApplicationCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "application",
        abstract: "Ask the issuing service about this wallet's pending enrolment application (one with a new portrait), and store the credential once approved.",
        discussion: "Exit codes: 0 approved and stored, or still pending (said so); 1 rejected (with the officer's reason); 2 any other error.")

    @Argument(help: ArgumentHelp("The wallet folder.", valueName: "DIR")) public var folder: String
    @OptionGroup public var serverOptions: ServerOptions
    @Option(name: .long, help: ArgumentHelp("A trust folder to verify the issuer's signature against.", valueName: "DIR")) public var trust: String?
    @OptionGroup public var secretOptions: WalletSecretOptions

    public init() {}

    public func execute(console: Console) -> Int32 {
        ServiceCall.run("application", folder: folder, server: serverOptions, trust: trust, secrets: secretOptions, console: console) { wallet, client, device in
            guard let pending = wallet.pendingApplications().last(where: { $0.server == client.baseURL }) ?? wallet.pendingApplications().last else {
                throw HolderError(.noCredential, "this wallet has no pending application")
            }
            let answer = try await client.application(pending.id, device: device)
            switch answer.state {
            case "approved":
                guard let credential = answer.credential else { throw ServiceClientError(.unexpectedResponse, "an approved application without its credential") }
                wallet.removeApplication(pending.id)
                return (credential, nil)
            case "rejected":
                wallet.removeApplication(pending.id)
                throw ServiceClientError(.problem, "application \(pending.id) was rejected: \(answer.reason.map(TextSafety.sanitized) ?? "no reason given")")
            default:
                throw ServiceCall.Waiting(message: "Application \(pending.id) is still waiting for an officer.")
            }
        }
    }
}

/// What enrol and refresh share: open the wallet and its key, call the service, check and store
/// the answer, report.
enum ServiceCall {
    /// Not a failure: the answer will come later (an application waits for an officer).
    struct Waiting: Error { let message: String }

    static func run(_ name: String, folder: String, server: ServerOptions, trust: String?, secrets: WalletSecretOptions, console: Console,
                    _ call: @escaping @Sendable (Wallet, ServiceClient, any RawSigner) async throws -> (CredentialResponse, BoundCredential?)) -> Int32 {
        do {
            let wallet = try Wallet.open(at: URL(fileURLWithPath: folder), secrets: try secrets.secrets())
            let device = try wallet.deviceKey()
            var verifier: Verifier?
            if let trust {
                do { verifier = try VerifierSetup(trustDirectory: URL(fileURLWithPath: trust)).makeVerifier(options: .init(allowUnknownStatus: true)).verifier }
                catch { throw HolderError(.untrusted, "cannot use the trust folder \(trust): \(error)") }
            }
            let client = try ServiceClient(baseURL: server.server, caFile: server.ca)
            let outcome = Result { () throws -> (CredentialResponse, BoundCredential?) in
                try runBlocking { () async throws -> (CredentialResponse, BoundCredential?) in
                    defer { Task { await client.shutdown() } }
                    return try await call(wallet, client, device)
                }
            }
            let (answer, previous) = try outcome.get()
            let stored = try wallet.add(answer.credential, verifier: verifier, at: Int64(Date().timeIntervalSince1970))
            let points = answer.pointsMaximum > 0 ? ", \(answer.pointsRemaining)/\(answer.pointsMaximum) points" : ""
            let verb = previous == nil ? "Enrolled" : "Refreshed"
            console.out("\(verb): credential \(stored.id) for \(stored.claims.licence.documentNumber) (\(stored.claims.issuer)), valid until \(Instant.iso(stored.claims.expiresAt))\(points)")
            return 0
        } catch let waiting as Waiting {
            console.out(waiting.message)
            return 0
        } catch let error as ServiceClientError {
            console.err("dl-wallet \(name): \(error.description)\(error.problem.map { " (\($0.code))" } ?? "")")
            return error.code == .problem ? 1 : usageExitCode
        } catch let error as HolderError {
            console.err("dl-wallet \(name): \(error)")
            return usageExitCode
        } catch {
            console.err("dl-wallet \(name): \(error)")
            return usageExitCode
        }
    }
}
