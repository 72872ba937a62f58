import ArgumentParser
import DL1CommandSupport
import DL1HTTPServer
import DL1VerifyServer
import DL1Verifier
import Foundation
import Logging

/// `dl-verify serve`: the counter — the verifier as an HTTP service with a web page.
public struct ServeCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dl-verify serve",
        abstract: "Verify codes over HTTP, with a web page for counters (camera, photo or pasted text), offline from the issuers.",
        discussion: """
            The page is at /; the API at POST /v1/verify (JSON {"text": ...}, or a PNG or JPEG photo's bytes), \
            GET /v1/trust, GET /v1/health and GET /metrics (see openapi/dl-verify-serve.json). The profile decides which \
            fields of a result leave the service. The trust folder, bundles, cache and status files are read again when \
            they change (checked every --reload-interval). Stops gracefully on SIGTERM or SIGINT. The camera works in a \
            browser only over https or on localhost: give --tls-cert and --tls-key to serve a shop's network.
            """)

    @OptionGroup public var verification: VerificationOptions
    @Option(name: .long, help: ArgumentHelp("Where to listen: HOST:PORT, or [IPv6]:PORT (port 0 picks a free one).", valueName: "HOST:PORT"))
    public var listen: String = "127.0.0.1:8090"
    @Option(name: .long, help: ArgumentHelp("Which fields leave the service: police (all), rental, insurer or employer.", valueName: "PROFILE"))
    public var profile: String = "rental"
    @Option(name: .long, help: ArgumentHelp("Require 'Authorization: Bearer TOKEN' on the API, with one of the tokens whose hashes this file holds ('dl-verify token').", valueName: "FILE"))
    public var apiTokens: String?
    @Option(name: .long, help: ArgumentHelp("Let pages of this one origin call the API (CORS; off by default), e.g. https://rental.example.", valueName: "ORIGIN"))
    public var allowOrigin: String?
    @Option(name: .long, help: ArgumentHelp("Serve HTTPS with this certificate chain (PEM); needs --tls-key.", valueName: "FILE"))
    public var tlsCert: String?
    @Option(name: .long, help: ArgumentHelp("The TLS private key (PEM, unencrypted, mode 0600).", valueName: "FILE"))
    public var tlsKey: String?
    @Option(name: .long, help: ArgumentHelp("Verification requests per second per client (0: no limit).", valueName: "N"))
    public var clientRate: Double = 10
    @Option(name: .long, help: ArgumentHelp("Burst allowed per client above --client-rate.", valueName: "N"))
    public var clientBurst: Double = 30
    @Option(name: .long, help: ArgumentHelp("How often to check the trust, bundle, cache and status files for changes, e.g. 60s.", valueName: "DURATION"))
    public var reloadInterval: String = "60s"
    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "LEVEL"))
    public var logLevel: String = "info"

    public init() {}

    public func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        guard CounterProfile(rawValue: profile) != nil else { throw ValidationError("--profile '\(profile)' is not one of police, rental, insurer, employer") }
        guard let interval = DurationText.seconds(reloadInterval), (1...86_400).contains(interval) else {
            throw ValidationError("--reload-interval '\(reloadInterval)' must be a duration from 1s to 1d")
        }
        guard clientRate >= 0, clientRate.isFinite, clientBurst >= 1, clientBurst.isFinite else {
            throw ValidationError("--client-rate must be 0 or more, and --client-burst 1 or more")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical") }
        if let allowOrigin {
            guard let url = URL(string: allowOrigin), ["http", "https"].contains(url.scheme ?? ""), url.host != nil, url.path.isEmpty || url.path == "/" else {
                throw ValidationError("--allow-origin '\(allowOrigin)' is not an origin such as https://rental.example")
            }
        }
        do { _ = try ListenAddress(parsing: listen) } catch { throw ValidationError("--listen: \(error.description)") }
    }

    public func execute(console: Console) -> Int32 {
        // The service's own logger (no process-wide bootstrap: the command also runs in tests).
        var logger = Logger(label: "dl-verify.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel)!
        var options = CounterOptions()
        options.profile = CounterProfile(rawValue: profile)!
        options.clientRate = clientRate
        options.clientBurst = clientBurst
        options.reloadInterval = DurationText.seconds(reloadInterval)!
        options.allowedOrigin = allowOrigin.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        if let apiTokens {
            do { options.apiTokens = try APITokens.load(file: apiTokens) } catch {
                console.err("dl-verify serve: \(error)")
                return usageExitCode
            }
            if options.apiTokens?.labels.isEmpty == true {
                console.err("dl-verify serve: --api-tokens \(apiTokens) holds no token: add one with 'dl-verify token --file \(apiTokens) --label NAME'")
                return usageExitCode
            }
        }
        let service: CounterService
        do { service = try CounterService(sources: verification.sources, options: options, verifierOptions: verification.verifierOptions, logger: logger) } catch {
            console.err("dl-verify serve: \(verification.explain(error))")
            return usageExitCode
        }
        for warning in service.warnings { console.err("dl-verify serve: warning: \(warning)") }
        let stopped: (any Error)?
        do {
            let address = try ListenAddress(parsing: listen)
            let tls = tlsCert.map { TLSFiles(certificateChain: $0, privateKey: tlsKey!) }
            let scheme = tls == nil ? "http" : "https"
            let profile = options.profile.rawValue
            stopped = try ServiceRunner.runUntilSignalled(router: service.router(), direct: service.directRoutes(), address: address, tls: tls,
                                                          services: service.services,
                                                          logger: logger) { bound in
                console.out("Serving the \(profile) counter on \(scheme)://\(bound)/")
            }
        } catch {
            console.err("dl-verify serve: \(error)")
            return usageExitCode
        }
        if let stopped {
            console.err("dl-verify serve: \(ServiceRunner.explain(stopped, address: listen))")
            return 1
        }
        console.out("Stopped.")
        return 0
    }
}

/// `dl-verify token --file F --label NAME`: makes an API token for `dl-verify serve --api-tokens F`.
public struct TokenCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dl-verify token",
        abstract: "Make an API token for 'dl-verify serve --api-tokens FILE': the token is printed once, its SHA-256 added to FILE.",
        discussion: "The file (mode 0600) holds one 'sha256:<hex> <label>' line per token; delete a line to withdraw its token (the service reloads the file when restarted).")

    @Option(name: .long, help: ArgumentHelp("The token file (made if missing).", valueName: "FILE")) public var file: String
    @Option(name: .long, help: ArgumentHelp("Who the token is for, e.g. desk-3 (letters, digits, '.', '_', '-', '@').", valueName: "NAME")) public var label: String

    public init() {}

    public func execute(console: Console) -> Int32 {
        do {
            let made = try APITokens.make(label: label)
            try APITokens.append(made.line, to: file)
            console.out(made.token)
            return 0
        } catch {
            console.err("dl-verify token: \(error)")
            return usageExitCode
        }
    }
}
