import DL1Crypto
import DL1Format

/// The one-sentence explanations shown to an officer, in English.
enum Reasons {
    static let valid = "The licence is valid and the code was signed by a trusted issuer."
    static let validUnknownStatus = "The code is genuine and current, but its revocation status could not be checked (allowed by the caller)."
    static let badSignature = "The code's signature is not genuine: its data was altered or it was forged."
    static let revoked = "The licence has been revoked by the issuing authority."
    static let suspended = "The licence is suspended: the holder may not drive."
    static let superseded = "This code belongs to a replaced credential: the holder has a newer licence code and must show it."
    static let portraitMismatch = "The portrait does not match the one this licence was issued with."

    static func malformed(_ failure: DecodedCode.Failure) -> String {
        if failure.layer == .prefix { return "This is not a DL1 driving-licence code (\(failure.detail))." }
        return "The code is damaged or not a valid DL1 licence code (\(failure.layer) layer: \(failure.detail))."
    }

    static func unknownSigner(_ kid: String) -> String {
        "The code was signed with a key this device does not know (kid \(kid)): update the trust data."
    }

    static func notYetValid(_ iat: Int64) -> String {
        "The code claims to be signed in the future (\(Instant.iso(iat))): check this device's clock."
    }

    static func expiredCode(_ exp: Int64) -> String {
        "The code expired at \(Instant.iso(exp)): ask the holder to refresh it."
    }

    static func licenceExpired(_ date: CalendarDate) -> String { "The licence expired on \(date)." }

    static func statusUnknown(_ uri: String) -> String {
        "The revocation status cannot be checked: this device has no current status list for \(uri)."
    }

    static func categoryNotHeld(_ category: String) -> String {
        "The holder is not licensed for category \(category) today."
    }

    enum Trust {
        static func chain(_ issuer: String) -> String {
            "The code's signer certificate does not chain to a trusted root (issuer \(issuer))."
        }
        static let ds = "The code was signed by a certificate that is not a document signer."
        static func validity(_ certificate: Certificate, _ instant: Int64, what: String) -> String {
            "The \(what) certificate was not valid when the code was signed (\(Instant.iso(instant)); valid \(Instant.iso(certificate.notBefore)) to \(Instant.iso(certificate.notAfter)))."
        }
        static func withdrawn(_ date: Int64, _ reason: RevocationReason) -> String {
            "The code's signing key was withdrawn by its root on \(CalendarDate(utcDayOf: date)) (reason: \(reason))."
        }
        static func country(_ signer: [String], _ root: [String], _ licence: String) -> String {
            "The signer's country (\(signer.joined(separator: ","))) or its root's (\(root.joined(separator: ","))) does not match the licence's issuing country \(licence)."
        }
        static func authority(_ units: [String], _ iss: String) -> String {
            "The signer belongs to authority \(units.joined(separator: ",")), not to \(iss) which the code names."
        }
    }
}
