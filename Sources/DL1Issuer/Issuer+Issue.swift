import DL1Crypto
import DL1Format
import DL1QREncode
import DL1Verifier
import Foundation

/// How long a new code is acceptable.
public enum CodeLifetime: Sendable, Hashable {
    /// exp = iat + seconds (a phone code; default 24 h).
    case seconds(Int64)
    /// exp = 00:00 UTC of the day after the licence's expiry date (a printed card).
    case untilLicenceExpiry
}

/// Where and how a new code is written.
public struct OutputRequest: Sendable, Hashable {
    /// The kinds of output.
    public enum Format: String, Sendable, CaseIterable {
        case png, svg, text = "txt", terminal
    }

    /// The format.
    public var format: Format
    /// The file, for every format but terminal.
    public var file: URL?
    /// QR error correction.
    public var errorCorrection: QRCodeMatrix.ErrorCorrection
    /// Pixels (PNG) or user units (SVG) per module.
    public var scale: Int
    /// Whether the file is flushed to disk before the call returns (a batch flushes a whole
    /// group at once instead).
    public var flush = true

    /// An output request.
    public init(format: Format, file: URL?, errorCorrection: QRCodeMatrix.ErrorCorrection = .medium, scale: Int = 8) {
        self.format = format
        self.file = file
        self.errorCorrection = errorCorrection
        self.scale = scale
    }
}

/// What `issue` produced.
public struct IssuedCode: Sendable {
    /// The credential id.
    public let credentialID: [UInt8]
    /// The code's text.
    public let text: String
    /// The signed claims.
    public let claims: DL1Claims
    /// The QR version of the rendered code (nil for text output).
    public let qrVersion: Int?
    /// The terminal drawing, for terminal output.
    public let terminalDrawing: String?
    /// Where the code went: a file path, "terminal" or "stdout".
    public let destination: String
}

extension Issuer {
    /// Checks a licence against the issuer's rules before anything is recorded.
    public func validate(_ licence: Licence) throws(IssuerError) {
        let today = CalendarDate(utcDayOf: clock())
        try Self.checkText(licence.documentNumber, "the document number", max: 64)
        try Self.checkText(licence.familyName, "the family name", max: 100)
        if let given = licence.givenName { try Self.checkText(given, "the given name", max: 100) }
        guard licence.issuingCountry == settings.country, settings.authorities.contains(where: { $0.name == licence.issuingAuthority }) else {
            throw IssuerError("the licence's country and authority must be this issuer's (\(settings.country); \(settings.authorities.map(\.name).joined(separator: ", ")))")
        }
        guard licence.birthDate.components.year >= 1900 else { throw IssuerError("the birth date \(licence.birthDate) is before 1900") }
        guard licence.birthDate < licence.issueDate else { throw IssuerError("the birth date \(licence.birthDate) must be before the issue date \(licence.issueDate)") }
        guard licence.issueDate <= today else { throw IssuerError("the issue date \(licence.issueDate) is in the future") }
        guard licence.issueDate <= licence.expiryDate else { throw IssuerError("the expiry date \(licence.expiryDate) is before the issue date \(licence.issueDate)") }
        guard licence.expiryDate.components.year <= 9998 else { throw IssuerError("the expiry date \(licence.expiryDate) is too far away (year 9998 at most)") }
        guard !licence.privileges.isEmpty else { throw IssuerError(.noPrivileges, "a licence needs at least one driving privilege") }
        guard licence.privileges.count <= settings.categories.count else { throw IssuerError("a licence may hold at most \(settings.categories.count) categories") }
        var seen = Set<String>()
        for p in licence.privileges {
            guard settings.categories.contains(p.category) else {
                throw IssuerError("category \(p.category) is not one this issuer grants (\(settings.categories.joined(separator: " ")))")
            }
            guard seen.insert(p.category).inserted else { throw IssuerError("category \(p.category) is given twice") }
            guard p.issueDate > licence.birthDate else { throw IssuerError("category \(p.category) is granted before the holder's birth") }
            guard p.issueDate <= today else { throw IssuerError("category \(p.category) is granted in the future (\(p.issueDate))") }
            if let e = p.expiryDate {
                guard e >= p.issueDate else { throw IssuerError("category \(p.category) expires (\(e)) before it is granted (\(p.issueDate))") }
                guard e <= licence.expiryDate else { throw IssuerError("category \(p.category) expires (\(e)) after the licence (\(licence.expiryDate))") }
            }
            if let r = p.restrictions { try Self.checkText(r, "the restrictions of \(p.category)", max: 64) }
        }
        let points = licence.points
        guard points.maximum <= 1000, points.remaining <= points.maximum else {
            throw IssuerError("points must be REMAINING/MAXIMUM with 0 ≤ remaining ≤ maximum ≤ 1000 (0/0 where there is no points system)")
        }
        guard points.cycleEnd > licence.birthDate, points.cycleEnd <= max(licence.expiryDate, today.adding(days: 366)) else {
            throw IssuerError("the points cycle end \(points.cycleEnd) is not plausible (after the birth date, at most the licence's expiry or a year from today)")
        }
        guard licence.portraitHash.count == 32 else { throw IssuerError("the portrait hash must be 32 bytes (SHA-256)") }
    }

