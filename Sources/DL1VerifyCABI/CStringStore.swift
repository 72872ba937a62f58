#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owned NUL-terminated UTF-8 copies of Swift strings, freed with their owner.
enum CStringStore {
    /// One C string, alive as long as this object. Immutable after init (only read), hence Sendable.
    final class Entry: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<CChar>

        init(_ text: String) {
            // Interior NULs cannot cross into C: they are replaced so the string is not cut short.
            let bytes = Array(text.utf8).map { $0 == 0 ? UInt8(ascii: "?") : $0 }
            pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            bytes.withUnsafeBufferPointer { source in
                for (i, byte) in source.enumerated() { pointer[i] = CChar(bitPattern: byte) }
            }
            pointer[bytes.count] = 0
        }

        deinit { pointer.deallocate() }
    }

    /// A caller's C string as Swift text, or nil when it is NULL or not UTF-8.
    static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        return String(validatingCString: pointer)
    }

    /// A caller's byte buffer, or nil when the pointer is NULL with a non-zero length (callers
    /// check the length's bound, including a size_t too large for Int, before this).
    static func bytes(_ pointer: UnsafePointer<UInt8>?, _ length: Int) -> [UInt8]? {
        if length == 0 { return [] }
        guard let pointer, length > 0 else { return nil }
        return Array(UnsafeBufferPointer(start: pointer, count: length))
    }
}
