import ArgumentParser
import DL1CommandSupport
import DL1HTTPServer
import DL1IssueServer
import DL1Issuer
import Foundation
import Logging

/// `dl-issue serve`: the issuing service over HTTP.
public struct ServeCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve status lists, the handheld bundle and trust files, and enrol and refresh holders' devices, over HTTP.",
        discussion: """
            Status lists are served at the path of their URI; the bundle at /v1/bundle; trust files under /v1/trust; \
            enrolment and refresh at /v1/challenges, /v1/enrolments and /v1/refresh; metrics at /metrics. \
            Stops gracefully on SIGTERM or SIGINT. See man dl-issue and openapi/dl-issue-serve.json.
            """)

    @OptionGroup public var issuerOption: IssuerOption
    @Option(name: .long, help: ArgumentHelp("Where to listen: HOST:PORT, or [IPv6]:PORT (port 0 picks a free one).", valueName: "HOST:PORT"))
    public var listen: String = "127.0.0.1:8080"
    @Option(name: .long, help: ArgumentHelp("The URL clients reach this service at (behind a reverse proxy, its public address); status list URIs should start with it.", valueName: "URL"))
    public var publicBaseUrl: String?
    @Option(name: .long, help: ArgumentHelp("Serve HTTPS with this certificate chain (PEM); needs --tls-key.", valueName: "FILE"))
    public var tlsCert: String?
    @Option(name: .long, help: ArgumentHelp("The TLS private key (PEM, unencrypted, mode 0600).", valueName: "FILE"))
    public var tlsKey: String?
    @Option(name: .long, help: ArgumentHelp("How often to check the registry for changes to publish, e.g. 60s (the longest a change waits).", valueName: "DURATION"))
    public var publishInterval: String = "60s"
    @Option(name: .long, help: ArgumentHelp("Lifetime of the bound credentials given at enrolment and refresh, e.g. 7d.", valueName: "DURATION"))
    public var credentialLifetime: String = "7d"
    @Option(name: .long, help: ArgumentHelp("Requests per second per client on challenges, enrolment and refresh (0: no limit).", valueName: "N"))
    public var clientRate: Double = 1
    @Option(name: .long, help: ArgumentHelp("Burst allowed per client above --client-rate.", valueName: "N"))
    public var clientBurst: Double = 10
    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "LEVEL"))
    public var logLevel: String = "info"

    public init() {}

    public func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        guard let interval = OutputOptions.parseDuration(publishInterval), (1...3600).contains(interval) else {
            throw ValidationError("--publish-interval '\(publishInterval)' must be a duration from 1s to 1h")
        }
        guard let lifetime = OutputOptions.parseDuration(credentialLifetime), (60...90 * 86_400).contains(lifetime) else {
            throw ValidationError("--credential-lifetime '\(credentialLifetime)' must be a duration from 1m to 90d")
        }
        guard clientRate >= 0, clientRate.isFinite, clientBurst >= 1, clientBurst.isFinite else {
            throw ValidationError("--client-rate must be 0 or more, and --client-burst 1 or more")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical") }
        if let publicBaseUrl {
            guard let url = URL(string: publicBaseUrl), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("--public-base-url '\(publicBaseUrl)' is not an http or https URL")
            }
        }
        do { _ = try ListenAddress(parsing: listen) } catch { throw ValidationError("--listen: \(error.description)") }
    }

    public func execute(console: Console) -> Int32 {
        let level = Logger.Level(rawValue: logLevel)!
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "dl-issue.serve")
        var options = IssueServiceOptions()
        options.publishInterval = OutputOptions.parseDuration(publishInterval)!
        options.credentialLifetime = OutputOptions.parseDuration(credentialLifetime)!
        options.clientRate = clientRate
        options.clientBurst = clientBurst
        var code: Int32 = 0
        let status = IssuerCommand.run("serve", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            if let publicBaseUrl, let base = URL(string: publicBaseUrl),
               !issuer.settings.statusURIBase.hasPrefix(base.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/"))) {
                console.err("dl-issue serve: warning: status list URIs start with \(issuer.settings.statusURIBase), not with --public-base-url \(publicBaseUrl): codes point verifiers elsewhere")
            }
            let service = try IssueService(issuer: issuer, options: options, logger: logger)
            try service.publishNow()
            let stopped: (any Error)?
            do {
                let address = try ListenAddress(parsing: listen)
                let tls = tlsCert.map { TLSFiles(certificateChain: $0, privateKey: tlsKey!) }
                let scheme = tls == nil ? "http" : "https"
                let authority = issuer.settings.authorityCode
                let publicNote = publicBaseUrl.map { " (public: \($0))" } ?? ""
                stopped = try ServiceRunner.runUntilSignalled(router: service.router(), direct: service.directRoutes(), address: address, tls: tls,
                                                              services: service.services, logger: logger) { bound in
                    console.out("Serving \(authority) on \(scheme)://\(bound)\(publicNote)")
                }
            } catch {
                console.err("dl-issue serve: \(error)")
                code = usageExitCode
                return
            }
            if let stopped {
                console.err("dl-issue serve: \(ServiceRunner.explain(stopped, address: listen))")
                code = 1
                return
            }
            console.out("Stopped.")
        }
        return status != 0 ? status : code
    }
}
