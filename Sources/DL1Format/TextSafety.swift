/// Which characters may stand in licence text: printable ones only, so that a code can never
/// carry line breaks, terminal escapes or bidirectional overrides onto a verifier's screen.
public enum TextSafety {
    /// Whether `scalar` is a control character (C0, DEL, C1) or a bidirectional control.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1f, 0x7f...0x9f: return true
        case 0x200e, 0x200f, 0x202a...0x202e, 0x2066...0x2069, 0x061c: return true
        case 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// Whether `text` has no unsafe character.
    public static func isPrintable(_ text: String) -> Bool {
        !text.unicodeScalars.contains(where: isUnsafe)
    }

    /// `text` with each unsafe character shown as a visible escape such as `\u{1B}`.
    public static func sanitized(_ text: String) -> String {
        guard !isPrintable(text) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) { out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}" } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
