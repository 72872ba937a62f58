internal import CZlib

/// zlib streams (RFC 1950): DEFLATE with the zlib header and the Adler-32 check.
public enum Zlib {
    /// The cap of FORMAT §1.4: a code's inflated COSE_Sign1 may be at most 64 KiB.
    public static let codeLimit = 65_536
    /// The cap of FORMAT §3: a status list's inflated array may be at most 32 MiB.
    public static let statusListLimit = 32 * 1024 * 1024

    /// Why a zlib stream was rejected.
    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// The data is not a valid zlib stream (bad header, bad DEFLATE data, Adler-32 mismatch).
        case corrupt(String)
        /// The stream ends before its end marker.
        case truncated
        /// Bytes follow the end of the stream.
        case trailingBytes(Int)
        /// The inflated data exceeds the cap.
        case tooLarge(limit: Int)

        public var description: String {
            switch self {
            case .corrupt(let m): return "zlib: the data is not a valid zlib stream (\(m))"
            case .truncated: return "zlib: the stream is truncated"
            case .trailingBytes(let n): return "zlib: \(n) byte(s) follow the end of the stream"
            case .tooLarge(let limit): return "zlib: the data inflates to more than \(limit) bytes"
            }
        }
    }

    /// The CRC-32 of `bytes` (ISO 3309, as PNG chunks carry it), continuing from `crc`.
    public static func crc32(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        UInt32(bytes.withUnsafeBufferPointer { CZlib.crc32(uLong(crc), $0.baseAddress, uInt($0.count)) })
    }

    /// Compresses `bytes` at the best compression level. The window is the smallest that holds
    /// the whole input (a code is a few hundred bytes: a 512-byte window finds every match a
    /// 32 KiB one would, without allocating and clearing 256 KiB per call).
    public static func compress(_ bytes: [UInt8], level: Int32 = 9) -> [UInt8] {
        var stream = z_stream()
        var windowBits: Int32 = 9
        while windowBits < 15 && (1 << windowBits) < bytes.count + 262 { windowBits += 1 }
        let memLevel: Int32 = windowBits < 12 ? 4 : 8
        guard dl1_deflateInit2(&stream, level, windowBits, memLevel) == Z_OK else { preconditionFailure("deflateInit failed") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(bytes.count)))
        var out = [UInt8](repeating: 0, count: bound)
        var input = bytes
        let produced: Int = input.withUnsafeMutableBufferPointer { inBuf in
            out.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                let rc = deflate(&stream, Z_FINISH)
                precondition(rc == Z_STREAM_END, "deflate into a deflateBound buffer must finish")
                return outBuf.count - Int(stream.avail_out)
            }
        }
        out.removeSubrange(produced...)
        return out
    }

    /// Compresses a code's bytes (a COSE_Sign1 or a DL2 presentation, a few hundred bytes) the
    /// cheap way that loses nothing on them: see ``FixedDeflate``. Anything larger than a code
    /// may be (``codeLimit``) goes through zlib's own deflate.
    public static func compressCode(_ bytes: [UInt8]) -> [UInt8] {
        bytes.count <= codeLimit ? FixedDeflate.zlib(bytes) : compress(bytes)
    }

    /// Inflates one zlib stream that must span all of `bytes`, refusing output beyond `limit`.
    ///
    /// Exactly `limit` bytes are allowed; one more is not. Memory use is bounded by `limit`
    /// whatever the input claims (a zlib bomb stops at the cap).
    public static func decompress(_ bytes: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard dl1_inflateInit(&stream) == Z_OK else { throw .corrupt("inflateInit failed") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        // The working buffer is not zero-filled: inflate writes it, and only what it wrote is
        // copied out (zeroing 16 KiB cost more instructions than the rest of inflating a code).
        let chunk = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 16_384)
        defer { chunk.deallocate() }
        var input = bytes
        let result: Result<Int, Failure> = input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            while true {
                stream.next_out = chunk.baseAddress
                stream.avail_out = uInt(chunk.count)
                let rc = inflate(&stream, Z_NO_FLUSH)
                let produced = chunk.count - Int(stream.avail_out)
                if output.count + produced > limit { return .failure(.tooLarge(limit: limit)) }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<produced]))
                switch rc {
                case Z_STREAM_END:
                    return .success(Int(stream.avail_in))
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: input exhausted before the end marker.
                    if stream.avail_in == 0 { return .failure(.truncated) }
                    continue
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "error \(rc)"
                    return .failure(.corrupt(message))
                }
            }
        }
        switch result {
        case .failure(let f): throw f
        case .success(let leftover):
            guard leftover == 0 else { throw .trailingBytes(leftover) }
            return output
        }
    }
}
