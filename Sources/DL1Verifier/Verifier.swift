import DL1Compression
import DL1Crypto
import DL1Format
import Foundation

/// Verifies DL1 codes fully offline against a trust store and status lists (FORMAT §5).
///
/// A value type with no global state: build one, then call it from as many tasks as you like.
/// Time is an input (``Options/clock`` or the `at:` argument), so results are reproducible.
public struct Verifier: Sendable {
    /// Settings of a verifier.
    public struct Options: Sendable {
        /// Clock-skew leeway applied both ways to every issuer-set instant (FORMAT §5.6).
        public var leeway: Int64
        /// Whether a code whose status cannot be checked may still be VALID (said beside it).
        public var allowUnknownStatus: Bool
        /// The current time in seconds since the epoch; injected so tests never read the wall clock.
        public var clock: @Sendable () -> Int64
        /// How many bytes of inflated status lists the verifier may hold in all (default
        /// ``Verifier/defaultStatusDataBudget``, 256 MiB). Tokens that do not fit are skipped, with
        /// a warning (see ``Verifier/statusTokenWarnings``).
        public var statusDataBudget: Int
        /// How far from now a DL2 presentation's time may be, either way, in seconds (FORMAT
        /// §7.3: default 90; the leeway does not widen it).
        public var holderWindow: Int64
        /// Whether a plain DL1 code (not presented by its holder's device) answers UNBOUND_PRESENTATION.
        public var requireHolderBinding: Bool

        /// Options with FORMAT's defaults: 300 s leeway, unknown status not allowed, the system
        /// clock, a budget of 256 MiB for inflated status lists, a 90 s holder window, and plain
        /// DL1 codes accepted.
        public init(leeway: Int64 = 300, allowUnknownStatus: Bool = false,
                    clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
                    statusDataBudget: Int = Verifier.defaultStatusDataBudget,
                    holderWindow: Int64 = Verifier.defaultHolderWindow, requireHolderBinding: Bool = false) {
            self.leeway = leeway
            self.allowUnknownStatus = allowUnknownStatus
            self.clock = clock
            self.statusDataBudget = statusDataBudget
            self.holderWindow = holderWindow
            self.requireHolderBinding = requireHolderBinding
        }
    }

    /// The default holder window (FORMAT §7.3): 90 seconds.
    public static let defaultHolderWindow: Int64 = 90

    /// The holder step (FORMAT §7.3 step 3), right after trust: nil when it passes.
    private func holderFailure(_ code: DecodedCode, _ presentation: Presentation?, requireBinding: Bool, at now: Int64) -> (Verdict, Explanation)? {
        guard let presentation else {
            if code.isBound { return (.unboundPresentation, .unboundPresentation(bound: true)) }
            if options.requireHolderBinding || requireBinding { return (.unboundPresentation, .unboundPresentation(bound: false)) }
            return nil
        }
        let message = Presentation.toBeSigned(credential: presentation.credential, time: presentation.time)
        guard let key = code.holderPublicKey, key.isValidSignature(presentation.holderSignature, for: message) else {
            return (.holderMismatch, .holderMismatch)
        }
        let time = Int64(clamping: presentation.time)
        let age = now.saturatingSubtracting(time)
        let window = min(max(options.holderWindow, 0), Int64.max / 2)
        if age > window || age < -window {
            return (.stalePresentation, .stalePresentation(time: time, age: age, window: options.holderWindow))
        }
        return nil
    }

    /// The default total of inflated status-list bytes one verifier holds: 256 MiB, eight
    /// lists at FORMAT §3's 32 MiB cap (a national list of 100 million entries is 25 MB).
    /// Lists are inflated only after their token's signature and signer are checked, newest
    /// token first, each distinct list once; when the next one would go past the budget, it and
    /// every later token are skipped with a ``StatusTokenWarning/Kind/overBudget`` warning.
    public static let defaultStatusDataBudget = 256 * 1024 * 1024

