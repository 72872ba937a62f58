import DL1Crypto
import DL1Format
import Foundation

/// Gathers a verifier's trust material the way a handheld receives it: a trust folder, then
/// bundles (FORMAT §6) and Status List Tokens, as files or bytes. Every file read is bounded
/// (the trust folder's too, see ``TrustStore/load(directory:)``);
/// anything unusable inside is skipped with a warning, as FORMAT §3 and §6 ask.
///
/// Used by `dl-verify` and by the C library, so both accept exactly the same inputs.
public struct VerifierSetup: Sendable {
    /// The trust store so far (pinned roots and signers, plus what bundles added).
    public private(set) var trustStore: TrustStore
    /// The Status List Tokens so far, each distinct token once, not yet checked against the
    /// trust store (their lists are inflated by ``makeVerifier(options:)``, after that check).
    public private(set) var statusTokens: [StatusListToken] = []
    /// What names each of ``statusTokens`` in warnings (its file, or its bundle and position).
    private var statusTokenNames: [String] = []
    /// SHA-256 of every token met so far, parseable or not: a repeated token is skipped at once.
    private var seenTokens = Set<[UInt8]>()
    /// What was skipped and why (the trust folder's, the bundles' and the status files').
    public private(set) var warnings: [String] = []
    /// When the oldest bundle added was made, if any was.
    public private(set) var oldestBundle: Int64?

    /// The largest bundle read (a national bundle of 100M credentials is about 2 MB).
    public static let maxBundleBytes = 64 * 1024 * 1024
    /// The largest Status List Token read.
    public static let maxStatusBytes = 40 * 1024 * 1024
    /// The most distinct Status List Tokens taken from one bundle (an issuer's default list
    /// holds a million entries, so a hundred lists cover a country); the bundle's later tokens
    /// are skipped with one warning. Each token costs a signature check.
    public static let maxBundleStatusTokens = 10_000

    /// Why a setup step failed: a file could not be read, or the trust folder or a bundle is unusable.
    public struct SetupError: Error, Sendable, CustomStringConvertible {
        /// What went wrong.
        public enum Kind: Sendable, Hashable {
            /// A file is missing, unreadable or too large.
            case io
            /// The trust folder is missing or holds no root.
            case trust
            /// A bundle is not a DL1 bundle.
            case bundle
        }
        /// The kind of failure.
        public let kind: Kind
        /// The explanation, naming the file.
        public let description: String
    }

    /// A setup over an already built trust store.
    public init(trustStore: TrustStore) {
        self.trustStore = trustStore
    }

    /// A setup over a trust folder (see ``TrustStore/load(directory:)``).
    public init(trustDirectory: URL) throws(SetupError) {
        do { trustStore = try TrustStore.load(directory: trustDirectory) }
        catch { throw SetupError(kind: .trust, description: error.description) }
    }

    /// Adds a handheld bundle's signer certificates, CRLs and status tokens; `name` labels warnings.
    public mutating func addBundle(_ bytes: [UInt8], name: String) throws(SetupError) {
        guard bytes.count <= Self.maxBundleBytes else {
            throw SetupError(kind: .io, description: "the bundle \(name) is larger than 64 MiB")
        }
        let bundle: HandheldBundle
        do { bundle = try HandheldBundle(bytes: bytes) } catch { throw SetupError(kind: .bundle, description: "\(name): \(error)") }
        trustStore = trustStore.adding(bundle)
        var taken = 0
        for (i, bytes) in bundle.statusTokens.enumerated() {
            guard taken < Self.maxBundleStatusTokens else {
                warnings.append("bundle: status tokens \(i + 1) to \(bundle.statusTokens.count) skipped: at most \(Self.maxBundleStatusTokens) distinct status tokens are taken from one bundle")
                break
            }
            if add(bytes, name: "\(name): status token \(i + 1)", failure: { "bundle: status token \(i + 1) skipped: \($0)" }) { taken += 1 }
        }
        oldestBundle = min(oldestBundle ?? bundle.created, bundle.created)
    }

    /// Reads and adds a bundle file.
    public mutating func addBundle(file path: String) throws(SetupError) {
        try addBundle(try Self.read(path, limit: Self.maxBundleBytes, what: "bundle"), name: path)
    }

    /// Adds a Status List Token. One that cannot be parsed is ignored as if absent (FORMAT §3),
    /// with a warning, so the device's data can be fixed. A token identical to one already
    /// added (from a file, bytes or a bundle) is skipped before any other work.
    public mutating func addStatusToken(_ bytes: [UInt8], name: String) {
        add(bytes, name: name) { "\(name) ignored: \($0)" }
    }

    /// Adds a token unless an identical one was met already; true when it was new.
    @discardableResult
    private mutating func add(_ bytes: [UInt8], name: String, failure: (StatusListToken.ParseError) -> String) -> Bool {
        let digest = SHA256.hash(bytes)
        guard seenTokens.insert(digest).inserted else { return false }
        do {
            statusTokens.append(try StatusListToken(bytes: bytes, digest: digest))
            statusTokenNames.append(name)
        } catch {
            warnings.append(failure(error))
        }
        return true
    }

    /// Reads and adds a Status List Token file; only an unreadable or oversized file is an error.
    public mutating func addStatusToken(file path: String) throws(SetupError) {
        addStatusToken(try Self.read(path, limit: Self.maxStatusBytes, what: "status file"), name: path)
    }

    /// The verifier, and every warning: the setup's own, one per token whose list does not
    /// inflate or did not fit the budget (``Verifier/Options/statusDataBudget``), and one
    /// counting the tokens whose signer is not trusted (their lists are never inflated).
    public func makeVerifier(options: Verifier.Options = Verifier.Options()) -> (verifier: Verifier, warnings: [String]) {
        let verifier = Verifier(trustStore: trustStore, statusTokens: statusTokens, options: options)
        var all = trustStore.warnings + warnings
        for warning in verifier.statusTokenWarnings where warning.kind != .untrusted {
            all.append("\(statusTokenNames[warning.index]): \(warning.description)")
        }
        let ignored = verifier.statusTokenWarnings.count { $0.kind == .untrusted }
        if ignored > 0 {
            all.append("\(ignored) status token(s) ignored: they could not be verified against the trust store (unknown kid, bad signature, or a signer that is not a trusted document signer)")
        }
        return (verifier, all)
    }

    /// A regular file's bytes, refusing more than `limit` bytes without reading past it. A FIFO,
    /// a device or a folder is refused before it is opened (opening a FIFO would block).
    package static func read(_ path: String, limit: Int, what: String) throws(SetupError) -> [UInt8] {
        let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        if let type, type != .typeRegular {
            throw SetupError(kind: .io, description: "the \(what) \(path) is not a regular file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SetupError(kind: .io, description: "cannot read the \(what) \(path)")
        }
        defer { try? handle.close() }
        let data: Data?
        do { data = try handle.read(upToCount: limit + 1) }
        catch { throw SetupError(kind: .io, description: "cannot read the \(what) \(path): \(error.localizedDescription)") }
        let bytes = [UInt8](data ?? Data())
        guard bytes.count <= limit else {
            throw SetupError(kind: .io, description: "the \(what) \(path) is larger than \(limit / (1024 * 1024)) MiB")
        }
        return bytes
    }
}
