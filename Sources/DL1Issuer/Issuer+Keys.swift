import DL1Crypto
import DL1Format
import DL1Verifier
import Foundation

/// A document signer with what the registry knows of it, for `keys list`.
public struct SignerSummary: Sendable {
    public let record: IssuerSettings.SignerRecord
    /// Credentials whose latest code it signed.
    public let codesSigned: Int
    /// The latest exp among those codes.
    public let lastCodeExpiry: Int64?
}

/// Reasons a document signer may be withdrawn for (permanent ones only, FORMAT §4).
public let permanentWithdrawalReasons: [String: RevocationReason] = [
    "keyCompromise": .keyCompromise, "affiliationChanged": .affiliationChanged,
    "superseded": .superseded, "cessationOfOperation": .cessationOfOperation,
]

extension Issuer {
    /// Every document signer, with the codes it signed.
    public func signerSummaries() throws(IssuerError) -> [SignerSummary] {
        let usage = try registry.signerUsage()
        return signerRecords.map { record in
            let hit = usage[record.kid]
            return SignerSummary(record: record, codesSigned: hit?.count ?? 0, lastCodeExpiry: hit?.lastExpiry)
        }
    }

    /// A new document signer for `authority` becomes the signing key; the old one is retired
    /// (signs nothing more) and stays in the trust folder while codes it signed are unexpired.
    public func rotateSigner(authority code: String? = nil) throws(IssuerError) -> IssuerSettings {
        let code = code ?? settings.authorityCode
        guard let authority = settings.authorities.first(where: { $0.code == code }) else {
            throw IssuerError("this issuer has no authority \(code)")
        }
        var updated = settings
        try Self.makeSigner(for: authority, root: rootCertificate, rootKey: try keys.rootKey(), keys: keys, layout: directory,
                            settings: &updated, now: clock())
        try saveAndRefreshTrust(updated)
        return updated
    }

    /// Adds an authority under the same root, with its own document signer (OU = its code).
    public func addAuthority(code: String, name: String) throws(IssuerError) -> IssuerSettings {
        guard !settings.authorities.contains(where: { $0.code == code || $0.name == name }) else {
            throw IssuerError("an authority with code \(code) or name '\(name)' already exists")
        }
        var probe = settings
        probe.authorityCode = code
        probe.authorityName = name
        try probe.validate()
        var updated = settings
        let authority = IssuerSettings.Authority(code: code, name: name, activeSigner: "")
        updated.additionalAuthorities = (updated.additionalAuthorities ?? []) + [authority]
        try Self.makeSigner(for: authority, root: rootCertificate, rootKey: try keys.rootKey(), keys: keys, layout: directory,
                            settings: &updated, now: clock())
        try saveAndRefreshTrust(updated)
        return updated
    }

    /// Withdraws a document signer for good: the root issues a CRL listing every withdrawn
    /// signer (FORMAT §4), written beside the certificates in trust/ (and so in the bundle).
    /// A withdrawn active signer is replaced by a new one at once.
    public func withdrawSigner(kid: String, reason: String) throws(IssuerError) -> IssuerSettings {
        guard permanentWithdrawalReasons[reason] != nil else {
            throw IssuerError(.withdrawalReasonInvalid, "'\(reason)' is not a reason for withdrawing a signer: it must be one of \(permanentWithdrawalReasons.keys.sorted().joined(separator: ", ")) (permanent reasons only)")
        }
        let record = try signerRecord(matching: kid)
        guard let index = signerRecords.firstIndex(where: { $0.kid == record.kid }) else { throw IssuerError("no document signer with kid \(kid)") }
        var updated = settings
        let now = clock()
        let rootKey = try keys.rootKey()
        if record.state != .withdrawn {
            updated.signers![index].state = .withdrawn
            updated.signers![index].withdrawnAt = now
            updated.signers![index].withdrawalReason = reason
            if record.state == .active, let authority = updated.authorities.first(where: { $0.code == record.authority }) {
                try Self.makeSigner(for: authority, root: rootCertificate, rootKey: rootKey, keys: keys, layout: directory, settings: &updated, now: now)
            }
        }
        // Settings first: the issuer stops signing with the key before the CRL exists; running
        // the command again publishes the CRL again.
        updated.crlNumber = (updated.crlNumber ?? 0) + 1
        try saveAndRefreshTrust(updated)
        var entries: [(certificate: Certificate, date: Int64, reason: RevocationReason)] = []
        for withdrawn in updated.signers! where withdrawn.state == .withdrawn {
            entries.append((try Self.readCertificate(directory.signerCertificateFile(kidHex: withdrawn.kid)), withdrawn.withdrawnAt ?? now,
                            permanentWithdrawalReasons[withdrawn.withdrawalReason ?? ""] ?? .keyCompromise))
        }
        let crl = try Self.wrap {
            try CertificateRevocationList.make(root: rootCertificate, rootKey: rootKey, number: updated.crlNumber!, entries: entries,
                                               thisUpdate: now, nextUpdate: now + 30 * 86_400)
        }
        let pem = try Self.wrap { try crl.pem() }
        try FileWriter.write(pem, to: directory.certificatesFolder.appendingPathComponent("root.crl.pem"))
        try FileWriter.write(pem, to: directory.trustFolder.appendingPathComponent("root.crl.pem"))
        return updated
    }

