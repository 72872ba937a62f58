/// An issuer's settings, kept in `issuer.json` in its folder.
public struct IssuerSettings: Codable, Sendable, Hashable {
    /// Settings file format version (2: authorities, signer records, key storage).
    public var format: Int = 2
    /// ISO 3166-1 alpha-2 country (licence key 7, the certificates' `C`).
    public var country: String
    /// Authority code (the codes' `iss`, the document signer's `OU`), e.g. `CN-31`.
    public var authorityCode: String
    /// Authority name (licence key 8).
    public var authorityName: String
    /// Status list URIs are this base followed by `/N`.
    public var statusURIBase: String
    /// Entries per status list.
    public var statusListCapacity: Int
    /// The `ttl` of published status tokens, seconds.
    public var statusTimeToLive: Int64
    /// How long a published status token is valid (exp − iat), seconds.
    public var statusValidity: Int64
    /// Vehicle categories this issuer may grant.
    public var categories: [String]
    /// Hex kid of the document signer that signs new codes of the first authority.
    public var activeSigner: String
    /// Further authorities under the same root (`dl-issue authority add`).
    public var additionalAuthorities: [Authority]?
    /// Every document signer made, with its state (absent in files made by version 1).
    public var signers: [SignerRecord]?
    /// Where private keys live (absent: PEM files in private/).
    public var keyStorage: KeyStorage?
    /// The number of the last CRL the root issued.
    public var crlNumber: UInt64?
    /// The identity of this issuer's registry (absent in files made before registries had one).
    public var registry: RegistryIdentity?
    /// A PostgreSQL registry's address, `postgres://USER@HOST:PORT/DATABASE` (absent: the
    /// SQLite file `registry.sqlite` in the issuer folder). Never with a password.
    public var registryAddress: String?
    /// A file holding the PostgreSQL registry's password (absent: the environment variable
    /// `DL_REGISTRY_PASSWORD`, else none).
    public var registryPasswordFile: String?

    /// An issuing authority: its code (`iss`, the signer's `OU`) and name (licence key 8).
    public struct Authority: Codable, Sendable, Hashable {
        public var code: String
        public var name: String
        /// Hex kid of its active document signer.
        public var activeSigner: String
    }

    /// A document signer and where it stands.
    public struct SignerRecord: Codable, Sendable, Hashable {
        public enum State: String, Codable, Sendable { case active, retired, withdrawn }
        public var kid: String
        public var authority: String
        public var state: State
        public var notBefore: Int64
        public var notAfter: Int64
        public var withdrawnAt: Int64?
        public var withdrawalReason: String?
        /// The key's label in a PKCS#11 token (nil for a key file).
        public var keyLabel: String?
    }

    /// Where the private keys are.
    public struct KeyStorage: Codable, Sendable, Hashable {
        /// "files" (PEM in private/) or "pkcs11".
        public var kind: String
        /// Whether key files are encrypted with a passphrase.
        public var encrypted: Bool?
        /// The PKCS#11 module and token.
        public var module: String?
        public var tokenLabel: String?
        /// The root key's label in the token.
        public var rootKeyLabel: String?

        /// Key storage of a kind ("files" or "pkcs11").
        public init(kind: String, encrypted: Bool? = nil, module: String? = nil, tokenLabel: String? = nil, rootKeyLabel: String? = nil) {
            self.kind = kind
            self.encrypted = encrypted
            self.module = module
            self.tokenLabel = tokenLabel
            self.rootKeyLabel = rootKeyLabel
        }
    }

    /// Every authority, the first one first.
    public var authorities: [Authority] {
        [Authority(code: authorityCode, name: authorityName, activeSigner: activeSigner)] + (additionalAuthorities ?? [])
    }

    /// Makes `kid` the active signer of `authority`.
    public mutating func setActiveSigner(_ kid: String, for authority: String) {
        if authority == authorityCode { activeSigner = kid; return }
        if let i = additionalAuthorities?.firstIndex(where: { $0.code == authority }) { additionalAuthorities![i].activeSigner = kid }
    }

    /// The 17 vehicle classes of the Chinese system, the default category list.
    public static let chineseCategories = ["A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "C6",
                                           "D", "E", "F", "M", "N", "P"]

    /// Settings from their values.
    public init(country: String, authorityCode: String, authorityName: String, statusURIBase: String,
                statusListCapacity: Int = 1_000_000, statusTimeToLive: Int64 = 6 * 3600, statusValidity: Int64 = 48 * 3600,
                categories: [String] = IssuerSettings.chineseCategories, activeSigner: String = "") {
        self.country = country
        self.authorityCode = authorityCode
        self.authorityName = authorityName
        self.statusURIBase = statusURIBase
        self.statusListCapacity = statusListCapacity
        self.statusTimeToLive = statusTimeToLive
        self.statusValidity = statusValidity
        self.categories = categories
        self.activeSigner = activeSigner
    }

    /// Checks the settings a user gives at `init`.
    public func validate() throws(IssuerError) {
        guard country.count == 2, country.utf8.allSatisfy({ (65...90).contains($0) }) else {
            throw IssuerError(.invalidCountry, "the country must be an ISO 3166-1 alpha-2 code in capitals (e.g. CN), not '\(country)'")
        }
        guard !authorityCode.isEmpty, authorityCode.count <= 32,
              authorityCode.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0.value < 127 }) else {
            throw IssuerError(.invalidAuthorityCode, "the authority code must be 1 to 32 printable ASCII characters without spaces, not '\(authorityCode)'")
        }
        guard !authorityName.trimmingCharacters(in: .whitespaces).isEmpty, authorityName.count <= 200 else {
            throw IssuerError(.invalidAuthorityName, "the authority name must not be empty (and at most 200 characters)")
        }
        guard TextSafety.isPrintable(authorityName) else {
            throw IssuerError(.invalidAuthorityName, "the authority name contains control or bidirectional-override characters")
        }
        guard !statusURIBase.isEmpty, !statusURIBase.contains(where: \.isWhitespace) else {
            throw IssuerError(.invalidStatusURIBase, "the status list URI base must be a URI without spaces")
        }
        guard (16...100_000_000).contains(statusListCapacity) else {
            throw IssuerError(.invalidStatusListCapacity, "a status list's capacity must be between 16 and 100000000 entries, not \(statusListCapacity)")
        }
        guard !categories.isEmpty, Set(categories).count == categories.count,
              categories.allSatisfy({ !$0.isEmpty && $0.count <= 8 && $0.allSatisfy { $0.isLetter || $0.isNumber } }) else {
            throw IssuerError(.invalidCategories, "the vehicle categories must be distinct codes of 1 to 8 letters or digits")
        }
    }
}

import DL1Format
import Foundation
