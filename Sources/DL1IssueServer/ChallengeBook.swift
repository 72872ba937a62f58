import DL1Crypto
import DL1ServiceAPI
import Foundation

/// Single-use, short-lived challenges without a database write: a challenge carries its
/// purpose, its expiry and a random nonce, authenticated with HMAC-SHA-256 under the service's
/// key (`private/service.key`, shared by every instance that serves the same issuer folder).
/// A redeemed nonce is remembered until the challenge expires, so it works once per instance;
/// what a replay on another instance could get is a credential bound to a key the replayer
/// does not hold.
///
/// Layout (42 bytes): version 1 ‖ purpose (0 enrol, 1 refresh, 2 application) ‖ expiry (8 bytes, big-endian)
/// ‖ nonce (16) ‖ tag (the first 16 bytes of the HMAC over the 26 bytes before it).
final class ChallengeBook: @unchecked Sendable {
    static let size = 42
    let key: [UInt8]
    let lifetime: Int64
    private let lock = NSLock()
    private var used: [[UInt8]: Int64] = [:]
    private var lastPurge: Int64 = .min

    init(key: [UInt8], lifetime: Int64) {
        self.key = key
        self.lifetime = lifetime
    }

    func issue(_ purpose: ChallengePurpose, at now: Int64) -> ChallengeResponse {
        let expiresAt = now + lifetime
        var bytes: [UInt8] = [1, Self.byte(purpose)]
        bytes += (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(bitPattern: expiresAt) >> (UInt64($0) * 8)) }
        bytes += SecureRandom.bytes(16)
        bytes += HMACSHA256.authenticationCode(for: bytes, key: key).prefix(16)
        return ChallengeResponse(challenge: Base64URL.encode(bytes), purpose: purpose, expiresAt: expiresAt)
    }

    /// The challenge's bytes, once: refused when it is not this service's, is for another
    /// purpose, has expired or was redeemed before.
    func redeem(_ text: String, for purpose: ChallengePurpose, at now: Int64) throws(Problem) -> [UInt8] {
        guard let bytes = Base64URL.decode(text, limit: Self.size), bytes.count == Self.size, bytes[0] == 1,
              HMACSHA256.isValid(Array(bytes[26...]), for: Array(bytes[..<26]), key: key, truncatedTo: 16) else {
            throw Problem(.challengeInvalid, status: 400, detail: "the challenge was not made by this service (ask \(ServicePath.challenges) for one)")
        }
        guard bytes[1] == Self.byte(purpose) else {
            let made = ChallengePurpose.allCases.first { Self.byte($0) == bytes[1] }?.rawValue ?? "something else"
            throw Problem(.challengeInvalid, status: 400, detail: "the challenge was made for \(made), not for \(purpose.rawValue)")
        }
        let expiresAt = Int64(bitPattern: bytes[2..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        guard now <= expiresAt else {
            throw Problem(.challengeExpired, status: 400, detail: "the challenge expired \(now - expiresAt) s ago: ask for a new one")
        }
        let nonce = Array(bytes[10..<26])
        lock.lock()
        defer { lock.unlock() }
        guard used[nonce] == nil else { throw Problem(.challengeUsed, status: 400, detail: "the challenge was already used: ask for a new one") }
        // Expired nonces are dropped at most once a second; the set is bounded.
        if used.count >= 10_000, now > lastPurge {
            used = used.filter { $0.value >= now }
            lastPurge = now
        }
        guard used.count < Self.maxRemembered else {
            throw Problem(.unavailable, status: 503, detail: "too many challenges in flight: try again shortly")
        }
        used[nonce] = expiresAt
        return bytes
    }

    /// The most redeemed nonces remembered at once (each until its challenge expires).
    static let maxRemembered = 1_000_000

    static func byte(_ purpose: ChallengePurpose) -> UInt8 {
        switch purpose {
        case .enrol: 0
        case .refresh: 1
        case .application: 2
        }
    }

    /// The service key in `file`, made (32 random bytes, mode 0600) when missing.
    static func loadKey(_ file: URL) throws -> [UInt8] {
        let fm = FileManager.default
        if let data = fm.contents(atPath: file.path) {
            guard data.count == 32 else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: file.path]) }
            return [UInt8](data)
        }
        let key = SecureRandom.bytes(32)
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".service.key-\(UUID().uuidString)")
        guard fm.createFile(atPath: temporary.path, contents: Data(key), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: file.path])
        }
        // Another instance may have made one meanwhile: the first one stays.
        do { try fm.linkItem(at: temporary, to: file) } catch {}
        try? fm.removeItem(at: temporary)
        guard let data = fm.contents(atPath: file.path), data.count == 32 else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: file.path])
        }
        return [UInt8](data)
    }
}