    /// A printable, non-blank text of at most `max` characters: no control characters and no
    /// bidirectional overrides, which could make a verifier's screen show something else.
    static func checkText(_ text: String, _ what: String, max: Int) throws(IssuerError) {
        // One pass over the scalars (a batch checks three texts per licence): blank, unsafe,
        // replacement characters, and how many there are.
        var scalars = 0, blank = true, unsafe = false, replaced = false
        for scalar in text.unicodeScalars {
            scalars += 1
            // Blank as CharacterSet.whitespaces has it: space separators (Zs) and tab.
            if blank, scalar != "\t", scalar.properties.generalCategory != .spaceSeparator { blank = false }
            if TextSafety.isUnsafe(scalar) { unsafe = true }
            if scalar == "\u{FFFD}" { replaced = true }
        }
        // Characters never outnumber scalars: count them only when the scalars are too many.
        guard !blank, scalars <= max || text.count <= max else {
            throw IssuerError("\(what) must be 1 to \(max) characters and not blank")
        }
        guard !unsafe else {
            throw IssuerError("\(what) contains control or bidirectional-override characters")
        }
        // U+FFFD is what bytes that are not UTF-8 become on the way in (a command-line
        // argument, say): never sign a replacement character as someone's name.
        guard !replaced else {
            throw IssuerError(.invalidText, "\(what) is not valid UTF-8 text (it holds bytes that arrived as U+FFFD replacement characters)")
        }
    }

    /// Issues a new credential for `licence`: records it as pending, signs its code, writes the
    /// output (temporary file renamed into place) and hands the result to `deliver` (which
    /// prints terminal or standard-output codes), then marks the record written. Refused when
    /// the document number already has an active credential.
    /// With `holderKey`, the credential is bound to the holder's device (FORMAT §7.1): its
    /// code is text for that device only, never a picture.
    public func issue(_ licence: Licence, lifetime: CodeLifetime, output: OutputRequest?, holderKey: HolderKey? = nil,
                      deliver: (IssuedCode) throws -> Void = { _ in }) throws(IssuerError) -> IssuedCode {
        try createCredential(licence, lifetime: lifetime, output: output, supersedes: nil, holderKey: holderKey,
                             event: ("issued", holderKey.map { "bound to device \(String($0.thumbprint.prefix(16)))" }), deliver: deliver)
    }

    /// A new credential, optionally replacing `supersedes` (set SUPERSEDED in the same transaction).
    func createCredential(_ licence: Licence, lifetime: CodeLifetime, output: OutputRequest?, supersedes: [UInt8]?,
                          holderKey: HolderKey?, event: (kind: String, detail: String?),
                          deliver: (IssuedCode) throws -> Void) throws(IssuerError) -> IssuedCode {
        try validate(licence)
        try check(output, bound: holderKey != nil)
        let iat = clock()
        let exp = try expiry(for: lifetime, licence: licence, iat: iat)
        let signer = try signer(for: try authority(of: licence).code)
        try checkSigner(signer, at: iat)
        let reservation = try registry.reserve(.init(documentNumber: licence.documentNumber, licence: licence, signerKid: signer.kid,
                                                     issuedAt: iat, expiresAt: exp, supersedes: supersedes,
                                                     eventKind: event.kind, eventDetail: event.detail, holderKey: holderKey), settings: settings)
        // Until the output exists, a failure leaves nothing behind: the pending record is removed
        // (and a replaced credential is restored). Once it exists, the record stays (pending at
        // worst, reported by the next command).
        let issued: IssuedCode
        do throws(IssuerError) {
            issued = try makeCode(credentialID: reservation.credentialID, list: reservation.list, index: reservation.index,
                                  licence: licence, holderKey: holderKey, iat: iat, exp: exp, output: output)
        } catch {
            registry.discardPending(reservation.credentialID, at: clock())
            throw error
        }
        do { try deliver(issued) } catch { throw IssuerError("the code was made but could not be delivered (\(error)); its credential stays pending") }
        try registry.markWritten([reservation.credentialID])
        return issued
    }

    /// Signs and writes a code for an existing credential entry.
    func makeCode(credentialID: [UInt8], list: Registry.ListInfo, index: UInt64, licence: Licence, holderKey: HolderKey?,
                  iat: Int64, exp: Int64, output: OutputRequest?) throws(IssuerError) -> IssuedCode {
        try check(output, bound: holderKey != nil)
        let claims = DL1Claims(issuer: try authority(of: licence).code, issuedAt: iat, expiresAt: exp, credentialID: credentialID,
                               status: StatusReference(index: index, uri: list.uri), licence: licence, holderKey: holderKey)
        let text = try sign(claims)
        let (version, drawing, destination) = try write(text, output: output)
        return IssuedCode(credentialID: credentialID, text: text, claims: claims, qrVersion: version,
                          terminalDrawing: drawing, destination: destination)
    }

