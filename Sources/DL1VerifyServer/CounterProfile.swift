import DL1Verifier

/// Which fields of a verification result leave a counter service: data minimisation by the
/// counter's business. The verdict, its reason and check, the verification time, how an image
/// was read and who signed the code always leave; the rest as the profile allows.
public enum CounterProfile: String, Sendable, CaseIterable {
    /// A police officer: everything `dl-verify --json` prints.
    case police
    /// A car-rental counter: the holder's name, the categories with their dates and the
    /// licence's validity and issuer.
    case rental
    /// An insurer handling a claim: the rental fields, the document number and the birth date.
    case insurer
    /// An employer hiring a driver: the rental fields and the penalty points.
    case employer

    /// The licence members this profile lets out (nil: all of them).
    public var licenceMembers: Set<String>? {
        switch self {
        case .police: return nil
        case .rental: return Self.rentalMembers
        case .insurer: return Self.insurerMembers
        case .employer: return Self.employerMembers
        }
    }

    private static let rentalMembers: Set<String> = ["family_name", "given_name", "issue_date", "expiry_date", "issuing_country",
                                                     "issuing_authority", "driving_privileges"]
    private static let insurerMembers = rentalMembers.union(["document_number", "birth_date"])
    private static let employerMembers = rentalMembers.union(["points"])

    /// The result members this profile lets out besides `licence` (nil: all of them). The
    /// status entry (its list and index), the credential id and the device key's thumbprint
    /// identify a holder across visits, so only the police see them.
    public var resultMembers: Set<String>? { self == .police ? nil : Self.counterResultMembers }

    private static let counterResultMembers: Set<String> = ["source", "read", "verdict", "reason", "check", "layer", "condition", "verified_at",
                                                            "signer", "licence"]

    /// The result as `dl-verify --json` writes it, without what this profile keeps back.
    public func filter(_ result: JSONValue) -> JSONValue {
        guard case .object(let members) = result else { return result }
        let kept = members.compactMap { (name, value) -> (String, JSONValue)? in
            if let allowed = resultMembers, !allowed.contains(name) { return nil }
            guard name == "licence", let allowed = licenceMembers, case .object(let licence) = value else { return (name, value) }
            return (name, .object(licence.filter { allowed.contains($0.0) }))
        }
        return .object(kept)
    }
}
