internal import CCrypto

/// Memory BIO helpers: the one place PEM text crosses into and out of OpenSSL.
enum MemoryBIO {
    /// Runs `body` with a read-only BIO over `bytes`.
    static func reading<T>(_ bytes: [UInt8], _ body: (OpaquePointer) throws -> T) throws -> T {
        try bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                throw CryptoError.openSSL("allocating a memory BIO")
            }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// Every PEM object `read` finds in `pem`, one after the other (stops at the first that is not one).
    static func readAll<T>(_ pem: [UInt8], what: String, _ read: (OpaquePointer) -> OpaquePointer?,
                           _ wrap: (OpaquePointer) throws(CryptoError) -> T) throws(CryptoError) -> [T] {
        do {
            return try reading(pem) { bio in
                var items: [T] = []
                while let raw = read(bio) { items.append(try wrap(raw)) }
                ERR_clear_error()
                return items
            }
        } catch let error as CryptoError {
            throw error
        } catch {
            throw CryptoError("reading PEM \(what)", detail: "\(error)")
        }
    }

    /// Runs `body` with a writable BIO and returns what it wrote.
    static func writing(_ operation: String, _ body: (OpaquePointer) -> Int32) throws(CryptoError) -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.openSSL("allocating a memory BIO") }
        defer { BIO_free(bio) }
        guard body(bio) == 1 else { throw CryptoError.openSSL(operation) }
        var pointer: UnsafeMutablePointer<CChar>?
        let length = dl1_BIO_get_mem_data(bio, &pointer)
        guard let pointer, length > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            Array(UnsafeBufferPointer(start: $0, count: Int(length)))
        }
    }
}

/// DER output of an `i2d_*` function.
func derBytes(_ operation: String, _ i2d: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) throws(CryptoError) -> [UInt8] {
    let length = i2d(nil)
    guard length > 0 else { throw CryptoError.openSSL(operation) }
    var out = [UInt8](repeating: 0, count: Int(length))
    let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
        var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
        return i2d(&cursor)
    }
    guard written == length else { throw CryptoError.openSSL(operation) }
    return out
}
