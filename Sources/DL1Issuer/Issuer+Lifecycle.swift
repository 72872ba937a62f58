import DL1Format
import DL1Verifier
import Foundation

/// A change to a licence's point balance.
public enum PointsChange: Sendable, Hashable {
    /// Points taken for an offence.
    case deduct(UInt64, reason: String)
    /// Points given back.
    case restore(UInt64)
    /// A new scoring cycle: the full balance, and the cycle end a year later.
    case reset
}

/// A licence's current state and full history, for `show`.
public struct LicenceHistory: Sendable {
    /// Every credential, oldest first.
    public let credentials: [CredentialRecord]
    /// Every event, oldest first.
    public let events: [EventRecord]
    /// The live credential, if any.
    public var current: CredentialRecord? { credentials.last(where: \.isActive) ?? credentials.last }
}

extension Issuer {
    /// The live credential of a document number; explains when there is none.
    public func activeCredential(_ number: String) throws(IssuerError) -> CredentialRecord {
        let all = try registry.credentials(documentNumber: number)
        guard let last = all.last else { throw IssuerError(.unknownLicence, "no licence with document number \(number) in this registry") }
        if let active = all.last(where: \.isActive) { return active }
        if last.status == .invalid { throw IssuerError(.licenceRevoked, "the licence \(number) is revoked: that is final") }
        throw IssuerError(.noActiveCredential, "the licence \(number) has no active credential (latest: \(last.status), \(last.state.rawValue))")
    }

    /// The live credential, which must be VALID (not suspended).
    func validCredential(_ number: String, for action: String) throws(IssuerError) -> CredentialRecord {
        let current = try activeCredential(number)
        guard current.status == .valid else { throw IssuerError(.licenceSuspended, "the licence \(number) is suspended: reinstate it before you \(action)") }
        return current
    }

    /// A new credential with a new expiry date; the old one becomes SUPERSEDED.
    public func renew(_ number: String, expiryDate: CalendarDate, lifetime: CodeLifetime, output: OutputRequest?,
                      holderKey: HolderKey? = nil, deliver: (IssuedCode) throws -> Void = { _ in }) throws(IssuerError) -> IssuedCode {
        let current = try validCredential(number, for: "renew it")
        guard expiryDate > CalendarDate(utcDayOf: clock()) else { throw IssuerError("the new expiry date \(expiryDate) is not in the future") }
        var licence = current.licence
        licence.expiryDate = expiryDate
        licence.issueDate = CalendarDate(utcDayOf: clock())
        return try createCredential(licence, lifetime: lifetime, output: output, supersedes: current.credentialID,
                                    holderKey: holderKey ?? current.holderKey,
                                    event: ("renewed", "expires \(expiryDate)" + Self.bindingNote(holderKey, current)), deliver: deliver)
    }

    /// A new credential with categories added, removed or restricted; the old one becomes SUPERSEDED.
    public func changeCategories(_ number: String, add: [DrivingPrivilege], remove: [String], restrict: [(category: String, restriction: String)],
                                 lifetime: CodeLifetime, output: OutputRequest?, holderKey: HolderKey? = nil,
                                 deliver: (IssuedCode) throws -> Void = { _ in }) throws(IssuerError) -> IssuedCode {
        guard !add.isEmpty || !remove.isEmpty || !restrict.isEmpty else {
            throw IssuerError(.noChangeGiven, "no category is added, removed or restricted")
        }
        let current = try validCredential(number, for: "change its categories")
        var licence = current.licence
        for category in remove {
            guard licence.privileges.contains(where: { $0.category == category }) else { throw IssuerError("the licence \(number) does not hold category \(category)") }
            licence.privileges.removeAll { $0.category == category }
        }
        for privilege in add {
            guard !licence.privileges.contains(where: { $0.category == privilege.category }) else {
                throw IssuerError("the licence \(number) already holds category \(privilege.category)")
            }
            licence.privileges.append(privilege)
        }
        for (category, restriction) in restrict {
            guard let i = licence.privileges.firstIndex(where: { $0.category == category }) else {
                throw IssuerError("cannot restrict \(category): the licence \(number) does not hold it")
            }
            licence.privileges[i].restrictions = restriction.isEmpty ? nil : restriction
        }
        guard !licence.privileges.isEmpty else { throw IssuerError("removing every category would leave the licence empty: revoke it instead") }
        licence.issueDate = CalendarDate(utcDayOf: clock())
        let detail = (add.map { "+\($0.category)" } + remove.map { "-\($0)" } + restrict.map { "\($0.category)=\($0.restriction)" }).joined(separator: " ")
        return try createCredential(licence, lifetime: lifetime, output: output, supersedes: current.credentialID,
                                    holderKey: holderKey ?? current.holderKey,
                                    event: ("category-changed", detail + Self.bindingNote(holderKey, current)), deliver: deliver)
    }