    /// What the caller asks beyond validity (FORMAT §5.8).
    public struct Request: Sendable, Hashable {
        /// A vehicle category the holder must hold today (exact, case-sensitive).
        public var category: String?
        /// SHA-256 of the portrait the holder presents.
        public var portraitHash: [UInt8]?
        /// Whether this code must be a DL2 presentation by the holder's device, even when the
        /// verifier's ``Options/requireHolderBinding`` does not ask it of every code.
        public var requireHolderBinding: Bool

        /// A request for the given optional checks.
        public init(category: String? = nil, portraitHash: [UInt8]? = nil, requireHolderBinding: Bool = false) {
            self.category = category
            self.portraitHash = portraitHash
            self.requireHolderBinding = requireHolderBinding
        }
    }

    /// The trust material.
    public let trustStore: TrustStore
    /// The settings.
    public let options: Options
    private let statusTokens: [UsableToken]
    /// The status tokens given that this verifier does not use (or only partly), and why.
    public let statusTokenWarnings: [StatusTokenWarning]
    /// How many bytes of inflated status lists this verifier holds (at most
    /// ``Options/statusDataBudget``).
    public let inflatedStatusBytes: Int
    /// How many lists were inflated (a list shared by several tokens counts once; a forged
    /// token's list is never inflated).
    public let inflatedListCount: Int

    /// A token whose signer has been checked, with the root it chains to and its list: nil when
    /// the budget was spent, and then it answers as a list with no entries (so that skipping it
    /// never turns an answer more favourable).
    private struct UsableToken: Sendable {
        let claims: StatusClaimsSummary
        let root: Certificate
        let list: StatusList?
    }

    /// What a verifier keeps of a token's claims (not the compressed list).
    private struct StatusClaimsSummary: Sendable {
        let uri: String
        let issuedAt: Int64
        let expiresAt: Int64
        let timeToLive: UInt64
    }

    /// A verifier over `trustStore` and the given Status List Tokens. Tokens whose signature or
    /// signer fails the checks of FORMAT §3 are ignored (as if absent) before their list is
    /// inflated; identical tokens count once; see ``defaultStatusDataBudget`` for the budget.
    public init(trustStore: TrustStore, statusTokens: [StatusListToken] = [], options: Options = Options()) {
        self.trustStore = trustStore
        self.options = options
        var warnings: [StatusTokenWarning] = []
        // 1. Signature and signer, once per distinct token, before anything is inflated.
        var seen = Set<[UInt8]>()
        var trusted: [(index: Int, token: StatusListToken, root: Certificate)] = []
        for (index, token) in statusTokens.enumerated() where seen.insert(token.digest).inserted {
            var root: Certificate?
            let toBeSigned = token.sign1.toBeSigned()
            for candidate in trustStore.certificates(forKid: token.kid) {
                guard let key = candidate.publicKey, key.isValidSignature(token.sign1.signature, for: toBeSigned) else { continue }
                if case .trusted(let found) = Self.evaluateSigner(candidate, at: token.claims.issuedAt, in: trustStore) {
                    root = found
                    break
                }
            }
            if let root { trusted.append((index, token, root)) } else {
                warnings.append(StatusTokenWarning(kind: .untrusted, index: index,
                                                   description: "the status token could not be verified against the trust store (unknown kid, bad signature, or a signer that is not a trusted document signer)"))
            }
        }
        // 2. Lists, newest token first, each distinct list once, within the budget.
        trusted.sort { ($0.token.claims.issuedAt, $1.index) > ($1.token.claims.issuedAt, $0.index) }
        let budget = max(0, options.statusDataBudget)
        var spent = 0
        var budgetExhausted = false
        let budgetText = budget % (1024 * 1024) == 0 ? "\(budget / (1024 * 1024)) MiB" : "\(budget) bytes"
        var inflated: [[UInt8]: StatusList] = [:]
        var usable: [UsableToken] = []
        for (index, token, root) in trusted {
            let claims = token.claims
            let summary = StatusClaimsSummary(uri: claims.uri, issuedAt: claims.issuedAt, expiresAt: claims.expiresAt, timeToLive: claims.timeToLive)
            let name = "the status token for \(TextSafety.sanitized(claims.uri)) issued \(Instant.iso(claims.issuedAt))"
            let key = SHA256.hash(claims.compressedList)
            if let list = inflated[key] {
                usable.append(UsableToken(claims: summary, root: root, list: list))
                continue
            }
            let limit = min(Zlib.statusListLimit, budget - spent)
            if !budgetExhausted {
                do {
                    let list = try token.inflate(limit: limit)
                    spent += list.bytes.count
                    inflated[key] = list
                    usable.append(UsableToken(claims: summary, root: root, list: list))
                    continue
                } catch .tooLarge where limit < Zlib.statusListLimit {
                    budgetExhausted = true
                } catch {
                    warnings.append(StatusTokenWarning(kind: .badList, index: index, description: "\(name) is ignored: its list does not inflate (\(error))"))
                    continue
                }
            }
            warnings.append(StatusTokenWarning(kind: .overBudget, index: index, description:
                "\(name) is skipped: the verifier's budget of \(budgetText) for inflated status lists is spent (codes for which it is the newest list get no status from it)"))
            usable.append(UsableToken(claims: summary, root: root, list: nil))
        }
        self.statusTokens = usable
        self.statusTokenWarnings = warnings.sorted { $0.index < $1.index }
        self.inflatedStatusBytes = spent
        self.inflatedListCount = inflated.count
    }

