import DL1Crypto
import DL1Format
import DL1Holder
import DL1ServiceAPI
import DL1Verifier
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A handheld's cache of the issuing service's data: the last good bundle (FORMAT §6) and what
/// the last sync learnt (`sync.json`: the source, its ETag, when it was fetched and checked,
/// when to check again).
public struct HandheldCache: Sendable {
    public let folder: URL
    public var bundleFile: URL { folder.appendingPathComponent("bundle.dlb") }
    public var stateFile: URL { folder.appendingPathComponent("sync.json") }

    public init(folder: URL) { self.folder = folder }

    public struct State: Codable, Sendable, Hashable {
        /// The service the data came from.
        public var source: String
        public var etag: String?
        /// When the bundle now cached was fetched, and when the service was last asked.
        public var fetchedAt: Int64
        public var checkedAt: Int64
        /// The bundle's own `created`.
        public var bundleCreated: Int64
        /// When to ask again: the shortest `ttl` of its status tokens after the fetch (a token's
        /// own ttl wins over HTTP caching headers, as the Token Status List draft says).
        public var nextCheck: Int64
    }

    /// The state of the last sync, or nil when the cache was never synced.
    public func state() throws(SyncError) -> State? {
        let fm = FileManager.default
        guard fm.fileExists(atPath: stateFile.path) || fm.fileExists(atPath: bundleFile.path) else { return nil }
        guard let data = BoundedFile.read(stateFile.path, limit: 64 * 1024), let state = try? JSONDecoder().decode(State.self, from: Data(data)),
              fm.fileExists(atPath: bundleFile.path) else {
            throw SyncError(.cacheDamaged, "the cache \(folder.path) is damaged (sync.json or bundle.dlb missing or unreadable): sync again")
        }
        return state
    }

    /// Replaces a file atomically: a temporary file in the same folder, flushed, then renamed.
    func replace(_ file: URL, with bytes: [UInt8]) throws(SyncError) {
        let temporary = folder.appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString)")
        do {
            try Data(bytes).write(to: temporary)
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary.path, file.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw SyncError(.cacheUnwritable, "cannot write \(file.path): \(error.localizedDescription)")
        }
    }
}

/// Why a sync did not update the cache (the cache keeps its last good data in every case).
public struct SyncError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The pinned trust folder cannot be used.
        case trust
        /// The service cannot be reached or answered with an error.
        case service
        /// What the service sent does not verify against the pinned trust folder, or is older
        /// than what the cache holds.
        case rejected
        case cacheDamaged = "cache-damaged"
        case cacheUnwritable = "cache-unwritable"
    }
    public let code: Code
    public let description: String
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

/// `dl-verify sync`: brings a handheld's cache up to date from the issuing service. The bundle
/// is fetched with the cached ETag (304 keeps the cache), every item in it is verified against
/// the pinned trust folder **before** anything is replaced, and the cache is replaced
/// atomically; a failure of any kind leaves the last good data in place.
public enum HandheldSync {
    public enum Outcome: Sendable, Hashable {
        /// The cached data is within its ttl: the service was not asked.
        case fresh
        /// The service has nothing newer (304).
        case notModified
        /// A new bundle was verified and cached.
        case updated(statusLists: Int, certificates: Int, revocationLists: Int)
    }

    public static func sync(from client: ServiceClient, into cache: HandheldCache, trust: URL, force: Bool = false,
                            now: Int64) async throws(SyncError) -> (Outcome, HandheldCache.State) {
        // The pinned trust first: without it nothing fetched could be checked.
        do { _ = try TrustStore.load(directory: trust) } catch { throw SyncError(.trust, error.description) }
        do { try FileManager.default.createDirectory(at: cache.folder, withIntermediateDirectories: true) } catch {
            throw SyncError(.cacheUnwritable, "cannot create the cache folder \(cache.folder.path): \(error.localizedDescription)")
        }
        let previous = try? cache.state()
        if let previous, !force, previous.source == client.baseURL, now < previous.nextCheck {
            return (.fresh, previous)
        }
        let fetched: ServiceClient.Fetched
        do {
            fetched = try await client.get(ServicePath.bundle, etag: previous?.source == client.baseURL ? previous?.etag : nil,
                                           limit: VerifierSetup.maxBundleBytes)
        } catch {
            throw SyncError(.service, "\(error.description); the cache keeps its data\(previous.map { " of \(Instant.iso($0.fetchedAt))" } ?? "")")
        }
        switch fetched {
        case .notModified(let etag):
            guard var state = previous else { throw SyncError(.rejected, "the service answered 304 to a first sync") }
            state.etag = etag
            state.checkedAt = now
            state.nextCheck = now + (nextInterval(bundle: try? HandheldBundle(bytes: Array((try? Data(contentsOf: cache.bundleFile)) ?? Data()))) ?? 3600)
            try cache.replace(cache.stateFile, with: try encode(state))
            return (.notModified, state)
        case .fetched(let bytes, let etag):
            let (bundle, roots) = try verify(bytes, trust: trust, source: client.baseURL)
            if let previous, bundle.created < previous.bundleCreated {
                throw SyncError(.rejected, "the service's bundle was made on \(Instant.iso(bundle.created)), before the cached one (\(Instant.iso(previous.bundleCreated))): refusing to go back")
            }
            // `created` is not signed: the signed items themselves must not go back either.
            if let cachedBytes = try? Data(contentsOf: cache.bundleFile), let cached = try? HandheldBundle(bytes: Array(cachedBytes)) {
                let lost = rollbacks(from: cached, to: bundle, roots: roots)
                if !lost.isEmpty {
                    throw SyncError(.rejected, "the bundle from \(client.baseURL) would take the cache back: \(lost.prefix(3).joined(separator: "; "))\(lost.count > 3 ? " (and \(lost.count - 3) more)" : ""); the cache keeps its data of \(Instant.iso(previous?.fetchedAt ?? cached.created))")
                }
            }
            let state = HandheldCache.State(source: client.baseURL, etag: etag, fetchedAt: now, checkedAt: now, bundleCreated: bundle.created,
                                            nextCheck: now + (nextInterval(bundle: bundle) ?? 3600))
            try cache.replace(cache.bundleFile, with: bytes)
            try cache.replace(cache.stateFile, with: try encode(state))
            return (.updated(statusLists: bundle.statusTokens.count, certificates: bundle.certificates.count,
                             revocationLists: bundle.revocationLists.count), state)
        }
    }

