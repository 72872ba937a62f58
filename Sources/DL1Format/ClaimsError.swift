/// Why a payload is not a valid DL1 claims set (FORMAT §1.6 and §2): MALFORMED, layer `claims`.
public struct ClaimsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, in words.
    public let description: String

    /// An error with its explanation.
    public init(_ description: String) { self.description = description }
}