    /// How many distinct status tokens passed the signer checks and had their list loaded.
    public var usableStatusTokenCount: Int { statusTokens.count { $0.list != nil } }

    /// A status list this verifier consults: its URI, when its token was made, when it stops
    /// being used, and whether its list was loaded (false when the budget was spent).
    public struct StatusListSummary: Sendable, Hashable {
        public let uri: String
        public let issuedAt: Int64
        public let expiresAt: Int64
        public let timeToLive: UInt64
        public let loaded: Bool
    }

    /// The status lists whose signer passed the checks, newest token first.
    public var statusLists: [StatusListSummary] {
        statusTokens.map { StatusListSummary(uri: $0.claims.uri, issuedAt: $0.claims.issuedAt, expiresAt: $0.claims.expiresAt,
                                             timeToLive: $0.claims.timeToLive, loaded: $0.list != nil) }
    }

    /// Verifies a code's text at the clock's time (or `at`, seconds since the epoch).
    /// A `DL1:` code or a `DL2:` holder presentation (FORMAT §7).
    public func verify(text: String, request: Request = Request(), at instant: Int64? = nil) -> VerificationResult {
        let now = instant ?? options.clock()
        if text.utf8.starts(with: Presentation.prefix.utf8) {
            let decoded: DecodedPresentation
            do { decoded = try DecodedPresentation(text: text) } catch {
                return VerificationResult(verdict: .malformed, explanation: .malformed(layer: error.layer, detail: error.detail), layer: error.layer, verifiedAt: now)
            }
            return verify(decoded, request: request, at: now)
        }
        let decoded: DecodedCode
        do { decoded = try DecodedCode(text: text) } catch {
            return VerificationResult(verdict: .malformed, explanation: .malformed(layer: error.layer, detail: error.detail), layer: error.layer, verifiedAt: now)
        }
        return verify(decoded, request: request, at: now)
    }

    /// Verifies an already decoded DL1 code (steps 3–9 of FORMAT §5, with the holder step of §7.3).
    public func verify(_ code: DecodedCode, request: Request = Request(), at now: Int64) -> VerificationResult {
        verify(code, presentation: nil, request: request, at: now)
    }

    /// Verifies an already decoded DL2 presentation (FORMAT §7.3 steps 2–4).
    public func verify(_ decoded: DecodedPresentation, request: Request = Request(), at now: Int64) -> VerificationResult {
        verify(decoded.credential, presentation: decoded.presentation, request: request, at: now)
    }

