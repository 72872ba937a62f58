import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file whole or not at all: a temporary file beside it (with its final
/// permissions), then a rename, so a reader never sees half of one.
public enum AtomicFile {
    /// Writes `bytes` to `url` with `permissions`; a failure is a ``HolderError`` of `code`.
    public static func write(_ bytes: [UInt8], to url: URL, permissions: Int = 0o644, code: HolderError.Code) throws(HolderError) {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(bytes), attributes: [.posixPermissions: permissions]) else {
            throw HolderError(code, "cannot write into \(folder.path) (does the folder exist and is it writable?)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw HolderError(code, "cannot write \(url.path)")
        }
    }
}
