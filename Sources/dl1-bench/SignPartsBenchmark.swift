import ArgumentParser
import DL1Compression
import DL1Crypto
import DL1Format
import DL1Issuer
import DL1TestSupport
import DL1Verifier
import Foundation

/// `dl1-bench sign-parts`: microseconds per step of signing one code (where issuance's time goes).
struct SignPartsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sign-parts", abstract: "Microseconds per step of signing one code.")
    @Option(help: "Repetitions.") var count = 5000

    func run() throws {
        let key = try P256PrivateKey()
        var licence = CodeFactory(now: 0).licence()
        licence.issueDate = CalendarDate(iso8601: "2020-05-01")!
        let claims = DL1Claims(issuer: "CN-31", issuedAt: 1_800_000_000, expiresAt: 1_800_086_400, credentialID: SecureRandom.bytes(16),
                               status: StatusReference(index: 12345, uri: "https://dl.example/CN-31/status/1"), licence: licence)
        let payload = claims.encoded
        let kid = SecureRandom.bytes(8)
        let prepared = CodeSigner.prepare(payload: payload, kid: kid)
        let signature = try key.sign(prepared.toBeSigned)
        let cose = CodeSigner.complete(protectedHeader: prepared.protectedHeader, payload: payload, signature: signature)
        let compressed = Zlib.compress(cose)
        let n = Double(count)
        var rows: [(String, Double)] = []
        rows.append(("claims_encode_us", try BenchSupport.time { for _ in 0..<count { _ = claims.encoded } } / n * 1e6))
        rows.append(("prepare_us", BenchSupport.time { for _ in 0..<count { _ = CodeSigner.prepare(payload: payload, kid: kid) } } / n * 1e6))
        rows.append(("sha256_us", BenchSupport.time { for _ in 0..<count { _ = SHA256.hash(prepared.toBeSigned) } } / n * 1e6))
        rows.append(("ecdsa_sign_us", try BenchSupport.time { for _ in 0..<count { _ = try key.sign(prepared.toBeSigned) } } / n * 1e6))
        rows.append(("complete_us", BenchSupport.time { for _ in 0..<count { _ = CodeSigner.complete(protectedHeader: prepared.protectedHeader, payload: payload, signature: signature) } } / n * 1e6))
        rows.append(("zlib_us", BenchSupport.time { for _ in 0..<count { _ = Zlib.compress(cose) } } / n * 1e6))
        rows.append(("base45_us", BenchSupport.time { for _ in 0..<count { _ = Base45.encode(compressed) } } / n * 1e6))
        rows.append(("text_us", BenchSupport.time { for _ in 0..<count { _ = DecodedCode.text(coseBytes: cose) } } / n * 1e6))
        for (name, value) in rows { print(name, String(format: "%.1f", value)) }
    }
}
