/// The handheld bundle of FORMAT §6: one file that brings a handheld up to date,
/// `{"v": 1, "created": uint, "certs": [bstr], "crls": [bstr], "status": [bstr]}`.
///
/// Nothing in it is trusted for being in it: every item is verified against the roots the
/// verifier already pins. Unknown keys are ignored; an item that is not a byte string is
/// skipped with a warning.
public struct HandheldBundle: Sendable, Hashable {
    /// When the bundle was made (seconds since the epoch).
    public var created: Int64
    /// DER certificates: document signers (and roots, for display only).
    public var certificates: [[UInt8]]
    /// DER CRLs.
    public var revocationLists: [[UInt8]]
    /// Status List Tokens (tagged COSE_Sign1 bytes).
    public var statusTokens: [[UInt8]]
    /// Items skipped while reading.
    public private(set) var warnings: [String] = []

    /// A bundle from its items.
    public init(created: Int64, certificates: [[UInt8]], revocationLists: [[UInt8]], statusTokens: [[UInt8]]) {
        self.created = created
        self.certificates = certificates
        self.revocationLists = revocationLists
        self.statusTokens = statusTokens
    }

    /// The bundle's CBOR encoding.
    public var encoded: [UInt8] {
        CBOREncoder.encode(.map([
            .init("v", 1),
            .init("created", .int(created)),
            .init("certs", .array(certificates.map { .bytes($0) })),
            .init("crls", .array(revocationLists.map { .bytes($0) })),
            .init("status", .array(statusTokens.map { .bytes($0) })),
        ]))
    }

    /// Why a file is not a bundle at all.
    public struct FormatError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The most items a bundle's CBOR may hold: a national bundle has a thousand signers, some
    /// CRLs and up to ``maxItemsPerArray`` status tokens.
    public static let maxCBORItems = 100_000
    /// The most items taken from each of `certs`, `crls` and `status` (each costs a parse and
    /// a signature check); the rest are skipped with one warning.
    public static let maxItemsPerArray = 10_000
    /// Warnings listed one by one per array; past this they are counted in one more.
    static let maxWarningsPerArray = 10

    /// Reads a bundle. The outer structure must be right (a map with `v` = 1 and `created`);
    /// bad items inside are skipped and listed in ``warnings``.
    public init(bytes: [UInt8]) throws(FormatError) {
        let item: CBOR
        do { item = try CBORDecoder(maxItems: Self.maxCBORItems).decode(bytes) } catch { throw FormatError(description: "not a DL1 bundle: \(error)") }
        guard case .map = item else { throw FormatError(description: "not a DL1 bundle: not a CBOR map") }
        guard item[textKey: "v"] == .unsigned(1) else { throw FormatError(description: "not a version-1 DL1 bundle (\"v\" is not 1)") }
        guard let created = item[textKey: "created"]?.uint64, created <= UInt64(Int64.max) else {
            throw FormatError(description: "the bundle has no \"created\" time")
        }
        var warnings: [String] = []
        func items(_ key: String) -> [[UInt8]] {
            guard let value = item[textKey: key] else { return [] }
            guard let list = value.arrayItems else {
                warnings.append("\"\(key)\" is not an array: skipped")
                return []
            }
            var kept: [[UInt8]] = []
            var bad = 0
            for (offset, element) in list.prefix(Self.maxItemsPerArray).enumerated() {
                guard let bytes = element.byteString else {
                    bad += 1
                    if bad <= Self.maxWarningsPerArray { warnings.append("\"\(key)\" item \(offset + 1) is not a byte string: skipped") }
                    continue
                }
                kept.append(bytes)
            }
            if bad > Self.maxWarningsPerArray {
                warnings.append("\"\(key)\": \(bad - Self.maxWarningsPerArray) more items that are not byte strings: skipped")
            }
            if list.count > Self.maxItemsPerArray {
                warnings.append("\"\(key)\" has \(list.count) items: those after the first \(Self.maxItemsPerArray) are skipped")
            }
            return kept
        }
        self.created = Int64(created)
        self.certificates = items("certs")
        self.revocationLists = items("crls")
        self.statusTokens = items("status")
        self.warnings = warnings
    }
}
