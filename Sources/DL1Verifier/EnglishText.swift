import DL1Format

/// The explanations in English (the reference wording, also used in JSON).
enum EnglishText {
    static func sentence(_ explanation: Explanation) -> String {
        switch explanation {
        case .valid:
            return "The licence is valid and the code was signed by a trusted issuer."
        case .validUnknownStatus:
            return "The code is genuine and current, but its revocation status could not be checked (allowed by the caller)."
        case .malformed(.prefix, let detail):
            return "This is not a DL1 driving-licence code (\(detail))."
        case .malformed(let layer, let detail):
            return "The code is damaged or not a valid DL1 licence code (\(layer) layer: \(detail))."
        case .notText:
            return "This QR code does not hold text, so it is not a DL1 driving-licence code."
        case .unknownSigner(let kid):
            return "The code was signed with a key this device does not know (kid \(kid)): update the trust data."
        case .badSignature:
            return "The code's signature is not genuine: its data was altered or it was forged."
        case .untrustedChain(let issuer):
            return "The code's signer certificate does not chain to a trusted root (issuer \(issuer))."
        case .notDocumentSigner:
            return "The code was signed by a certificate that is not a document signer."
        case .certificateNotValid(let role, let signedAt, let notBefore, let notAfter):
            return "The \(role.rawValue) certificate was not valid when the code was signed (\(Instant.iso(signedAt)); valid \(Instant.iso(notBefore)) to \(Instant.iso(notAfter)))."
        case .signerWithdrawn(let date, let reason):
            return "The code's signing key was withdrawn by its root on \(CalendarDate(utcDayOf: date)) (reason: \(reason))."
        case .countryMismatch(let signer, let root, let licence):
            return "The signer's country (\(signer.joined(separator: ","))) or its root's (\(root.joined(separator: ","))) does not match the licence's issuing country \(licence)."
        case .authorityMismatch(let units, let issuer):
            return "The signer belongs to authority \(units.joined(separator: ",")), not to \(issuer) which the code names."
        case .notYetValid(let iat):
            return "The code claims to be signed in the future (\(Instant.iso(iat))): check this device's clock."
        case .expiredCode(let exp):
            return "The code expired at \(Instant.iso(exp)): ask the holder to refresh it."
        case .licenceExpired(let date):
            return "The licence expired on \(date)."
        case .revoked:
            return "The licence has been revoked by the issuing authority."
        case .suspended:
            return "The licence is suspended: the holder may not drive."
        case .superseded:
            return "This code belongs to a replaced credential: the holder has a newer licence code and must show it."
        case .statusUnknown(let uri):
            return "The revocation status cannot be checked: this device has no current status list for \(uri)."
        case .categoryNotHeld(let category):
            return "The holder is not licensed for category \(category) today."
        case .portraitMismatch:
            return "The portrait does not match the one this licence was issued with."
        case .holderMismatch:
            return "The presentation was not signed by the device this licence is bound to: it was made by another phone."
        case .stalePresentation(let time, let age, let window):
            return age >= 0
                ? "The presentation was made \(age) s ago (\(Instant.iso(time))), longer than the \(window) s this device accepts: a screenshot or a replay; ask the holder to show the live code."
                : "The presentation claims to be made \(-age) s in the future (\(Instant.iso(time))), beyond the \(window) s this device accepts: check this device's clock and the holder's."
        case .unboundPresentation(let bound):
            return bound
                ? "This is a copy of a credential bound to the holder's phone, not a presentation by that phone: ask the holder to show the live code."
                : "This code is not bound to the holder's device, and this device requires holder binding: ask for the live code from the holder's phone."
        }
    }
}
