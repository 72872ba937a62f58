import DL1Crypto
import DL1Format
import DL1HTTPServer
import DL1ServiceAPI
import DL1Verifier

/// The JSON body of `POST /v1/verify`: a code's text (`DL1:` or a `DL2:` presentation) and the
/// CLI's optional inputs.
public struct VerifyRequest: Encodable, Sendable, Hashable {
    public var text: String
    /// A category the holder must hold today (as `--category`).
    public var category: String?
    /// SHA-256 of the portrait the holder presents, hex (as `--portrait`, hashed).
    public var portraitSHA256: String?
    /// The portrait itself, base64url or base64 (JPEG or PNG, hashed here and dropped).
    public var portrait: String?
    /// Whether only a DL2 presentation by the holder's device is accepted (as `--require-holder-binding`).
    public var requireHolderBinding: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case text, category, portrait
        case portraitSHA256 = "portrait_sha256"
        case requireHolderBinding = "require_holder_binding"
    }

    /// Reads a body. Strict: a member this API does not know, or one given twice, is refused, so
    /// that a misspelt option (say `categroy`) cannot silently turn a check off. A `null` optional
    /// member is as if absent.
    public init(body: some Collection<UInt8>) throws(Problem) {
        let json: JSONInput
        do { json = try JSONInput.parse(body) } catch {
            throw Problem(.malformedRequest, status: 400, detail: "the body is not JSON (expected \(error))")
        }
        guard case .object(let members) = json else { throw Problem(.malformedRequest, status: 400, detail: "the body must be a JSON object") }
        var values: [CodingKeys: JSONInput] = [:]
        for (name, value) in members {
            guard let key = CodingKeys(rawValue: name) else {
                let known = CodingKeys.allCases.map(\.rawValue).sorted().joined(separator: ", ")
                throw Problem(.malformedRequest, status: 400,
                              detail: "the body has an unknown member '\(TextSafety.sanitized(String(name.prefix(40))))' (known: \(known))")
            }
            guard values.updateValue(value, forKey: key) == nil else {
                throw Problem(.malformedRequest, status: 400, detail: "the member '\(name)' is given twice")
            }
        }
        func string(_ key: CodingKeys) throws(Problem) -> String? {
            switch values[key] {
            case nil, .null?: return nil
            case .string(let value)?: return value
            default: throw Problem(.malformedRequest, status: 400, detail: "the member '\(key.rawValue)' has the wrong type")
            }
        }
        guard let text = try string(.text) else {
            throw Problem(.malformedRequest, status: 400, detail: values[.text] == nil ? "the member 'text' is missing" : "the member 'text' has the wrong type")
        }
        self.text = text
        category = try string(.category)
        portraitSHA256 = try string(.portraitSHA256)
        portrait = try string(.portrait)
        switch values[.requireHolderBinding] {
        case nil, .null?: requireHolderBinding = nil
        case .bool(let value)?: requireHolderBinding = value
        default: throw Problem(.malformedRequest, status: 400, detail: "the member 'require_holder_binding' has the wrong type")
        }
    }

    public init(text: String, category: String? = nil, portraitSHA256: String? = nil, portrait: String? = nil, requireHolderBinding: Bool? = nil) {
        self.text = text
        self.category = category
        self.portraitSHA256 = portraitSHA256
        self.portrait = portrait
        self.requireHolderBinding = requireHolderBinding
    }

    /// The body's options over those of the query (the body's win).
    func apply(to request: inout Verifier.Request) throws(Problem) {
        guard text.unicodeScalars.count <= VerifyQuery.maxTextLength else {
            throw Problem(.malformedRequest, status: 400, detail: "the member 'text' is longer than \(VerifyQuery.maxTextLength) characters (no QR code holds that much)")
        }
        if let category { request.category = try VerifyQuery.category(category, name: "category") }
        if let portraitSHA256 { request.portraitHash = try VerifyQuery.portraitHash(portraitSHA256, name: "portrait_sha256") }
        if let portrait {
            if portraitSHA256 != nil {
                throw Problem(.malformedRequest, status: 400, detail: "give the member 'portrait' or 'portrait_sha256', not both")
            }
            // base64 or base64url; '=' padding only at the end.
            var unpadded = Substring(portrait)
            while unpadded.hasSuffix("=") { unpadded = unpadded.dropLast() }
            let text = unpadded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            guard portrait.count - unpadded.count <= 2, let bytes = Base64URL.decode(text, limit: CounterService.maxPortraitBytes), !bytes.isEmpty else {
                throw Problem(.malformedRequest, status: 400, detail: "the member 'portrait' must be a base64 image of at most \(CounterService.maxPortraitBytes / 1024) KiB")
            }
            request.portraitHash = SHA256.hash(bytes)
        }
        if let requireHolderBinding { request.requireHolderBinding = requireHolderBinding }
    }
}

/// The query parameters of `POST /v1/verify`, checked.
enum VerifyQuery {
    /// The longest text taken, in Unicode scalars: more than a version-40 QR code holds.
    static let maxTextLength = 8 * 1024

    static func language(_ lang: String?, acceptLanguage: String?) throws(Problem) -> Language {
        if let lang {
            guard let language = Language(rawValue: lang) else {
                throw Problem(.malformedRequest, status: 400, detail: "the parameter 'lang' must be en or zh")
            }
            return language
        }
        let first = acceptLanguage?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return first.hasPrefix("zh") ? .chinese : .english
    }

    static func request(_ query: some Sequence<(key: Substring, value: Substring)>) throws(Problem) -> Verifier.Request {
        var request = Verifier.Request()
        var seen = Set<Substring>()
        for (key, value) in query {
            guard seen.insert(key).inserted else {
                throw Problem(.malformedRequest, status: 400, detail: "the parameter '\(TextSafety.sanitized(String(key.prefix(40))))' is given twice")
            }
            switch key {
            case "lang": continue
            case "category": request.category = try category(String(value), name: "category")
            case "portrait_sha256": request.portraitHash = try portraitHash(String(value), name: "portrait_sha256")
            case "require_holder_binding":
                switch value {
                case "true", "1": request.requireHolderBinding = true
                case "false", "0": request.requireHolderBinding = false
                default: throw Problem(.malformedRequest, status: 400, detail: "the parameter 'require_holder_binding' must be true or false")
                }
            default:
                throw Problem(.malformedRequest, status: 400,
                              detail: "unknown parameter '\(TextSafety.sanitized(String(key.prefix(40))))' (known: lang, category, portrait_sha256, require_holder_binding)")
            }
        }
        return request
    }

    static func category(_ value: String, name: String) throws(Problem) -> String {
        guard !value.isEmpty, value.utf8.count <= 16, value.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic || ("0"..."9").contains($0) }) else {
            throw Problem(.malformedRequest, status: 400, detail: "the \(name) must be a category code of 1 to 16 letters and digits, e.g. C1")
        }
        return value
    }

    static func portraitHash(_ value: String, name: String) throws(Problem) -> [UInt8] {
        guard value.utf8.count == 64, let hash = Hex.decode(value), hash.count == 32 else {
            throw Problem(.malformedRequest, status: 400, detail: "the \(name) must be 64 hex digits (a SHA-256)")
        }
        return hash
    }

    /// The media type of a `Content-Type`, lower-cased, without parameters.
    static func mediaType(_ header: String?) -> String? {
        guard let header else { return nil }
        let type = header.utf8.prefix { $0 != UInt8(ascii: ";") }
        let trimmed = type.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
        guard !trimmed.isEmpty else { return nil }
        return String(decoding: trimmed.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