    /// A new credential with the same data (lost phone, damaged card); the old one becomes SUPERSEDED.
    public func reissue(_ number: String, lifetime: CodeLifetime, output: OutputRequest?, holderKey: HolderKey? = nil,
                        deliver: (IssuedCode) throws -> Void = { _ in }) throws(IssuerError) -> IssuedCode {
        let current = try validCredential(number, for: "reissue it")
        let note = Self.bindingNote(holderKey, current)
        return try createCredential(current.licence, lifetime: lifetime, output: output, supersedes: current.credentialID,
                                    holderKey: holderKey ?? current.holderKey,
                                    event: ("reissued", note.isEmpty ? nil : String(note.dropFirst(2))), deliver: deliver)
    }

    /// Moves a licence to another authority (the holder moved, and the new city's office issues):
    /// a new credential under `authorityCode`, signed by that authority's document signer, with
    /// today's issue date and the same categories, points and holder binding; the old
    /// authority's credential becomes SUPERSEDED in its status list in the same transaction, so
    /// there is never a moment with two live credentials or none. On a shared (PostgreSQL)
    /// registry the old credential may belong to another office's issuer.
    public func transfer(_ number: String, to authorityCode: String, lifetime: CodeLifetime, output: OutputRequest?,
                         holderKey: HolderKey? = nil, deliver: (IssuedCode) throws -> Void = { _ in }) throws(IssuerError) -> IssuedCode {
        guard let target = settings.authorities.first(where: { $0.code == authorityCode }) else {
            throw IssuerError(.unknownAuthority, "this issuer has no authority \(authorityCode) (it has \(settings.authorities.map(\.code).joined(separator: ", ")))")
        }
        let current = try validCredential(number, for: "transfer it")
        guard current.licence.issuingAuthority != target.name else {
            throw IssuerError(.transferToSameAuthority, "the licence \(number) is already held by \(target.code) (\(target.name))")
        }
        let from = settings.authorities.first { $0.name == current.licence.issuingAuthority }?.code ?? current.licence.issuingAuthority
        var licence = current.licence
        licence.issuingAuthority = target.name
        licence.issueDate = CalendarDate(utcDayOf: clock())
        return try createCredential(licence, lifetime: lifetime, output: output, supersedes: current.credentialID,
                                    holderKey: holderKey ?? current.holderKey,
                                    event: ("transferred", "from \(from) to \(target.code)" + Self.bindingNote(holderKey, current)), deliver: deliver)
    }

    /// Changes the point balance and writes a fresh code of the same credential carrying it.
    /// When a points system's balance reaches zero, the credential is SUSPENDED (until reinstated).
    public func changePoints(_ number: String, _ change: PointsChange, lifetime: CodeLifetime, output: OutputRequest?,
                             deliver: (IssuedCode) throws -> Void = { _ in }) throws(IssuerError) -> (code: IssuedCode, suspended: Bool) {
        let current = try activeCredential(number)
        var licence = current.licence
        guard licence.points.maximum > 0 else { throw IssuerError("the licence \(number) has no points system (0/0)") }
        let detail: String
        switch change {
        case .deduct(let n, let reason):
            guard n > 0 else { throw IssuerError(.pointsChangeInvalid, "points deducted must be at least 1") }
            try Self.checkText(reason, "the reason", max: 500)
            licence.points.remaining -= min(n, licence.points.remaining)
            detail = "-\(n): \(reason)"
        case .restore(let n):
            guard n > 0 else { throw IssuerError(.pointsChangeInvalid, "points restored must be at least 1") }
            licence.points.remaining = min(licence.points.maximum, licence.points.remaining + n)
            detail = "+\(n)"
        case .reset:
            licence.points.remaining = licence.points.maximum
            let (y, m, d) = licence.points.cycleEnd.components
            licence.points.cycleEnd = CalendarDate(year: y + 1, month: m, day: d) ?? CalendarDate(year: y + 1, month: 2, day: 28)!
            detail = "new cycle to \(licence.points.cycleEnd)"
        }
        let suspend = licence.points.remaining == 0 && current.status == .valid
        let iat = clock()
        let exp = try expiry(for: lifetime, licence: licence, iat: iat)
        try checkSigner(try signer(for: try authority(of: licence).code), at: iat)
        try check(output, bound: current.holderKey != nil)  // before the balance changes, so a bad output path changes nothing
        var events: [(kind: String, detail: String?)] = [("points", "\(detail) → \(licence.points.remaining)/\(licence.points.maximum)")]
        if suspend { events.append(("suspended", "no points left: the driver must pass re-education")) }
        try registry.update(current.credentialID, expected: [current.status], status: suspend ? .suspended : nil, licence: licence,
                            signerKid: try signer(for: try authority(of: licence).code).kid, codeTimes: (iat, exp), events: events, at: iat)
        let code = try makeCode(credentialID: current.credentialID, list: current.list, index: current.index, licence: licence,
                                holderKey: current.holderKey, iat: iat, exp: exp, output: output)
        do { try deliver(code) } catch { throw IssuerError(.deliveryFailed, "the points were changed but the code could not be delivered (\(error))") }
        return (code, suspend)
    }

