import ArgumentParser
import DL1Crypto
import DL1Format
import DL1Issuer
import DL1Verifier
import Foundation

/// `--holder-key FILE`: bind the credential to the holder's device key (FORMAT §7.1).
public struct HolderKeyOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Bind the credential to this device public key (PEM SubjectPublicKeyInfo, P-256, as 'dl-wallet public-key' prints it). The code is then text for that device.",
        valueName: "FILE"))
    public var holderKey: String?

    public init() {}

    /// The largest key file read.
    static let maxBytes = 16 * 1024

    /// The key, read and checked; nil without the option.
    public func load() throws(IssuerError) -> HolderKey? {
        guard let holderKey else { return nil }
        return try Self.read(holderKey)
    }

    /// Reads a holder key file (PEM SubjectPublicKeyInfo on P-256).
    static func read(_ holderKey: String) throws(IssuerError) -> HolderKey {
        let data: [UInt8]
        do { data = try VerifierSetup.read(holderKey, limit: Self.maxBytes, what: "holder key file") }
        catch { throw IssuerError(.holderKeyUnusable, "\(error.description)") }
        do {
            guard let key = HolderKey(try P256PublicKey(pem: [UInt8](data))) else {
                throw IssuerError(.holderKeyUnusable, "the holder key file \(holderKey) holds a key whose point cannot be read")
            }
            return key
        } catch let error as IssuerError {
            throw error
        } catch { throw IssuerError(.holderKeyUnusable, "the holder key file \(holderKey) is not a P-256 public key in PEM (BEGIN PUBLIC KEY): \(error)") }
    }

    /// Refuses, before anything is done, an output that is a picture for a bound credential.
    public func check(_ output: OutputOptions) throws {
        guard holderKey != nil else { return }
        let format = output.format?.lowercased() ?? output.output.map { URL(fileURLWithPath: $0).pathExtension.lowercased() }
        if let format, format != "txt" {
            throw ValidationError("--holder-key makes a bound credential, which is text for the holder's device, never a QR picture for a verifier (the device shows fresh presentations): use --output FILE.txt or standard output, not \(format)")
        }
    }
}
