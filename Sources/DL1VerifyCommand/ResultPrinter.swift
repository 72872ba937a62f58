import DL1CommandSupport
import DL1Format
import DL1Verifier

/// Writes results for people (verdict first, then one sentence, then the details) or as JSON.
struct ResultPrinter {
    let console: Console
    let json: Bool
    /// Print nothing (exit code only).
    var quiet = false
    let colour: Bool
    /// When the handheld bundle in use was made, if one is.
    var bundleCreated: Int64? = nil

    func print(_ result: VerificationResult, source: String) {
        if quiet { return }
        if json { console.out(jsonLine(result, source: source)); return }
        let verdict = colour ? (result.isValid ? "\u{1b}[1;32m" : "\u{1b}[1;31m") + result.verdict.rawValue + "\u{1b}[0m" : result.verdict.rawValue
        console.out(verdict)
        console.out(TextSafety.sanitized(result.reason))
        for (label, value) in details(result, source: source) {
            // Everything from the code is shown with control characters escaped.
            console.out("  " + label.padding(toLength: 12, withPad: " ", startingAt: 0) + TextSafety.sanitized(value))
        }
    }

    /// One line per code (for `--text -`).
    func printCompact(_ result: VerificationResult, source: String) {
        if quiet { return }
        if json { console.out(jsonLine(result, source: source)); return }
        var fields = [result.verdict.rawValue, result.reason]
        if let licence = result.licence { fields += [licence.documentNumber, "\(licence.familyName) \(licence.givenName ?? "")"] }
        let line = fields.map(TextSafety.sanitized).joined(separator: "\t")
        console.out(line)
    }

    private func jsonLine(_ result: VerificationResult, source: String) -> String {
        guard case .object(let members) = result.json else { return result.json.serialized }
        return JSONValue.object([("source", .string(source))] + members).serialized
    }

    private func details(_ result: VerificationResult, source: String) -> [(String, String)] {
        var lines: [(String, String)] = [("Source:", source)]
        if let layer = result.layer { lines.append(("Layer:", layer.rawValue)) }
        if let condition = result.condition { lines.append(("Condition:", condition.rawValue)) }
        if let claims = result.claims {
            if result.verdict == .untrustedSigner {
                lines.append(("Caution:", "the signer is not trusted: nothing below is confirmed"))
            }
            let l = claims.licence
            lines.append(("Holder:", "\(l.familyName) \(l.givenName ?? "")  (born \(l.birthDate))"))
            lines.append(("Licence:", "\(l.documentNumber), \(l.issuingCountry), \(l.issuingAuthority), issued \(l.issueDate), expires \(l.expiryDate)"))
            let categories = l.privileges.map { p in
                "\(p.category) from \(p.issueDate)" + (p.expiryDate.map { " to \($0)" } ?? "") + (p.restrictions.map { " (\($0))" } ?? "")
            }
            lines.append(("Categories:", categories.joined(separator: "; ")))
            lines.append(("Points:", "\(l.points.remaining)/\(l.points.maximum) as of \(Instant.iso(claims.issuedAt)) (\(Self.age(result.verifiedAt.saturatingSubtracting(claims.issuedAt))) ago), cycle ends \(l.points.cycleEnd)"))
            lines.append(("Portrait:", "SHA-256 \(Hex.encode(l.portraitHash))"))
            lines.append(("Code:", "issued \(Instant.iso(claims.issuedAt)), valid until \(Instant.iso(claims.expiresAt)), credential \(Hex.encode(claims.credentialID))"))
        }
        if let signer = result.signer {
            lines.append(("Signer:", "kid \(signer.kid)" + (signer.subject.map { ", \($0)" } ?? "")))
        }
        if let status = result.status {
            if let issued = status.listIssuedAt {
                lines.append(("Status:", "\(status.value?.description ?? "no entry") in \(status.uri) #\(status.index); list issued \(Instant.iso(issued)) (\(Self.age(result.verifiedAt.saturatingSubtracting(issued))) old)"
                                + (status.listExpiresAt.map { ", stale from \(Instant.iso($0))" } ?? "")))
            } else {
                lines.append(("Status:", "unknown: no current list for \(status.uri)" + (status.unknownAllowed ? " (allowed)" : "")))
            }
        }
        if let bundleCreated {
            lines.append(("Bundle:", "made \(Instant.iso(bundleCreated)) (\(Self.age(result.verifiedAt.saturatingSubtracting(bundleCreated))) old)"))
        }
        return lines
    }

    static func age(_ seconds: Int64) -> String {
        let s = seconds == .min ? Int64.max : abs(seconds)
        let text: String
        switch s {
        case ..<120: text = "\(s) s"
        case ..<7200: text = "\(s / 60) min"
        case ..<172_800: text = "\(s / 3600) h"
        default: text = "\(s / 86_400) days"
        }
        return seconds < 0 ? "-" + text : text
    }
}
