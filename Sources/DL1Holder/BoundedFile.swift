import DL1Verifier
import Foundation

/// Reads small files the wallet keeps or is given: regular files only, never more than a limit
/// (a FIFO or a huge file is refused before anything is read).
public enum BoundedFile {
    /// The bytes of the regular file at `path`, when it holds at most `limit` bytes; nil otherwise.
    public static func read(_ path: String, limit: Int) -> [UInt8]? {
        try? VerifierSetup.read(path, limit: limit, what: "file")
    }
}
