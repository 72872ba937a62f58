import DL1Compression
import DL1Crypto
import DL1Format
import DL1Verifier

/// Makes DL2 presentations (FORMAT §7.2): the bound credential's bytes, the time, and the
/// device's ES256 signature over `["DL2", credential, t]`, as `DL2:` + Base45(zlib(…)).
///
/// The clock and the signer are inputs: a phone's secure element, a PKCS#11 token or a key
/// file are all a ``RawSigner``.
public enum Presenter {
    /// How often a phone makes a new presentation at the least (FORMAT §7.2: every 20 s).
    public static let refreshInterval: Int64 = 15

    /// A presentation of `credential` made at `time` (seconds since the epoch), signed by `device`.
    /// The device must hold the key the credential is bound to.
    public static func present(_ credential: BoundCredential, at time: Int64, signer device: any RawSigner) throws(HolderError) -> String {
        guard time >= 0 else { throw HolderError(.presentation, "the presentation time \(time) is before 1970") }
        guard credential.isBound(to: device.publicKey) else {
            throw HolderError(.boundToAnotherKey, "credential \(credential.id) is bound to device key \(credential.holderKey.thumbprint.prefix(16))…, not to this device's key \(HolderKey(device.publicKey)?.thumbprint.prefix(16) ?? "?")…")
        }
        let t = UInt64(time)
        let signature: [UInt8]
        do { signature = try device.sign(Presentation.toBeSigned(credential: credential.coseBytes, time: t)) } catch {
            throw HolderError(.deviceKey, "the device key could not sign: \(error)")
        }
        let presentation = Presentation(credential: credential.coseBytes, time: t, holderSignature: signature)
        return Presentation.prefix + Base45.encode(Zlib.compressCode(presentation.encoded))
    }
}
