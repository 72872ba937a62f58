import DL1Crypto
import DL1Format
import DL1Verifier

/// A one-time enrolment code for a licence, as the authority hands it to the holder.
public struct EnrolmentCode: Sendable, Hashable {
    /// The code, e.g. `7KQ2-M9XD-PT4H-0RWB`: 16 Crockford base32 characters, a public lookup
    /// part of 6 (30 bits) and a secret part of 10 (50 bits).
    public let code: String
    public let documentNumber: String
    public let expiresAt: Int64
}

/// Enrolment (a holder's device gets a credential bound to its key, with a code the authority
/// gave the holder) and the device's refresh of its bound credential. The service checks the
/// device's proof of possession; these check the licence, the code and the credential.
extension Issuer {
    /// Wrong tries before an enrolment code is withdrawn.
    public static let enrolmentCodeMaxFailures = 5
    /// How long an enrolment code stays valid by default.
    public static let defaultEnrolmentValidity: Int64 = 72 * 3600
    /// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or typed survives.
    static let codeAlphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// Opens an enrolment for licence `number`: a new code, valid for `validFor` seconds (one
    /// minute to 30 days), replacing an open one. Only the code's salted digest is kept. The
    /// licence must be VALID and not expired.
    public func openEnrolment(_ number: String, validFor: Int64 = defaultEnrolmentValidity) throws(IssuerError) -> EnrolmentCode {
        guard validFor >= 60, validFor <= 30 * 86_400 else {
            throw IssuerError(.enrolmentValidityOutOfRange, "an enrolment code is valid between one minute and 30 days, not \(validFor) seconds")
        }
        let now = clock()
        let current = try enrollableCredential(number, at: now)
        let secret = Self.randomCode(10)
        let salt = SecureRandom.bytes(16)
        let lookup = try registry.openEnrolment(cti: current.credentialID, number: number, lookup: { Self.randomCode(6) }, salt: salt,
                                                digest: Self.codeDigest(salt: salt, secret: secret), at: now, expiresAt: now + validFor)
        let code = lookup + secret
        let grouped = stride(from: 0, to: 16, by: 4).map { String(code.dropFirst($0).prefix(4)) }.joined(separator: "-")
        return EnrolmentCode(code: grouped, documentNumber: number, expiresAt: now + validFor)
    }