    /// Gives every live credential whose code `kid` signed a fresh code signed by its
    /// authority's active signer (same credential, same status entry), written into `folder`.
    /// Returns how many codes were written.
    public func resignCodes(of kid: String, into folder: URL, format: OutputRequest.Format, errorCorrection: QRCodeMatrixECC, scale: Int,
                            lifetime: CodeLifetime) throws(IssuerError) -> Int {
        let record = try signerRecord(matching: kid)
        guard let signerKid = Hex.decode(record.kid) else { throw IssuerError("bad kid \(record.kid)") }
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        catch { throw IssuerError("cannot create the folder \(folder.path)") }
        var written = 0
        for credential in try registry.liveCredentials(signedBy: signerKid) {
            let iat = clock()
            let exp = try expiry(for: lifetime, licence: credential.licence, iat: iat)
            let signer = try signer(for: try authority(of: credential.licence).code)
            try checkSigner(signer, at: iat)
            // A bound credential's code is text for its holder's device, whatever the format asked.
            let output = batchOutput(for: credential.licence, folder: folder, format: credential.holderKey == nil ? format : .text,
                                     ecc: errorCorrection, scale: scale)
            _ = try makeCode(credentialID: credential.credentialID, list: credential.list, index: credential.index,
                             licence: credential.licence, holderKey: credential.holderKey, iat: iat, exp: exp, output: output)
            try registry.update(credential.credentialID, expected: [credential.status], signerKid: signer.kid, codeTimes: (iat, exp),
                                events: [("resigned", "fresh code signed by \(Hex.encode(signer.kid)) instead of \(record.kid)")], at: iat)
            written += 1
        }
        return written
    }

    /// The one signer whose kid is `kid` or starts with it (at least 4 hex digits).
    func signerRecord(matching kid: String) throws(IssuerError) -> IssuerSettings.SignerRecord {
        let key = kid.lowercased()
        let matches = signerRecords.filter { $0.kid == key || (key.count >= 4 && $0.kid.hasPrefix(key)) }
        guard let record = matches.first else { throw IssuerError(.unknownSigner, "no document signer with kid \(kid)") }
        guard matches.count == 1 || record.kid == key else {
            throw IssuerError("kid \(kid) matches \(matches.count) signers (\(matches.map(\.kid).joined(separator: ", "))): give more digits")
        }
        return record
    }

    /// Writes the settings and makes trust/ hold exactly what verifiers need: the root, every
    /// active or withdrawn signer, every retired one whose codes have not all expired, and the CRL.
    func saveAndRefreshTrust(_ updated: IssuerSettings) throws(IssuerError) {
        try Self.writeSettings(updated, to: directory.settingsFile)
        let usage = try registry.signerUsage()
        let now = clock()
        for record in updated.signers ?? [] {
            let file = directory.trustFolder.appendingPathComponent("ds-\(record.kid).pem")
            // Withdrawn signers stay, so that their codes answer UNTRUSTED_SIGNER (withdrawn), not UNKNOWN_SIGNER.
            // (With the verifiers' clock-skew leeway of 300 s.)
            let needed = record.state != .retired || (usage[record.kid]?.lastExpiry ?? .min) + 300 > now
            if needed, !FileManager.default.fileExists(atPath: file.path) {
                guard let data = FileManager.default.contents(atPath: directory.signerCertificateFile(kidHex: record.kid).path) else {
                    throw IssuerError("the certificate of signer \(record.kid) is missing from \(directory.certificatesFolder.path)")
                }
                try FileWriter.write([UInt8](data), to: file)
            } else if !needed {
                try? FileManager.default.removeItem(at: file)
            }
        }
    }
}
