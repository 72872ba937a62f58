internal import CCrypto

/// A failure in the cryptography layer, with OpenSSL's own reason where it gave one.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What the caller was doing, e.g. "reading the private key".
    public let operation: String
    /// OpenSSL's reason, when it queued one.
    public let detail: String?

    /// An error for `operation`, with an optional detail.
    public init(_ operation: String, detail: String? = nil) {
        self.operation = operation
        self.detail = detail
    }

    public var description: String {
        detail.map { "\(operation): \($0)" } ?? operation
    }

    /// An error carrying (and clearing) OpenSSL's error queue.
    static func openSSL(_ operation: String) -> CryptoError {
        let code = ERR_get_error()
        var detail: String?
        if code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            detail = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        ERR_clear_error()
        return CryptoError(operation, detail: detail)
    }
}
