/// A failure of an issuer operation, with a message a user can act on.
public struct IssuerError: Error, Sendable, CustomStringConvertible {
    /// The explanation.
    public let description: String

    /// An error with its explanation.
    public init(_ description: String) { self.description = description }
}
