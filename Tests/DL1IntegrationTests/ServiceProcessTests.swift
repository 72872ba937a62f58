import DL1Crypto
import DL1Format
@testable import DL1Issuer
import DL1ServiceAPI
import DL1ServiceClient
import DL1TestSupport
import DL1Verifier
import Foundation
import Testing

/// `dl-issue serve` as a real process: HTTPS natively and behind nginx, the whole loop with
/// `dl-wallet` and `dl-verify sync`, graceful stop on SIGTERM, and kill -9 during refreshes.
@Suite("The issuing service as a process", .serialized, .tags(.slow))
struct ServiceProcessTests {
    static func binary(_ name: String) throws -> URL {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug").standardizedFileURL]
        return try #require(candidates.map { $0.appendingPathComponent(name) }.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                            "\(name) is not built next to the tests: run 'swift build --build-tests'")
    }

    /// Runs a command to its end; its exit status and output.
    @discardableResult
    static func run(_ executable: URL, _ arguments: [String], input: String? = nil) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let input {
            let pipe = Pipe()
            process.standardInput = pipe
            pipe.fileHandleForWriting.write(Data(input.utf8))
            try pipe.fileHandleForWriting.close()
        }
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    static func tool(_ name: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        try run(try binary(name), arguments)
    }

    /// A running `dl-issue serve` and the base URL it printed.
    final class Server {
        let process: Process
        let baseURL: String
        let output: Pipe

