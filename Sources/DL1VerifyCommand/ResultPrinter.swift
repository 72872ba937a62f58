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
    /// The language of reasons and labels.
    var language: Language = .english
    private var labels: Labels { Labels.of(language) }

    func print(_ result: VerificationResult, source: String, read scan: ImageVerification? = nil) {
        if quiet { return }
        if json { console.out(line: result.json(source: source, read: scan).bytes); return }
        let verdict = colour ? (result.isValid ? "\u{1b}[1;32m" : "\u{1b}[1;31m") + result.verdict.rawValue + "\u{1b}[0m" : result.verdict.rawValue
        console.out(verdict)
        console.out(TextSafety.sanitized(result.reason(in: language)))
        for (label, value) in details(result, source: source) {
            // Everything from the code is shown with control characters escaped.
            console.out("  " + Self.padded(label, to: 12) + TextSafety.sanitized(value))
        }
    }

    /// One line per code (for `--text -`).
    func printCompact(_ result: VerificationResult, source: String) {
        if quiet { return }
        if json { console.out(line: result.json(source: source).bytes); return }
        var fields = [result.verdict.rawValue, result.reason(in: language)]
        if let licence = result.licence { fields += [licence.documentNumber, "\(licence.familyName) \(licence.givenName ?? "")"] }
        let line = fields.map(TextSafety.sanitized).joined(separator: "\t")
        console.out(line)
    }

    private func details(_ result: VerificationResult, source: String) -> [(String, String)] {
        let t = labels
        var lines: [(String, String)] = [(t.source, source)]
        if let layer = result.layer { lines.append((t.layer, layer.rawValue)) }
        if let condition = result.condition { lines.append((t.condition, condition.rawValue)) }
        if let claims = result.claims {
            if result.verdict == .untrustedSigner { lines.append((t.caution, t.cautionText)) }
            let l = claims.licence
            lines.append((t.holder, ([l.familyName] + (l.givenName.map { [$0] } ?? [])).joined(separator: " ") + " (\(t.born) \(l.birthDate))"))
            lines.append((t.licence, "\(l.documentNumber), \(l.issuingCountry), \(l.issuingAuthority), \(t.issued) \(l.issueDate), \(t.expires) \(l.expiryDate)"))
            let categories = l.privileges.map { p in
                "\(p.category) \(t.from) \(p.issueDate)" + (p.expiryDate.map { " \(t.to) \($0)" } ?? "") + (p.restrictions.map { " (\($0))" } ?? "")
            }
            lines.append((t.categories, categories.joined(separator: t.separator)))
            lines.append((t.points, "\(Labels.points(l.points.remaining, of: l.points.maximum, in: language)) \(t.asOf) \(Instant.iso(claims.issuedAt)) (\(age(result.verifiedAt.saturatingSubtracting(claims.issuedAt)))\(t.ago)), \(t.cycleEnds) \(l.points.cycleEnd)"))
            lines.append((t.portrait, "SHA-256 \(Hex.encode(l.portraitHash))"))
            lines.append((t.code, "\(t.issued) \(Instant.iso(claims.issuedAt)), \(t.validUntil) \(Instant.iso(claims.expiresAt)), \(t.credential) \(Hex.encode(claims.credentialID))"))
        }
        if let p = result.presentation {
            lines.append((t.presented, Labels.presented(at: Instant.iso(p.time), age: age(p.age), window: p.window, thumbprint: p.thumbprint,
                                                         bound: p.signedByBoundDevice, in: language)))
        }
        if let signer = result.signer {
            lines.append((t.signer, "kid \(signer.kid)" + (signer.subject.map { ", \($0)" } ?? "")))
        }
        if let status = result.status {
            if let issued = status.listIssuedAt {
                lines.append((t.status, "\(status.value.map { Labels.status($0, in: language) } ?? t.noEntry)\(language == .english ? " " : "")\(t.inList) \(status.uri) #\(status.index)\(t.separator)\(t.listIssued) \(Instant.iso(issued)) (\(age(result.verifiedAt.saturatingSubtracting(issued)))\(t.old))"
                                + ((status.listStaleFrom ?? status.listExpiresAt).map { ", \(t.staleFrom) \(Instant.iso($0))" } ?? "")
                                + (status.listRefetchOverdue ? status.listRefetchAt.map { t.separator + Labels.refetch(Instant.iso($0), in: language) } ?? "" : "")))
            } else {
                lines.append((t.status, "\(t.unknownStatus) \(status.uri)" + (status.unknownAllowed ? " (\(t.allowed))" : "")))
            }
        }
        if let bundleCreated {
            lines.append((t.bundle, "\(t.made) \(Instant.iso(bundleCreated)) (\(age(result.verifiedAt.saturatingSubtracting(bundleCreated)))\(t.old))"))
        }
        return lines
    }

    /// `label` padded with spaces to `width` terminal columns (CJK characters take two).
    static func padded(_ label: String, to width: Int) -> String {
        let columns = label.unicodeScalars.reduce(0) { $0 + (($1.value >= 0x1100 && $1.value <= 0x115F) || ($1.value >= 0x2E80 && $1.value <= 0xA4CF) || ($1.value >= 0xAC00 && $1.value <= 0xD7A3) || ($1.value >= 0xF900 && $1.value <= 0xFAFF) || ($1.value >= 0xFF00 && $1.value <= 0xFF60) ? 2 : 1) }
        return label + String(repeating: " ", count: max(1, width - columns))
    }

    func age(_ seconds: Int64) -> String { Self.age(seconds, units: labels.units) }

    static func age(_ seconds: Int64, units: (String, String, String, String) = Labels.english.units) -> String {
        let s = seconds == .min ? Int64.max : abs(seconds)
        let text: String
        switch s {
        case ..<120: text = "\(s) \(units.0)"
        case ..<7200: text = "\(s / 60) \(units.1)"
        case ..<172_800: text = "\(s / 3600) \(units.2)"
        default: text = "\(s / 86_400) \(units.3)"
        }
        return seconds < 0 ? "-" + text : text
    }
}