    /// A fresh short-lived code for the live VALID credential (same cti and index), as a phone fetches.
    /// `holderKey`, when given, must be the credential's current binding: a new binding takes a
    /// new credential (``reissue(_:lifetime:output:holderKey:deliver:)``).
    public func refresh(_ number: String, lifetime: CodeLifetime, output: OutputRequest?, holderKey: HolderKey? = nil,
                        deliver: (IssuedCode) throws -> Void = { _ in }) throws(IssuerError) -> IssuedCode {
        let current = try validCredential(number, for: "refresh its code")
        if let holderKey, holderKey != current.holderKey {
            // The codes made so far (plain, or bound to another device) share this credential's
            // id and status entry: they would stay usable until they expire. A binding to a new
            // device takes a new credential, so that the old one becomes SUPERSEDED.
            let now = current.holderKey.map { "is bound to another device (key \(String($0.thumbprint.prefix(16)))…)" } ?? "is not bound to a device"
            throw IssuerError(.holderKeyUnusable, "the licence \(number) \(now): binding it to this device needs a new credential, so that its current codes become SUPERSEDED — reissue it with the key")
        }
        let key = holderKey ?? current.holderKey
        let iat = clock()
        let exp = try expiry(for: lifetime, licence: current.licence, iat: iat)
        try checkSigner(try signer(for: try authority(of: current.licence).code), at: iat)
        try check(output, bound: key != nil)
        let code = try makeCode(credentialID: current.credentialID, list: current.list, index: current.index, licence: current.licence,
                                holderKey: key, iat: iat, exp: exp, output: output)
        do { try deliver(code) } catch { throw IssuerError("the code could not be delivered: \(error)") }
        try registry.update(current.credentialID, expected: [.valid], signerKid: try signer(for: try authority(of: current.licence).code).kid,
                            codeTimes: (iat, exp), holderKey: holderKey,
                            events: [("refreshed", "code valid until \(Instant.iso(exp))" + Self.bindingNote(holderKey, current))], at: iat)
        return code
    }

    /// The event note for a (re)binding: empty when the device key stays as it was.
    static func bindingNote(_ holderKey: HolderKey?, _ current: CredentialRecord) -> String {
        guard let holderKey, holderKey != current.holderKey else { return "" }
        return "; bound to device \(String(holderKey.thumbprint.prefix(16)))"
    }

    /// VALID → SUSPENDED.
    public func suspend(_ number: String, reason: String) throws(IssuerError) {
        try Self.checkText(reason, "the reason", max: 500)
        let current = try activeCredential(number)
        guard current.status == .valid else { throw IssuerError("the licence \(number) is already suspended") }
        try registry.update(current.credentialID, expected: [.valid], status: .suspended, events: [("suspended", reason)], at: clock())
    }

    /// SUSPENDED → VALID.
    public func reinstate(_ number: String) throws(IssuerError) {
        let current = try activeCredential(number)
        guard current.status == .suspended else { throw IssuerError("the licence \(number) is not suspended") }
        try registry.update(current.credentialID, expected: [.suspended], status: .valid, events: [("reinstated", nil)], at: clock())
    }

    /// VALID or SUSPENDED → INVALID, for good.
    public func revoke(_ number: String, reason: String) throws(IssuerError) {
        try Self.checkText(reason, "the reason", max: 500)
        let current = try activeCredential(number)
        try registry.update(current.credentialID, expected: [.valid, .suspended], status: .invalid, events: [("revoked", reason)], at: clock())
    }

    /// Current state and full history of a document number.
    public func history(_ number: String) throws(IssuerError) -> LicenceHistory {
        let credentials = try registry.credentials(documentNumber: number)
        guard !credentials.isEmpty else { throw IssuerError("no licence with document number \(number) in this registry") }
        return LicenceHistory(credentials: credentials, events: try registry.events(documentNumber: number))
    }
}
