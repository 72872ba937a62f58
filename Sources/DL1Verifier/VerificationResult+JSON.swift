import DL1Format

extension VerificationResult {
    /// The machine-readable form (one object per code): `verdict`, `reason`, `check`, `layer`
    /// or `condition` when relevant, `verified_at`, `signer`, `status`, and `licence` once the
    /// signature verified. Bytes are lower-case hex, dates `YYYY-MM-DD`, instants ISO 8601 with `Z`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("verdict", .string(verdict.rawValue)),
            ("reason", .string(reason)),
            ("check", check.map { .string($0.rawValue) } ?? .null),
        ]
        if let layer { members.append(("layer", .string(layer.rawValue))) }
        if let condition { members.append(("condition", .string(condition.rawValue))) }
        members.append(("verified_at", .string(Instant.iso(verifiedAt))))
        if let signer {
            members.append(("signer", .object([("kid", .string(signer.kid)),
                                               ("subject", signer.subject.map { .string($0) } ?? .null)])))
        }
        if let status {
            members.append(("status", .object([
                ("uri", .string(status.uri)),
                ("idx", .int(Int64(clamping: status.index))),
                ("value", status.value.map { .string($0.description) } ?? .null),
                ("list_issued_at", status.listIssuedAt.map { .string(Instant.iso($0)) } ?? .null),
                ("list_expires_at", status.listExpiresAt.map { .string(Instant.iso($0)) } ?? .null),
                ("list_age_seconds", status.listIssuedAt.map { .int(verifiedAt.saturatingSubtracting($0)) } ?? .null),
                ("list_stale_from", status.listStaleFrom.map { .string(Instant.iso($0)) } ?? .null),
                ("list_refetch_at", status.listRefetchAt.map { .string(Instant.iso($0)) } ?? .null),
                ("list_refetch_overdue", .bool(status.listRefetchOverdue)),
                ("unknown_allowed", .bool(status.unknownAllowed)),
            ])))
        }
        if let presentation {
            members.append(("presentation", .object([
                ("t", .string(Instant.iso(presentation.time))),
                ("age_seconds", .int(presentation.age)),
                ("window_seconds", .int(presentation.window)),
                ("holder_key_thumbprint", .string(presentation.thumbprint)),
                ("signed_by_bound_device", .bool(presentation.signedByBoundDevice)),
            ])))
        }
        if let claims {
            members.append(("code", .object([
                ("iss", .string(claims.issuer)),
                ("iat", .string(Instant.iso(claims.issuedAt))),
                ("exp", .string(Instant.iso(claims.expiresAt))),
                ("cti", .string(Hex.encode(claims.credentialID))),
            ])))
            members.append(("licence", claims.licence.json(asOf: claims.issuedAt)))
        }
        return .object(members)
    }
}

extension VerificationResult {
    /// The object `dl-verify --json` writes for one code: `source` (what it was read from) and,
    /// for a code read from an image, `read` (the reader's step and the image's size), then ``json``.
    public func json(source: String, read scan: ImageVerification? = nil) -> JSONValue {
        guard case .object(let members) = json else { return json }
        var head: [(String, JSONValue)] = [("source", .string(source))]
        if let scan, let step = scan.step {
            head.append(("read", .object([("step", .string(step.rawValue)), ("width", .int(Int64(scan.width))), ("height", .int(Int64(scan.height)))])))
        }
        return .object(head + members)
    }
}

extension Licence {
    /// The licence as JSON, with the points' "as of" instant.
    public func json(asOf: Int64) -> JSONValue {
        .object([
            ("document_number", .string(documentNumber)),
            ("family_name", .string(familyName)),
            ("given_name", givenName.map { .string($0) } ?? .null),
            ("birth_date", .string(birthDate.description)),
            ("issue_date", .string(issueDate.description)),
            ("expiry_date", .string(expiryDate.description)),
            ("issuing_country", .string(issuingCountry)),
            ("issuing_authority", .string(issuingAuthority)),
            ("driving_privileges", .array(privileges.map { p in
                .object([
                    ("category", .string(p.category)),
                    ("issue_date", .string(p.issueDate.description)),
                    ("expiry_date", p.expiryDate.map { .string($0.description) } ?? .null),
                    ("restrictions", p.restrictions.map { .string($0) } ?? .null),
                ])
            })),
            ("portrait_sha256", .string(Hex.encode(portraitHash))),
            ("points", .object([
                ("remaining", .int(Int64(clamping: points.remaining))),
                ("maximum", .int(Int64(clamping: points.maximum))),
                ("cycle_end", .string(points.cycleEnd.description)),
                ("as_of", .string(Instant.iso(asOf))),
            ])),
        ])
    }
}
