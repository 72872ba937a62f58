import DL1Crypto
import DL1HTTPServer
import DL1Issuer
import DL1ServiceAPI
import DL1Verifier
import Foundation
import Logging
import Metrics
import NIOPosix
import ServiceLifecycle

/// What the service publishes now: each status list at the path of its URI, the handheld
/// bundle, the trust folder's files. Replaced whole by each publication, read by every GET.
final class PublishedState: @unchecked Sendable {
    struct Snapshot: Sendable {
        var statusLists: [String: CachedResource] = [:]
        var uris: [String] = []
        var bundle: CachedResource?
        var trust: [String: CachedResource] = [:]
        var listing = TrustListing(files: [], statusLists: [])
        /// The registry's last event when these were made, and the oldest token's iat.
        var lastEventID: Int64 = -1
        /// The trust folder's files as last read (a new CRL or signer is published at once).
        var trustFingerprint: String = ""
        var oldestIssuedAt: Int64?
    }

    private let lock = NSLock()
    private var current = Snapshot()

    var snapshot: Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func replace(_ snapshot: Snapshot) {
        lock.lock()
        current = snapshot
        lock.unlock()
    }
}

/// Re-signs the status lists when the registry has changed and before they age, checking every
/// `interval` seconds: never per request. A token is re-signed when it is older than
/// ``maxAge`` (half its ttl, so that a cache that keeps it its full ttl still holds a
/// token far from its `exp`).
struct Publisher: Service {
    let issuer: Issuer
    let state: PublishedState
    let pool: NIOThreadPool
    let interval: Int64
    let logger: Logger
    let clock: @Sendable () -> Int64

    /// Tokens are re-signed once they are this old, even when nothing changed.
    var maxAge: Int64 { max(1, min(issuer.settings.statusTimeToLive / 2, issuer.settings.statusValidity / 4)) }

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                _ = try await pool.runIfActive { try self.publishIfNeeded() }
            } catch {
                // The last good publication stays served; the next round tries again.
                logger.error("publication failed", metadata: ["code": "\((error as? IssuerError)?.code.rawValue ?? "\(type(of: error))")"])
                Counter(label: "dl1_publication_failures_total").increment()
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) } } catch { return }
        }
    }

    /// Publishes when something changed or a token ages; true when it did.
    @discardableResult
    func publishIfNeeded() throws(IssuerError) -> Bool {
        let before = state.snapshot
        let now = clock()
        let lastEventID = try issuer.registry.lastEventID()
        let trustFingerprint = Self.fingerprint(issuer.directory.trustFolder)
        if lastEventID == before.lastEventID, trustFingerprint == before.trustFingerprint, let oldest = before.oldestIssuedAt,
           now - oldest < maxAge { return false }
        let lists = try issuer.publishStatusLists(reuseFor: maxAge)
        var next = PublishedState.Snapshot(lastEventID: lastEventID, trustFingerprint: trustFingerprint)
        var minimumTTL = issuer.settings.statusTimeToLive
        var earliestExpiry: Int64?
        for list in lists {
            guard let token = try? StatusListToken(bytes: list.token) else { continue }
            let claims = token.claims
            let ttl = Int64(clamping: claims.timeToLive)
            minimumTTL = min(minimumTTL, ttl)
            next.statusLists[Self.path(of: list.uri)] = CachedResource(bytes: list.token, contentType: ServiceMediaType.statusList,
                                                                     lastModified: claims.issuedAt, maxAge: ttl, expiresAt: claims.expiresAt)
            earliestExpiry = min(earliestExpiry ?? claims.expiresAt, claims.expiresAt)
            next.uris.append(list.uri)
            next.oldestIssuedAt = min(next.oldestIssuedAt ?? claims.issuedAt, claims.issuedAt)
        }
        if before.lastEventID >= 0, before.uris == next.uris, before.trustFingerprint == trustFingerprint,
           before.statusLists.mapValues(\.etag) == next.statusLists.mapValues(\.etag), let bundle = before.bundle {
            next.bundle = bundle
        } else {
            let bundle = try issuer.handheldBundle(statusTokens: lists.map(\.token))
            next.bundle = CachedResource(bytes: bundle.encoded, contentType: ServiceMediaType.bundle, lastModified: bundle.created,
                                         maxAge: minimumTTL, expiresAt: earliestExpiry)
        }
        (next.trust, next.listing) = Self.trustFiles(issuer.directory.trustFolder, now: now)
        next.listing.statusLists = next.uris
        state.replace(next)
        let changed = next.statusLists.mapValues(\.etag) != before.statusLists.mapValues(\.etag)
        if changed {
            Counter(label: "dl1_publications_total").increment()
            logger.info("status lists published", metadata: ["lists": "\(lists.count)"])
        }
        Gauge(label: "dl1_status_lists").record(lists.count)
        return changed
    }

    /// Names, sizes and modification times of the trust folder's files.
    static func fingerprint(_ folder: URL) -> String {
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        return names.map { name in
            let attributes = try? fm.attributesOfItem(atPath: folder.appendingPathComponent(name).path)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(name):\(size):\(modified)"
        }.joined(separator: "/")
    }

    /// The path part of a status list URI (what a request for it asks).
    static func path(of uri: String) -> String {
        URL(string: uri)?.path ?? uri
    }

    /// The trust folder's certificates and CRLs (PEM), each a resource under `/v1/trust/NAME`.
    static func trustFiles(_ folder: URL, now: Int64) -> ([String: CachedResource], TrustListing) {
        var resources: [String: CachedResource] = [:]
        var files: [TrustListing.File] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        for name in names where name.hasSuffix(".pem") && !name.hasPrefix(".") {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path), data.count <= 1 << 20 else { continue }
            let bytes = [UInt8](data)
            let modified = ((try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path))?[.modificationDate] as? Date)
                .map { Int64($0.timeIntervalSince1970) } ?? now
            resources[name] = CachedResource(bytes: bytes, contentType: name.hasSuffix(".crl.pem") ? "application/x-pem-file" : ServiceMediaType.pem,
                                             lastModified: modified, maxAge: 3600)
            files.append(.init(name: name, path: "\(ServicePath.trust)/\(name)", sha256: Hex.encode(SHA256.hash(bytes))))
        }
        return (resources, TrustListing(files: files, statusLists: []))
    }
}