    func check(_ output: OutputRequest?, bound: Bool = false) throws(IssuerError) {
        guard let output else { return }
        if bound, output.format != .text {
            throw IssuerError(.boundCredentialAsPicture, "a bound credential is text for its holder's device only, never a QR picture for a verifier (the device shows a fresh presentation): write it as text (.txt or standard output), not as \(output.format.rawValue)")
        }
        guard (2...100).contains(output.scale) else { throw IssuerError(.outputScaleOutOfRange, "the scale must be between 2 and 100 pixels per module, not \(output.scale) (one pixel per module is too small to scan)") }
        if output.format != .terminal {
            guard let file = output.file else { throw IssuerError("an output file is needed for \(output.format.rawValue) output") }
            try FileWriter.preflight(file)
        }
    }

    /// exp for a code signed at `iat`.
    func expiry(for lifetime: CodeLifetime, licence: Licence, iat: Int64) throws(IssuerError) -> Int64 {
        switch lifetime {
        case .seconds(let s):
            guard s > 0, s <= 20 * 366 * 86_400 else { throw IssuerError(.codeLifetimeOutOfRange, "a code's lifetime must be positive and at most 20 years, not \(s) seconds") }
            return iat + s
        case .untilLicenceExpiry:
            let exp = licence.expiryDate.adding(days: 1).startOfDayUTC
            guard exp > iat else { throw IssuerError("the licence expired on \(licence.expiryDate): a code valid until expiry would already be expired") }
            guard exp - iat <= 20 * 366 * 86_400 else {
                throw IssuerError(.codeLifetimeOutOfRange, "the licence expires more than 20 years from now (\(licence.expiryDate)): a printed code that long-lived is refused")
            }
            return exp
        }
    }

    func checkSigner(_ signer: any DocumentSigner, at iat: Int64) throws(IssuerError) {
        guard signer.certificate.isValid(at: iat) else {
            throw IssuerError("the document signer's certificate is not valid now (valid \(Instant.iso(signer.certificate.notBefore)) to \(Instant.iso(signer.certificate.notAfter)))")
        }
    }

    /// Signs claims into a code's text. (The tests decode every kind of code back; issuance
    /// does not pay for a decode of its own.)
    public func sign(_ claims: DL1Claims) throws(IssuerError) -> String {
        let signer = try signer(for: claims.issuer)
        try checkSigner(signer, at: claims.issuedAt)
        let cose = try Self.wrap {
            try CodeSigner.sign(payload: claims.encoded, with: signer, typ: claims.holderKey == nil ? nil : DL1Header.boundCredentialType)
        }
        return DecodedCode.text(coseBytes: cose)
    }

    /// Characters of alphanumeric data a version-40 QR code holds at each level (ISO/IEC 18004).
    static let alphanumericCapacity: [QRCodeMatrix.ErrorCorrection: Int] = [.low: 4296, .medium: 3391, .quartile: 2420, .high: 1852]

    /// Every code must be printable as a QR code, even when only its text is written. Texts
    /// within the alphanumeric capacity always fit; longer ones are tried for real.
    static func checkFits(_ text: String, _ level: QRCodeMatrix.ErrorCorrection) throws(IssuerError) {
        guard text.utf8.count > alphanumericCapacity[level]! else { return }
        do { _ = try QRCodeMatrix(encoding: text, errorCorrection: level) }
        catch { throw IssuerError(.codeTooLarge, "\(error.description): the licence's text is too long for a QR code at this error-correction level") }
    }

    private func write(_ text: String, output: OutputRequest?) throws(IssuerError) -> (Int?, String?, String) {
        guard let output else {
            try Self.checkFits(text, .medium)
            return (nil, nil, "stdout")
        }
        if output.format == .text {
            try Self.checkFits(text, output.errorCorrection)
            try FileWriter.write(Array((text + "\n").utf8), to: output.file!, sync: output.flush)
            return (nil, nil, output.file!.path)
        }
        let matrix: QRCodeMatrix
        do { matrix = try QRCodeMatrix(encoding: text, errorCorrection: output.errorCorrection) }
        catch { throw IssuerError(.codeTooLarge, "\(error.description): the licence's text is too long for a QR code at this error-correction level") }
        let renderer = QRRenderer(matrix: matrix)
        switch output.format {
        case .png:
            let png: [UInt8]
            do { png = try renderer.png(scale: output.scale) } catch { throw IssuerError("cannot encode the PNG: \(error)") }
            try FileWriter.write(png, to: output.file!, sync: output.flush)
        case .svg:
            try FileWriter.write(Array(renderer.svg(scale: output.scale).utf8), to: output.file!, sync: output.flush)
        case .terminal:
            return (matrix.version, renderer.terminal(), "terminal")
        case .text:
            break
        }
        return (matrix.version, nil, output.file!.path)
    }
}
