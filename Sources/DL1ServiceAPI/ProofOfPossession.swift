import DL1Format

/// The bytes a device signs (ES256 with its device key) to prove that it holds the key: the
/// deterministic CBOR encoding of an array that names the purpose, so that a signature made for
/// one request never serves another (a presentation is signed over `["DL2", …]`, FORMAT §7.2).
///
/// - Enrolment: `["dl1-enrol", challenge, code, deviceKey]` (the code exactly as sent), with a
///   fifth item, the portrait's SHA-256, when the enrolment carries a portrait
/// - Application: `["dl1-application", challenge, applicationID]`
/// - Refresh: `["dl1-refresh", challenge, credentialID]`
///
/// (`challenge`, `deviceKey` and `credentialID` as byte strings, the others as text.)
public enum ProofOfPossession {
    public static func enrolment(challenge: [UInt8], code: String, deviceKey: [UInt8], portraitSHA256: [UInt8]? = nil) -> [UInt8] {
        CBOREncoder.encode(.array([.text("dl1-enrol"), .bytes(challenge), .text(code), .bytes(deviceKey)] + (portraitSHA256.map { [.bytes($0)] } ?? [])))
    }

    public static func application(challenge: [UInt8], applicationID: String) -> [UInt8] {
        CBOREncoder.encode(.array([.text("dl1-application"), .bytes(challenge), .text(applicationID)]))
    }

    public static func refresh(challenge: [UInt8], credentialID: [UInt8]) -> [UInt8] {
        CBOREncoder.encode(.array([.text("dl1-refresh"), .bytes(challenge), .bytes(credentialID)]))
    }
}