    /// Enrols a device: finds the licence whose open enrolment code `code` is, checks the code
    /// (a wrong one counts against its tries), then issues a new credential bound to
    /// `holderKey`, which supersedes the licence's current one (so codes shown from another
    /// device become SUPERSEDED). With a new `portrait`, the code is spent on an application
    /// that waits for an officer (``approveApplication(_:lifetime:)``) instead.
    public func enrol(code: String, holderKey: HolderKey, portrait: [UInt8]? = nil, lifetime: CodeLifetime) throws(IssuerError) -> EnrolmentOutcome {
        if let portrait {
            guard !portrait.isEmpty, portrait.count <= Self.maxPortraitBytes else {
                throw IssuerError(.portraitInvalid, "a portrait must be 1 byte to \(Self.maxPortraitBytes / 1024) KiB, not \(portrait.count) bytes")
            }
            guard portrait.starts(with: [0xFF, 0xD8, 0xFF]) || portrait.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
                throw IssuerError(.portraitInvalid, "a portrait must be a JPEG or PNG file")
            }
        }
        let (number, spent) = try redeem(code)
        do {
            guard let portrait else { return .issued(try reissue(number, lifetime: lifetime, output: nil, holderKey: holderKey)) }
            return .applied(try registry.addApplication(id: Hex.encode(SecureRandom.bytes(16)), number: number, deviceKey: holderKey,
                                                        portrait: portrait, at: clock()))
        } catch {
            try? restore(spent)
            throw error
        }
    }

    /// Checks an enrolment code and spends it: the licence's document number, and the code as
    /// it was (to put back should the enrolment fail). The secret is checked before anything
    /// about the licence is said, so that only the code's holder learns of its state; a code
    /// whose licence cannot enrol now (suspended, say) is put back.
    func redeem(_ code: String) throws(IssuerError) -> (String, Registry.SpentCode) {
        let presented = Self.normalize(code)
        guard presented.utf8.count == 16, presented.utf8.allSatisfy(Self.codeAlphabet.contains) else {
            throw IssuerError(.noEnrolmentCode, "an enrolment code is 16 letters and digits (e.g. 7KQ2-M9XD-PT4H-0RWB)")
        }
        let lookup = String(presented.prefix(6)), secret = String(presented.dropFirst(6))
        guard let number = try registry.enrolmentLicence(lookup: lookup) else {
            throw IssuerError(.noEnrolmentCode, "no enrolment code \(lookup.prefix(4))-\(lookup.dropFirst(4))… is open: it was never given, was used, or was withdrawn")
        }
        let now = clock()
        let cti = try registry.credentials(documentNumber: number).last?.credentialID ?? []
        let outcome = try registry.checkEnrolmentCode(lookup: lookup, number: number, cti: cti, at: now,
                                                      maxFailures: Self.enrolmentCodeMaxFailures) { salt, digest in
            Self.constantTimeEqual(Self.codeDigest(salt: salt, secret: secret), digest)
        }
        switch outcome {
        case .accepted(let spent):
            do { _ = try enrollableCredential(number, at: now) } catch {
                try? restore(spent)
                throw error
            }
            return (number, spent)
        case .wrong(let left):
            throw IssuerError(.enrolmentCodeWrong, "the enrolment code is wrong (\(left) tries left before it is withdrawn)")
        case .locked:
            throw IssuerError(.enrolmentCodeLocked, "the enrolment code was withdrawn after \(Self.enrolmentCodeMaxFailures) wrong tries: the authority must give a new one")
        case .expired(let at):
            throw IssuerError(.enrolmentCodeExpired, "the enrolment code expired on \(Instant.iso(at)): the authority must give a new one")
        case .none:
            throw IssuerError(.noEnrolmentCode, "the enrolment code is no longer open (used or withdrawn meanwhile)")
        }
    }

    /// Puts a spent code back.
    func restore(_ spent: Registry.SpentCode) throws(IssuerError) {
        let cti = try registry.credentials(documentNumber: spent.number).last?.credentialID ?? []
        try registry.restoreEnrolmentCode(spent, cti: cti, at: clock())
    }

    /// The bound credential with id `credentialID`, whatever its status (the service checks the
    /// device's proof against its key before it says more).
    public func boundCredential(_ credentialID: [UInt8]) throws(IssuerError) -> CredentialRecord {
        guard let record = try registry.credential(credentialID) else {
            throw IssuerError(.unknownCredential, "no credential has the id \(Hex.encode(credentialID))")
        }
        guard record.holderKey != nil else {
            throw IssuerError(.credentialNotBound, "the credential \(Hex.encode(credentialID)) is not bound to a device")
        }
        return record
    }

    /// A fresh code of the bound credential `credentialID` (same cti and status entry) with the
    /// licence's live data, as a device that proved its key receives: refused with the reason
    /// when the credential is superseded, revoked or suspended, or the licence has expired.
    public func refreshBound(_ credentialID: [UInt8], lifetime: CodeLifetime) throws(IssuerError) -> IssuedCode {
        try refreshBound(try boundCredential(credentialID), lifetime: lifetime)
    }

    /// The same for a credential record just read (``boundCredential(_:)``), so that a service
    /// that read it to check the device's proof does not read it again. The commit checks that
    /// it is still VALID.
    public func refreshBound(_ record: CredentialRecord, lifetime: CodeLifetime, retry: Bool = true) throws(IssuerError) -> IssuedCode {
        let credentialID = record.credentialID
        let id = Hex.encode(credentialID)
        switch record.status {
        case .superseded:
            throw IssuerError(.credentialSuperseded, "the credential \(id) was superseded by a newer credential of licence \(record.documentNumber)")
        case .invalid:
            throw IssuerError(.licenceRevoked, "the credential \(id) is revoked")
        case .suspended:
            throw IssuerError(.licenceSuspended, "the licence \(record.documentNumber) is suspended")
        case .valid:
            break
        }
        guard record.state == .written else {
            throw IssuerError(.credentialSuperseded, "the credential \(id) is not the live credential of licence \(record.documentNumber)")
        }
        let iat = clock()
        guard record.licence.expiryDate >= CalendarDate(utcDayOf: iat) else {
            throw IssuerError(.licenceExpired, "the licence \(record.documentNumber) expired on \(record.licence.expiryDate)")
        }
        // A VALID, written credential is its licence's live one (the registry holds one live
        // credential per document number). Its write is committed with other refreshes'.
        let exp = try expiry(for: lifetime, licence: record.licence, iat: iat)
        let signer = try signer(for: try authority(of: record.licence).code)
        try checkSigner(signer, at: iat)
        let code = try makeCode(credentialID: credentialID, list: record.list, index: record.index, licence: record.licence,
                                holderKey: record.holderKey, iat: iat, exp: exp, output: nil)
        do {
            try refreshCommits.commit(.init(cti: credentialID, signerKid: signer.kid, iat: iat, exp: exp,
                                            detail: "code valid until \(Instant.iso(exp)) (device refresh)", expectedIat: record.issuedAt),
                                      with: registry)
        } catch where error.code == .changedMeanwhile && retry {
            // Points changed, or another refresh came first: once more, from what is there now.
            return try refreshBound(try boundCredential(credentialID), lifetime: lifetime, retry: false)
        }
        return code
    }

    /// The live VALID credential of an unexpired licence.
    func enrollableCredential(_ number: String, at now: Int64) throws(IssuerError) -> CredentialRecord {
        let current = try validCredential(number, for: "enrol or refresh a device")
        guard current.licence.expiryDate >= CalendarDate(utcDayOf: now) else {
            throw IssuerError(.licenceExpired, "the licence \(number) expired on \(current.licence.expiryDate)")
        }
        return current
    }

    /// The code as typed, in canonical form: capitals, no separators, Crockford's look-alikes
    /// (O → 0, I and L → 1) mapped.
    static func normalize(_ code: String) -> String {
        String(String.UnicodeScalarView(code.uppercased().unicodeScalars.compactMap { scalar -> Unicode.Scalar? in
            switch scalar {
            case "-", " ": nil
            case "O": "0"
            case "I", "L": "1"
            default: scalar
            }
        }))
    }

    static func codeDigest(salt: [UInt8], secret: String) -> [UInt8] {
        SHA256.hash(salt + Array("dl1-enrolment-code:".utf8) + Array(secret.utf8))
    }

    /// `count` random characters of ``codeAlphabet`` (5 bits each).
    static func randomCode(_ count: Int) -> String {
        String(decoding: SecureRandom.bytes(count).map { codeAlphabet[Int($0 & 31)] }, as: UTF8.self)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