        init(_ arguments: [String]) throws {
            process = Process()
            process.executableURL = try ServiceProcessTests.binary("dl-issue")
            process.arguments = ["serve", "--listen", "127.0.0.1:0", "--log-level", "error"] + arguments
            output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            var line = ""
            while !line.hasSuffix("\n") {
                let byte = output.fileHandleForReading.readData(ofLength: 1)
                if byte.isEmpty { break }
                line += String(decoding: byte, as: UTF8.self)
            }
            guard let range = line.range(of: "://") else {
                process.terminate()
                throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "dl-issue serve did not start: '\(line)'"])
            }
            let scheme = line[..<range.lowerBound].split(separator: " ").last!
            let address = line[range.upperBound...].split(separator: " ").first!.trimmingCharacters(in: .whitespacesAndNewlines)
            baseURL = "\(scheme)://\(address)"
        }

        var port: String { String(baseURL.split(separator: ":").last!) }

        /// SIGTERM, then the exit status and the rest of standard output.
        func stop() -> (Int32, String) {
            process.terminate()
            let rest = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: rest, as: UTF8.self))
        }
    }

    /// An issuer with one licence and an open enrolment code; its folder and the code.
    static func issuerWithCode(_ folder: URL, number: String = "310101199001011234") throws -> (issuer: String, code: String) {
        let issuer = folder.appendingPathComponent("issuer").path
        #expect(try tool("dl-issue", ["init", issuer, "--country", "CN", "--authority-code", "CN-31", "--authority-name", "Test",
                                      "--public-base-url", "https://dl.example.cn"]).status == 0)
        try Data("portrait".utf8).write(to: folder.appendingPathComponent("p.jpg"))
        #expect(try tool("dl-issue", ["issue", "--issuer", issuer, "--document-number", number, "--family-name", "张", "--birth-date", "1990-01-01",
                                      "--expiry-date", "2032-05-01", "--category", "C1:2020-05-01", "--points", "12/12",
                                      "--portrait", folder.appendingPathComponent("p.jpg").path,
                                      "--output", folder.appendingPathComponent("card.txt").path]).status == 0)
        let code = try tool("dl-issue", ["enrol-code", number, "--issuer", issuer])
        #expect(code.status == 0)
        return (issuer, code.out.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A self-signed certificate for 127.0.0.1 (openssl), and its key.
    static func tlsFiles(_ folder: URL) throws -> (cert: String, key: String) {
        let cert = folder.appendingPathComponent("tls.pem").path, key = folder.appendingPathComponent("tls.key").path
        let made = try run(URL(fileURLWithPath: "/usr/bin/openssl"),
                           ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert])
        #expect(made.status == 0, "\(made.err)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        return (cert, key)
    }

    @Test("HTTPS natively: enrol, points, refresh, sync, revoke, sync again and see REVOKED offline; SIGTERM stops it cleanly")
    func wholeLoopOverTLS() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (issuer, code) = try Self.issuerWithCode(folder)
        let (cert, key) = try Self.tlsFiles(folder)
        let server = try Server(["--issuer", issuer, "--tls-cert", cert, "--tls-key", key, "--publish-interval", "1s"])
        #expect(server.baseURL.hasPrefix("https://127.0.0.1:"))
        let wallet = folder.appendingPathComponent("wallet").path
        #expect(try Self.tool("dl-wallet", ["init", wallet]).status == 0)

        // Without the CA, the service's certificate is not trusted: nothing is sent.
        let untrusted = try Self.tool("dl-wallet", ["enrol", wallet, "--server", server.baseURL, "--code", code])
        #expect(untrusted.status == 2 && untrusted.err.contains("cannot reach"))

        let enrolled = try Self.tool("dl-wallet", ["enrol", wallet, "--server", server.baseURL, "--ca", cert, "--code", code,
                                                   "--trust", issuer + "/trust"])
        #expect(enrolled.status == 0 && enrolled.out.contains("Enrolled") && enrolled.out.contains("12/12 points"), "\(enrolled)")
        #expect(try Self.tool("dl-issue", ["points", "310101199001011234", "--deduct", "3", "--reason", "speeding", "--issuer", issuer,
                                           "--output", folder.appendingPathComponent("points.txt").path]).status == 0)
        let refreshed = try Self.tool("dl-wallet", ["refresh", wallet, "--server", server.baseURL, "--ca", cert])
        #expect(refreshed.status == 0 && refreshed.out.contains("9/12 points"), "\(refreshed)")

        let cache = folder.appendingPathComponent("handheld").path
        let sync = ["sync", "--from", server.baseURL, "--ca", cert, "--cache", cache, "--trust", issuer + "/trust", "--force"]
        #expect(try Self.tool("dl-verify", sync).status == 0)
        let presentation = folder.appendingPathComponent("p2.txt").path
        #expect(try Self.tool("dl-wallet", ["present", wallet, "--format", "txt", "--output", presentation]).status == 0)
        let text = try String(contentsOfFile: presentation, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let valid = try Self.tool("dl-verify", ["--trust", issuer + "/trust", "--cache", cache, "--text", text])
        #expect(valid.status == 0 && valid.out.hasPrefix("VALID") && valid.out.contains("9/12"), "\(valid)")

        #expect(try Self.tool("dl-issue", ["revoke", "310101199001011234", "--reason", "fraud", "--issuer", issuer]).status == 0)
        Thread.sleep(forTimeInterval: 2.5)  // one publication round
        #expect(try Self.tool("dl-verify", sync).status == 0)
        let revoked = try Self.tool("dl-verify", ["--trust", issuer + "/trust", "--cache", cache, "--text", text])
        #expect(revoked.status == 1 && revoked.out.hasPrefix("REVOKED"), "\(revoked)")
        let refused = try Self.tool("dl-wallet", ["refresh", wallet, "--server", server.baseURL, "--ca", cert])
        #expect(refused.status == 1 && refused.err.contains("credential-revoked"))

        let (status, rest) = server.stop()
        #expect(status == 0 && rest.contains("Stopped."))
    }

    @Test("Behind nginx as the TLS reverse proxy: enrolment and sync through it")
    func behindNginx() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("nginx is missing: scripts/setup installs it") }
            return
        }
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (issuer, code) = try Self.issuerWithCode(folder)
        let (cert, key) = try Self.tlsFiles(folder)
        let server = try Server(["--issuer", issuer, "--public-base-url", "https://dl.example.cn"])
        defer { _ = server.stop() }
        let port = try Self.freePort()
        let prefix = folder.appendingPathComponent("nginx")
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let configuration = """
            worker_processes 1;
            error_log \(prefix.path)/logs/error.log;
            pid \(prefix.path)/nginx.pid;
            events { worker_connections 64; }
            http {
              access_log off;
              client_body_temp_path \(prefix.path)/body; proxy_temp_path \(prefix.path)/proxy;
              fastcgi_temp_path \(prefix.path)/fcgi; uwsgi_temp_path \(prefix.path)/uwsgi; scgi_temp_path \(prefix.path)/scgi;
              server {
                listen 127.0.0.1:\(port) ssl;
                ssl_certificate \(cert); ssl_certificate_key \(key);
                client_max_body_size 16k;
                location / { proxy_pass \(server.baseURL); proxy_set_header X-Forwarded-Proto https; }
              }
            }
            """
        try Data(configuration.utf8).write(to: prefix.appendingPathComponent("nginx.conf"))
        let nginx = Process()
        nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        nginx.arguments = ["-p", prefix.path, "-c", prefix.appendingPathComponent("nginx.conf").path, "-g", "daemon off;"]
        nginx.standardError = FileHandle.nullDevice
        try nginx.run()
        defer { nginx.terminate(); nginx.waitUntilExit() }
        let proxy = "https://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<50 where !up {
            up = (try? Self.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-sf", "--cacert", cert, proxy + "/v1/health"]).status) == 0
            if !up { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(up, "nginx did not come up on \(proxy)")

        let wallet = folder.appendingPathComponent("wallet").path
        #expect(try Self.tool("dl-wallet", ["init", wallet]).status == 0)
        let enrolled = try Self.tool("dl-wallet", ["enrol", wallet, "--server", proxy, "--ca", cert, "--code", code])
        #expect(enrolled.status == 0, "\(enrolled)")
        let cache = folder.appendingPathComponent("handheld").path
        let synced = try Self.tool("dl-verify", ["sync", "--from", proxy, "--ca", cert, "--cache", cache, "--trust", issuer + "/trust"])
        #expect(synced.status == 0 && synced.out.contains("updated"), "\(synced)")
        // The status list is reachable at the path of its URI through the proxy, with its cache headers.
        let head = try Self.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "-D", "-", "-o", "/dev/null", "--cacert", cert, proxy + "/s/1"])
        #expect(head.out.contains("200") && head.out.lowercased().contains("etag:") && head.out.contains("application/statuslist+cwt"))
    }

    @Test("kill -9 during refreshes loses no registry write and leaves no half-published token")
    func killDuringRefreshes() async throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (issuer, code) = try Self.issuerWithCode(folder)
        let server = try Server(["--issuer", issuer, "--publish-interval", "1s", "--client-rate", "0"])
        let client = try ServiceClient(baseURL: server.baseURL, connectTimeout: .seconds(1))
        let device = try P256PrivateKey()
        let enrolled = try await client.enrol(code: code, device: device)
        let id = try #require(Hex.decode(enrolled.credentialId))

        // Refreshes (and points changes from the CLI, so lists change) until the kill.
        let answered = Counter()
        let refreshes = Task {
            while !Task.isCancelled {
                do {
                    _ = try await client.refresh(credentialID: id, device: device)
                    answered.add()
                } catch {
                    if let error = error as? ServiceClientError, error.code == .unreachable || error.code == .timeout { return }
                }
            }
        }
        for i in 0..<3 {
            _ = try Self.tool("dl-issue", ["points", "310101199001011234", "--deduct", "1", "--reason", "test \(i)", "--issuer", issuer,
                                           "--output", folder.appendingPathComponent("p\(i).txt").path])
        }
        // Kill while refreshes are being answered: at least one first (a loaded machine running
        // the whole suite can take over a second to answer the first one).
        for _ in 0..<100 where answered.value == 0 { try await Task.sleep(for: .milliseconds(100)) }
        try await Task.sleep(for: .milliseconds(300))
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
        refreshes.cancel()
        _ = await refreshes.value
        await client.shutdown()

        // Every answered refresh is in the registry's history; the registry and the publication
        // record are sound; the next start publishes without complaint.
        let opened = try Issuer.open(at: URL(fileURLWithPath: issuer))
        let refreshedEvents = try opened.history("310101199001011234").events.filter { $0.kind == "refreshed" }.count
        #expect(answered.value > 0)
        #expect(refreshedEvents >= answered.value, "\(answered.value) refreshes answered, \(refreshedEvents) recorded")
        let check = try Self.tool("dl-issue", ["check", "--issuer", issuer])
        #expect(check.status == 0, "\(check)")
        // Every published token is whole (written beside and renamed into place).
        for name in try FileManager.default.contentsOfDirectory(atPath: issuer + "/published") where name.hasSuffix(".cwt") {
            _ = try StatusListToken(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: issuer + "/published/" + name))))
        }
        let again = try Server(["--issuer", issuer])
        let (status, _) = again.stop()
        #expect(status == 0)
        // A temporary file the killed process left is cleared by the next publication.
        let published = try FileManager.default.contentsOfDirectory(atPath: issuer + "/published")
        #expect(!published.contains { $0.hasSuffix(".tmp") }, "half-written files left: \(published)")
    }

    static func freePort() throws -> Int {
        let answer = try run(URL(fileURLWithPath: "/usr/bin/python3"),
                             ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
        return try #require(Int(answer.out.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}

/// A count shared with a task.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
