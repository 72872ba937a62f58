/// Why a byte string is not an acceptable CBOR item under the strict DL1 profile.
public struct CBORError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as a stable code tests and callers can match.
    public enum Code: String, Hashable, Sendable {
        case truncated, trailingBytes, indefiniteLength, reservedAdditionalInfo, invalidSimpleValue
        case invalidUTF8, duplicateMapKey, nestingTooDeep, lengthTooLarge, tooManyItems
    }

    /// The kind of failure.
    public let code: Code
    /// The byte offset in the input at which it was found.
    public let offset: Int

    /// Creates an error of `code` found at `offset`.
    public init(_ code: Code, at offset: Int) {
        self.code = code
        self.offset = offset
    }

    public var description: String {
        let what: String
        switch code {
        case .truncated: what = "the data ends in the middle of an item"
        case .trailingBytes: what = "there are bytes after the item"
        case .indefiniteLength: what = "indefinite-length items are not allowed"
        case .reservedAdditionalInfo: what = "a reserved additional-information value (28-30) is used"
        case .invalidSimpleValue: what = "a simple value below 32 is encoded in two bytes"
        case .invalidUTF8: what = "a text string is not valid UTF-8"
        case .duplicateMapKey: what = "a map has the same key twice"
        case .nestingTooDeep: what = "items are nested too deeply"
        case .lengthTooLarge: what = "a length or count exceeds the data available"
        case .tooManyItems: what = "there are more items than this document may hold"
        }
        return "CBOR: \(what) (at byte \(offset))"
    }
}
