import DL1Format
import DL1Issuer
import DL1TestSupport
import DL1Verifier
import Foundation

/// A clock a test moves forward (or back).
public final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64
    public init(_ start: Int64) { value = start }
    public var now: Int64 { lock.lock(); defer { lock.unlock() }; return value }
    public func advance(_ seconds: Int64) { lock.lock(); value += seconds; lock.unlock() }
}

/// An issuer made through the library on a test clock, with its trust store.
public struct IssuerWorld {
    public let folder: URL
    public let issuer: Issuer
    public let clock: TestClock
    public let trust: TrustStore

    /// A fresh issuer (CN-31) with lists of `capacity` entries, at ``Fixture/now``, its registry
    /// on `engine` (for PostgreSQL, a fresh database on the test server).
    public static func make(capacity: Int = 1000, engine: TestEngine = .sqlite) throws -> IssuerWorld {
        let folder = Fixture.temporaryFolder()
        let clock = TestClock(Fixture.now)
        var settings = IssuerSettings(country: "CN", authorityCode: "CN-31", authorityName: "上海市公安局交通警察总队",
                                      statusURIBase: "https://dl.example/CN-31/status", statusListCapacity: capacity)
        if engine == .postgres {
            settings.registryAddress = try TestPostgres.freshDatabase().url
            settings.registryPasswordFile = try TestPostgres.passwordFile(in: folder)
        }
        let issuer = try Issuer.create(at: folder.appendingPathComponent("issuer"), settings: settings, clock: { clock.now })
        return IssuerWorld(folder: folder, issuer: issuer, clock: clock, trust: try TrustStore.load(directory: issuer.directory.trustFolder))
    }

    /// A verifier holding the status lists as they would be published now.
    public func verifier() throws -> Verifier {
        let tokens = try issuer.statusListTokens().map { try StatusListToken(bytes: $0.token) }
        let clock = self.clock
        return Verifier(trustStore: trust, statusTokens: tokens, options: .init(clock: { clock.now }))
    }

    /// The verdict for `code` (with the lists as of now unless a verifier is given).
    public func verify(_ code: IssuedCode, with verifier: Verifier? = nil) throws -> Verdict {
        try (verifier ?? self.verifier()).verify(text: code.text).verdict
    }

    /// A licence with the given document number, issued 2020-05-01.
    public static func licence(_ number: String = "310101199001011234") -> Licence {
        var l = Fixture.factory.licence()
        l.documentNumber = number
        l.issueDate = CalendarDate(iso8601: "2020-05-01")!
        return l
    }
}