    private func verify(_ code: DecodedCode, presentation: Presentation?, request: Request, at now: Int64) -> VerificationResult {
        let claims = code.claims
        let kidHex = Hex.encode(code.kid)
        // 3. kid → certificates.
        let candidates = trustStore.certificates(forKid: code.kid)
        guard !candidates.isEmpty else {
            return VerificationResult(verdict: .unknownSigner, explanation: .unknownSigner(kid: kidHex),
                                      signer: SignerInfo(kid: kidHex, subject: nil), verifiedAt: now)
        }
        // 4. Signature, over the bytes as received.
        let toBeSigned = code.sign1.toBeSigned()
        let verifying = candidates.filter { $0.publicKey?.isValidSignature(code.sign1.signature, for: toBeSigned) == true }
        guard let firstVerifying = verifying.first else {
            return VerificationResult(verdict: .badSignature, explanation: .badSignature,
                                      signer: SignerInfo(kid: kidHex, subject: candidates[0].subject), verifiedAt: now)
        }
        // 5. The signer's certificate.
        var chosen: (Certificate, Certificate)?
        var firstFailure: (TrustCondition, Explanation)?
        for candidate in verifying {
            switch Self.evaluateSigner(candidate, at: claims.issuedAt, in: trustStore, claims: claims) {
            case .trusted(let root):
                chosen = (candidate, root)
            case .untrusted(let condition, let detail):
                if firstFailure == nil { firstFailure = (condition, detail) }
            }
            if chosen != nil { break }
        }
        guard let (signer, root) = chosen else {
            let (condition, detail) = firstFailure!
            return VerificationResult(verdict: .untrustedSigner, explanation: detail, condition: condition, claims: claims,
                                      signer: SignerInfo(kid: kidHex, subject: firstVerifying.subject), verifiedAt: now)
        }
        let signerInfo = SignerInfo(kid: kidHex, subject: signer.subject)
        let holder = holderFailure(code, presentation, requireBinding: request.requireHolderBinding, at: now)
        let presented = presentation.map { p in
            PresentationInfo(time: Int64(clamping: p.time), age: now.saturatingSubtracting(Int64(clamping: p.time)),
                             window: options.holderWindow, thumbprint: claims.holderKey?.thumbprint ?? "",
                             signedByBoundDevice: holder?.0 != .holderMismatch)
        }
        func result(_ verdict: Verdict, _ explanation: Explanation, status: StatusInfo? = nil) -> VerificationResult {
            VerificationResult(verdict: verdict, explanation: explanation, claims: claims, signer: signerInfo, status: status,
                               presentation: presented, verifiedAt: now)
        }
        // Holder binding (FORMAT §7.3), right after trust.
        if let (verdict, explanation) = holder { return result(verdict, explanation) }
        // 6. Time.
        let leeway = options.leeway
        if now < claims.issuedAt.saturatingSubtracting(leeway) { return result(.notYetValid, .notYetValid(issuedAt: claims.issuedAt)) }
        if now >= claims.expiresAt.saturatingAdding(leeway) { return result(.expiredCode, .expiredCode(expiresAt: claims.expiresAt)) }
        let today = CalendarDate(utcDayOf: now)
        if claims.licence.expiryDate < today { return result(.licenceExpired, .licenceExpired(claims.licence.expiryDate)) }
        // 7. Status.
        let status = statusInfo(for: claims.status, root: root, now: now)
        switch status.value {
        case .invalid: return result(.revoked, .revoked, status: status)
        case .suspended: return result(.suspended, .suspended, status: status)
        case .superseded: return result(.superseded, .superseded, status: status)
        case .valid: break
        case nil:
            if !status.unknownAllowed { return result(.statusUnknown, .statusUnknown(uri: claims.status.uri), status: status) }
        }
        // 8. Optional checks.
        if let category = request.category,
           !claims.licence.privileges.contains(where: { $0.category == category && $0.isValid(on: today) }) {
            return result(.categoryNotHeld, .categoryNotHeld(category), status: status)
        }
        if let portrait = request.portraitHash, portrait != claims.licence.portraitHash {
            return result(.portraitMismatch, .portraitMismatch, status: status)
        }
        // 9.
        return result(.valid, status.unknownAllowed ? .validUnknownStatus : .valid, status: status)
    }

