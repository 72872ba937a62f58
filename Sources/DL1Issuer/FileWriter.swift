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

    /// The temporary name for a file being written: `.NAME.PID-START.UUID.tmp`. The process id
    /// and start time let a later run tell the leftovers of a killed process from a live
    /// writer's files, even when process ids are reused.
    static func temporaryName(for name: String) -> String {
        ".\(name).\(ProcessProbe.current.pid)-\(ProcessProbe.current.start).\(UUID().uuidString).tmp"
    }

    /// Removes from `folder` the temporary files this tool left when a process was killed
    /// mid-write: names `.NAME.PID-START.UUID.tmp` (or `.NAME.PID.UUID.tmp`) whose process no
    /// longer runs (and, from versions that did not record the process, `.NAME.UUID.tmp` older
    /// than an hour). Returns how many.
    @discardableResult
    static func removeStaleTemporaries(in folder: URL, now: Date = Date()) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let parts = name.dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 3, UUID(uuidString: String(parts[parts.count - 1])) != nil else { continue }
            let path = folder.appendingPathComponent(name).path
            let stale: Bool
            let owner = parts.count >= 4 ? parts[parts.count - 2].split(separator: "-") : []
            if let first = owner.first, let pid = Int32(first), pid > 0, owner.count <= 2 {
                let start = owner.count == 2 ? Int64(owner[1]) ?? 0 : 0
                stale = !ProcessProbe.isCurrent(pid, start: start) && !ProcessProbe.isRunning(pid, start: start)
            } else {
                let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
                stale = modified.map { now.timeIntervalSince($0) > 3600 } ?? false
            }
            if stale, (try? FileManager.default.removeItem(atPath: path)) != nil { removed += 1 }
        }
        return removed
    }

    /// Writes `bytes` to `url` through a temporary file renamed into place. With `sync` false
    /// the data is not flushed here: the caller flushes a whole group at once with
    /// ``syncFileSystem(of:)`` before recording it written (a batch: one flush per group, not
    /// one per file).
    static func write(_ bytes: [UInt8], to url: URL, permissions: Int = 0o644, sync: Bool = true) throws(IssuerError) {
        // Replace only a regular file: never a device, a FIFO, a folder or a symbolic link
        // (attributesOfItem does not follow links).
        if let type = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType,
           type != .typeRegular {
            throw IssuerError("\(url.path) exists and is not a regular file (\(type == .typeSymbolicLink ? "a symbolic link" : type.rawValue)): give another output path")
        }
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(temporaryName(for: url.lastPathComponent))
        // Plain system calls: open (exclusive), fchmod (the mode whatever the umask), write,
        // fsync when asked, close, rename: no more per file.
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(permissions))
        guard fd >= 0 else {
            throw IssuerError("cannot create a file in \(directory.path) (does the folder exist and is it writable?)")
        }
        func fail(_ what: String) -> IssuerError {
            let reason = POSIXErrorCode(rawValue: errno).map { "\(POSIXError($0).localizedDescription)" } ?? "error \(errno)"
            close(fd)
            unlink(temporary.path)
            return IssuerError("cannot \(what) \(url.path): \(reason)")
        }
        guard fchmod(fd, mode_t(permissions)) == 0 else { throw fail("set the permissions of") }
        do { try FileHandle(fileDescriptor: fd, closeOnDealloc: false).write(contentsOf: Data(bytes)) } catch { throw fail("write") }
        if sync { guard fsync(fd) == 0 else { throw fail("flush") } }
        guard close(fd) == 0 else {
            unlink(temporary.path)
            throw IssuerError("cannot write \(url.path): the file could not be closed (error \(errno))")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = POSIXErrorCode(rawValue: errno).map { "\(POSIXError($0).localizedDescription)" } ?? "error \(errno)"
            unlink(temporary.path)
            throw IssuerError("cannot move the new file into place at \(url.path): \(reason)")
        }
    }

    /// Flushes the files written so far, `folder`'s among them, to disk: one sync(2) for a
    /// whole group (Linux waits for it to complete; Glibc's module does not offer syncfs).
    static func syncFileSystem(of folder: URL) throws(IssuerError) {
        sync()
    }
}
