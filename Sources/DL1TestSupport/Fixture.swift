import DL1Crypto
import DL1Format
import DL1Verifier
import Foundation

/// One throw-away PKI and a fixed clock for every test: no test reads the wall clock.
public enum Fixture {
    /// 2026-06-01T12:00:00Z.
    public static let now: Int64 = CalendarDate(iso8601: "2026-06-01")!.startOfDayUTC + 12 * 3600
    public static let day: Int64 = 86_400

    public static let pki: TestPKI = try! TestPKI(rootFrom: now - 400 * day, signerFrom: now - 100 * day, signerUntil: now + 265 * day)
    public static let factory = CodeFactory(now: now)

    /// A verifier trusting `pki`, with a fresh all-VALID status list unless told otherwise.
    public static func verifier(trust: TrustStore? = nil, tokens: [[UInt8]]? = nil, allowUnknown: Bool = false) throws -> Verifier {
        let raw = try tokens ?? [factory.statusToken(signer: pki.signer)]
        let parsed = try raw.map { try StatusListToken(bytes: $0) }
        return Verifier(trustStore: trust ?? pki.trustStore(), statusTokens: parsed,
                        options: .init(allowUnknownStatus: allowUnknown, clock: { now }))
    }

    /// A correctly signed code with default claims.
    public static func goodCode(_ claims: DL1Claims? = nil) throws -> String {
        try factory.text(claims ?? factory.claims(), signer: pki.signer)
    }

    /// A new empty folder, inside this process's folder of test files (removed when the
    /// process exits).
    public static func temporaryFolder() -> URL {
        let url = processFolder.appendingPathComponent(UUID().uuidString)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every file the tests make lives in one folder per test process, removed by an exit
    /// handler: a run leaves nothing in the temporary directory (a crashed run leaves this one
    /// folder, named after its process).
    public static let processFolder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dl1-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: Fixture.processFolder) }
        return url
    }()
}