    private func statusInfo(for reference: StatusReference, root: Certificate, now: Int64) -> StatusInfo {
        let leeway = options.leeway
        let candidates = statusTokens.filter {
            $0.root === root && $0.claims.uri == reference.uri
                && $0.claims.issuedAt <= now.saturatingAdding(leeway) && now < $0.claims.expiresAt.saturatingAdding(leeway)
        }
        guard let latest = candidates.map(\.claims.issuedAt).max() else {
            return StatusInfo(uri: reference.uri, index: reference.index, value: nil, listIssuedAt: nil,
                              listExpiresAt: nil, unknownAllowed: options.allowUnknownStatus)
        }
        let newest = candidates.filter { $0.claims.issuedAt == latest }
        // Between tokens of the same iat, the less favourable status wins.
        let answers = newest.map { ($0, $0.list?[reference.index].flatMap(CredentialStatus.init(rawValue:))) }
        let worst = answers.max { Self.severity($0.1) < Self.severity($1.1) }!
        let claims = worst.0.claims
        let refetchAt = claims.issuedAt.saturatingAdding(Int64(clamping: claims.timeToLive))
        return StatusInfo(uri: reference.uri, index: reference.index, value: worst.1,
                          listIssuedAt: claims.issuedAt, listExpiresAt: claims.expiresAt,
                          unknownAllowed: worst.1 == nil && options.allowUnknownStatus,
                          listStaleFrom: claims.expiresAt.saturatingAdding(leeway), listRefetchAt: refetchAt,
                          listRefetchOverdue: now >= refetchAt)
    }

    /// How unfavourable a status is, for choosing between tokens of the same iat: an explicit
    /// INVALID, SUSPENDED or SUPERSEDED outranks "no entry", which outranks VALID, so that a
    /// short list can never hide a revocation (not even when unknown status is allowed).
    private static func severity(_ status: CredentialStatus?) -> Int {
        switch status {
        case .valid: return 0
        case nil: return 1
        case .superseded: return 2
        case .suspended: return 3
        case .invalid: return 4
        }
    }

    enum SignerEvaluation {
        case trusted(root: Certificate)
        case untrusted(TrustCondition, Explanation)
    }

    /// FORMAT §5.5 for one candidate: chain, ds, validity (at `instant`), withdrawn, and, when
    /// `claims` are given, country and authority.
    static func evaluateSigner(_ certificate: Certificate, at instant: Int64, in store: TrustStore,
                               claims: DL1Claims? = nil) -> SignerEvaluation {
        guard let root = store.root(issuing: certificate) else {
            return .untrusted(.chain, .untrustedChain(issuer: certificate.issuer))
        }
        guard !certificate.isCA, certificate.allowsDigitalSignature else {
            return .untrusted(.ds, .notDocumentSigner)
        }
        guard certificate.isValid(at: instant) else {
            return .untrusted(.validity, .certificateNotValid(role: .signer, signedAt: instant, notBefore: certificate.notBefore, notAfter: certificate.notAfter))
        }
        guard root.isValid(at: instant) else {
            return .untrusted(.validity, .certificateNotValid(role: .root, signedAt: instant, notBefore: root.notBefore, notAfter: root.notAfter))
        }
        if let withdrawal = store.withdrawal(of: certificate, under: root) {
            return .untrusted(.withdrawn, .signerWithdrawn(date: withdrawal.date, reason: withdrawal.reason))
        }
        if let claims {
            let country = claims.licence.issuingCountry
            guard certificate.subjectCountries == [country], root.subjectCountries == [country] else {
                return .untrusted(.country, .countryMismatch(signer: certificate.subjectCountries, root: root.subjectCountries, licence: country))
            }
            guard certificate.subjectOrganizationalUnits == [claims.issuer] else {
                return .untrusted(.authority, .authorityMismatch(signer: certificate.subjectOrganizationalUnits, issuer: claims.issuer))
            }
        }
        return .trusted(root: root)
    }
}
