import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An advisory lock on an issuer folder (flock on `DIR/.lock`), held for a whole command:
/// issuing commands share it, key commands take it alone, so a key is never withdrawn or
/// replaced while another process is still signing with it, and two key commands never
/// overwrite each other's settings.
public final class IssuerLock: @unchecked Sendable {
    private let descriptor: Int32

    /// Waits for the lock of the issuer folder `folder`.
    public convenience init(folder: URL, exclusive: Bool) throws(IssuerError) {
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("issuer.json").path) else {
            throw IssuerError(.notAnIssuerFolder, "\(folder.path) is not an issuer folder (no issuer.json)")
        }
        try self.init(file: folder.appendingPathComponent(".lock"), exclusive: exclusive)
    }

    /// Waits for a lock on `file` (made, mode 0600, when missing); failures carry `code`.
    init(file: URL, exclusive: Bool, code: IssuerError.Code = .unspecified) throws(IssuerError) {
        let path = file.path
        var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        // A reader without write access to the folder (listing a read-only copy) shares the
        // lock through a read-only descriptor, when the lock file exists.
        if fd < 0 && !exclusive { fd = open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw IssuerError(code, "cannot open the lock file \(path)") }
        guard flock(fd, exclusive ? LOCK_EX : LOCK_SH) == 0 else {
            close(fd)
            throw IssuerError(code, "cannot lock \(path)")
        }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
