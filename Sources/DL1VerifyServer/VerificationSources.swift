import DL1ServiceClient
import DL1Verifier
import Foundation

/// Where a verifier's data comes from, as a handheld or a counter is given it: a pinned trust
/// folder, handheld bundles, a cache kept by a sync, and Status List Tokens. Loading reads every
/// file afresh, so a long-running service loads again when ``fingerprint()`` changes.
public struct VerificationSources: Sendable, Hashable {
    public var trust: String
    public var bundles: [String]
    public var cache: String?
    public var statusFiles: [String]

    public init(trust: String, bundles: [String] = [], cache: String? = nil, statusFiles: [String] = []) {
        self.trust = trust
        self.bundles = bundles
        self.cache = cache
        self.statusFiles = statusFiles
    }

    /// Why the data could not be loaded.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public enum Code: String, Sendable {
            /// The trust folder, a bundle or a status file is missing, unreadable or unusable.
            case unusable
            /// The cache folder holds no completed sync.
            case cacheNeverSynced = "cache-never-synced"
            /// The cache folder's state cannot be read.
            case cacheUnreadable = "cache-unreadable"
        }
        public let code: Code
        public let description: String
    }

    /// The verifier over everything the sources hold, the warnings about what was skipped, and
    /// what a caller shows about the data's age.
    public struct Loaded: Sendable {
        public let verifier: Verifier
        public let warnings: [String]
        /// When the oldest bundle used was made.
        public let oldestBundle: Int64?
        /// The cache's last sync, when a cache is used.
        public let cacheState: HandheldCache.State?
    }

    public func load(options: Verifier.Options) throws(LoadError) -> Loaded {
        var setup: VerifierSetup
        var cacheState: HandheldCache.State?
        do {
            setup = try VerifierSetup(trustDirectory: URL(fileURLWithPath: trust))
            for path in bundles { try setup.addBundle(file: path) }
            if let cache {
                let folder = HandheldCache(folder: URL(fileURLWithPath: cache))
                let state: HandheldCache.State?
                do { state = try folder.state() } catch { throw LoadError(code: .cacheUnreadable, description: error.description) }
                guard let state else { throw LoadError(code: .cacheNeverSynced, description: "the cache \(cache) was never synced") }
                cacheState = state
                try setup.addBundle(file: folder.bundleFile.path)
            }
            for path in statusFiles { try setup.addStatusToken(file: path) }
        } catch let error as LoadError {
            throw error
        } catch let error as VerifierSetup.SetupError {
            throw LoadError(code: .unusable, description: error.description)
        } catch {
            throw LoadError(code: .unusable, description: "\(error)")
        }
        let (verifier, warnings) = setup.makeVerifier(options: options)
        return Loaded(verifier: verifier, warnings: warnings, oldestBundle: setup.oldestBundle, cacheState: cacheState)
    }

    /// What changes when any source changes: each file's path, size and modification time (the
    /// trust folder's entries, the bundles, the cache's state and bundle, the status files).
    public func fingerprint() -> [String] {
        let fm = FileManager.default
        func stamp(_ path: String) -> String {
            let attributes = try? fm.attributesOfItem(atPath: path)
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            // The inode too: a file replaced by a rename (as sync and publication do) is a new
            // inode even when its size and time look the same.
            let inode = (attributes?[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
            return "\(path)\t\(size)\t\(modified)\t\(inode)"
        }
        var paths = ((try? fm.contentsOfDirectory(atPath: trust)) ?? []).sorted().map { (trust as NSString).appendingPathComponent($0) }
        paths += bundles + statusFiles
        if let cache {
            let folder = HandheldCache(folder: URL(fileURLWithPath: cache))
            paths += [folder.stateFile.path, folder.bundleFile.path]
        }
        return [stamp(trust)] + paths.map(stamp)
    }
}
