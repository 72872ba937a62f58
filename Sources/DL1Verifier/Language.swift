/// The languages a verifier's explanations can be given in. Verdict words, check names and
/// JSON stay as FORMAT §5 defines them in every language; only sentences for people change.
public enum Language: String, Sendable, CaseIterable, Codable {
    /// English (the default, and the language of `VerificationResult.reason` and of JSON).
    case english = "en"
    /// Simplified Chinese.
    case chinese = "zh"

    /// The language a POSIX locale names, from the first of `LC_ALL`, `LC_MESSAGES` and `LANG`
    /// that is set and not empty (as `setlocale` reads them): Chinese for `zh…`, else English.
    public static func fromLocale(environment: [String: String]) -> Language {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment[name], !value.isEmpty else { continue }
            return value.lowercased().hasPrefix("zh") ? .chinese : .english
        }
        return .english
    }
}
