/// A failure on the holder's side: a stable ``Code`` and a message that states the facts.
public struct HolderError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is (stable raw values).
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The text is not a bound credential (not DL1, malformed, or not bound).
        case notBoundCredential = "not-bound-credential"
        /// The credential is bound to another device key.
        case boundToAnotherKey = "bound-to-another-key"
        /// The credential's issuer signature or chain does not verify against the trust given.
        case untrusted
        /// The device key cannot be made, read or used.
        case deviceKey = "device-key"
        /// The device key needs its passphrase or PIN, and none was given.
        case secretNeeded = "secret-needed"
        /// The wallet folder is missing, damaged or already exists.
        case wallet
        /// No stored credential matches, or several do.
        case noCredential = "no-credential"
        /// The presentation does not fit a QR code, or its time is out of range.
        case presentation
    }

    /// The kind of failure.
    public let code: Code
    /// The explanation.
    public let description: String

    /// An error with its code and explanation.
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