    /// The bundle, when every item verifies against the pinned roots: each certificate that is
    /// not a root is issued by one, each CRL is signed by one, each status token parses and is
    /// signed by a document signer under them.
    static func verify(_ bytes: [UInt8], trust: URL, source: String) throws(SyncError) -> (bundle: HandheldBundle, roots: [Certificate]) {
        var setup: VerifierSetup
        do { setup = try VerifierSetup(trustDirectory: trust) } catch { throw SyncError(.trust, error.description) }
        let roots = setup.trustStore.roots
        let bundle: HandheldBundle
        do { bundle = try HandheldBundle(bytes: bytes) } catch { throw SyncError(.rejected, "what \(source) sent is not a bundle: \(error)") }
        var refusals: [String] = bundle.warnings
        for (i, der) in bundle.certificates.enumerated() {
            guard let certificate = try? Certificate(der: der) else { refusals.append("certificate \(i + 1) cannot be parsed"); continue }
            if certificate.isSelfSigned { continue }  // a root for display, never an anchor (FORMAT §6)
            if !roots.contains(where: { certificate.isIssued(by: $0) }) {
                refusals.append("certificate \(i + 1) (\(TextSafety.sanitized(certificate.subject))) is not issued by a pinned root")
            }
        }
        for (i, der) in bundle.revocationLists.enumerated() {
            guard let crl = try? CertificateRevocationList(der: der) else { refusals.append("CRL \(i + 1) cannot be parsed"); continue }
            if !roots.contains(where: { crl.isIssued(by: $0) }) { refusals.append("CRL \(i + 1) is not signed by a pinned root") }
        }
        let baseline = setup.makeVerifier().warnings.count
        do { try setup.addBundle(bytes, name: "the bundle") } catch { throw SyncError(.rejected, error.description) }
        refusals += setup.makeVerifier().warnings.dropFirst(baseline)
        guard refusals.isEmpty else {
            throw SyncError(.rejected, "the bundle from \(source) does not verify against the pinned trust folder: \(refusals.prefix(3).joined(separator: "; "))\(refusals.count > 3 ? " (and \(refusals.count - 3) more)" : "")")
        }
        return (bundle, roots)
    }

    /// What `new` would take back from `cached`, each item named: a status list it no longer
    /// carries or carries older (by its signed `iat`), a pinned root's CRL it drops or carries
    /// older (by its signed thisUpdate). A bundle's `created` is not signed, so without this a
    /// hostile server, or anyone on a plain-HTTP path, could hand a handheld tokens and CRLs
    /// from before a revocation (still within their validity) or leave them out. Empty when
    /// nothing goes back. A list or CRL retired on purpose is accepted by clearing the cache.
    static func rollbacks(from cached: HandheldBundle, to new: HandheldBundle, roots: [Certificate]) -> [String] {
        func newest(_ bundle: HandheldBundle) -> [String: Int64] {
            var issued: [String: Int64] = [:]
            for bytes in bundle.statusTokens {
                guard let claims = try? StatusListToken(bytes: bytes).claims else { continue }
                issued[claims.uri] = max(issued[claims.uri] ?? .min, claims.issuedAt)
            }
            return issued
        }
        func newestCRL(_ bundle: HandheldBundle) -> [Int: Int64] {
            var issued: [Int: Int64] = [:]
            for der in bundle.revocationLists {
                guard let crl = try? CertificateRevocationList(der: der), let at = crl.lastUpdate,
                      let root = roots.firstIndex(where: { crl.isIssued(by: $0) }) else { continue }
                issued[root] = max(issued[root] ?? .min, at)
            }
            return issued
        }
        var lost: [String] = []
        /// Each item of `before` that `after` lacks or has older, named by `name`.
        func compare<Key: Comparable>(_ before: [Key: Int64], _ after: [Key: Int64], _ name: (Key) -> String) {
            for (key, at) in before.sorted(by: { $0.key < $1.key }) {
                let shown = name(key)
                if let now = after[key] {
                    if now < at { lost.append("\(shown) was issued on \(Instant.iso(now)), before the cached one (\(Instant.iso(at)))") }
                } else {
                    lost.append("\(shown) is no longer in it")
                }
            }
        }
        compare(newest(cached), newest(new)) { "the status list \(TextSafety.sanitized($0))" }
        compare(newestCRL(cached), newestCRL(new)) { "the CRL of \(TextSafety.sanitized(roots[$0].subject))" }
        return lost
    }

    /// The shortest ttl of the bundle's status tokens.
    static func nextInterval(bundle: HandheldBundle?) -> Int64? {
        guard let bundle else { return nil }
        let ttls = bundle.statusTokens.compactMap { try? StatusListToken(bytes: $0).claims.timeToLive }
        return ttls.min().map { Int64(clamping: max(60, $0)) }
    }

    static func encode(_ state: HandheldCache.State) throws(SyncError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return Array(try encoder.encode(state)) } catch { throw SyncError(.cacheUnwritable, "cannot encode the sync state") }
    }
}
