import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that a reader never sees half of one: into a temporary file beside the
/// target (created with the final permissions before any byte is written), flushed, then
/// renamed into place.
enum FileWriter {
    /// Checks, before anything is changed, that `url` can be written: its folder exists and is
    /// writable, and nothing but a regular file stands at the path.
    static func preflight(_ url: URL) throws(IssuerError) {
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.isWritableFile(atPath: directory.path) else {
            throw IssuerError("cannot write into \(directory.path): it does not exist, is not a folder or is not writable")
        }
        if let type = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType, type != .typeRegular {
            throw IssuerError("\(url.path) exists and is not a regular file: give another output path")
        }
    }

    static func write(_ bytes: [UInt8], to url: URL, permissions: Int = 0o644) throws(IssuerError) {
        // Replace only a regular file: never a device, a FIFO, a folder or a symbolic link
        // (attributesOfItem does not follow links).
        if let type = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType,
           type != .typeRegular {
            throw IssuerError("\(url.path) exists and is not a regular file (\(type == .typeSymbolicLink ? "a symbolic link" : type.rawValue)): give another output path")
        }
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil,
                                             attributes: [.posixPermissions: permissions]) else {
            throw IssuerError("cannot create a file in \(directory.path) (does the folder exist and is it writable?)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
            try handle.close()
            try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: temporary.path)
            guard rename(temporary.path, url.path) == 0 else {
                let reason = POSIXErrorCode(rawValue: errno).map { "\(POSIXError($0).localizedDescription)" } ?? "error \(errno)"
                throw IssuerError("cannot move the new file into place at \(url.path): \(reason)")
            }
        } catch let error as IssuerError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw IssuerError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
