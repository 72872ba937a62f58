import ArgumentParser
import DL1Crypto
import DL1Format
import DL1Issuer
import DL1PKCS11
import DL1TestSupport
import Foundation

/// `dl1-bench signing`: codes signed per second with a key in memory and with a key in a
/// SoftHSM2 token (PKCS#11), in the same run.
struct SigningBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "signing",
                                                    abstract: "Codes signed per second: file key vs PKCS#11 (SoftHSM2) key.")

    @Option(help: "Codes per measurement.") var codes = 5000

    func run() throws {
        let factory = CodeFactory(now: 1_790_000_000)
        let payload = factory.claims().encoded
        let fileKey = try P256PrivateKey()
        func measure(_ name: String, _ key: any RawSigner) throws {
            let kid = Array(SHA256.hash(key.publicKey.spkiDER).prefix(8))
            let start = Date()
            for _ in 0..<codes {
                let prepared = CodeSigner.prepare(payload: payload, kid: kid)
                let signature = try key.sign(prepared.toBeSigned)
                _ = CodeSigner.complete(protectedHeader: prepared.protectedHeader, payload: payload, signature: signature)
            }
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "%-28@ %8.0f codes/s  (%d codes in %.2f s)", name as NSString, Double(codes) / seconds, codes, seconds))
        }
        try measure("file key (OpenSSL)", fileKey)
        guard let module = SoftHSMFixture.module, let label = SoftHSMFixture.token("dl1-crypto") else {
            print("SoftHSM2 not installed: PKCS#11 not measured")
            return
        }
        let token = try PKCS11Token(modulePath: module, tokenLabel: label, pin: SoftHSMFixture.pin)
        try measure("PKCS#11 key (SoftHSM2)", try token.generateKey(label: "bench-\(UUID().uuidString)"))
    }
}
