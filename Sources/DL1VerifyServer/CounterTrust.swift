import DL1Format
import DL1Verifier

/// `GET /v1/trust`: what the counter trusts and how old its status data is. Nothing in it is
/// personal: certificates of authorities, and lists.
enum CounterTrust {
    static func listing(_ snapshot: LoadedData.Snapshot, profile: CounterProfile, leeway: Int64, now: Int64) -> JSONValue {
        let loaded = snapshot.loaded
        let store = loaded.verifier.trustStore
        let lists = newestPerURI(loaded.verifier.statusLists)
        func certificate(_ c: Certificate, kid: Bool) -> JSONValue {
            .object((kid ? [("kid", JSONValue.string(Hex.encode(c.kid)))] : []) + [
                ("subject", .string(c.subject)),
                ("not_after", .string(Instant.iso(c.notAfter))),
            ])
        }
        return .object([
            ("profile", .string(profile.rawValue)),
            ("loaded_at", .string(Instant.iso(snapshot.loadedAt))),
            ("roots", .array(store.roots.map { certificate($0, kid: false) })),
            ("signers", .array(store.certificates.filter { !$0.isCA }.map { certificate($0, kid: true) })),
            ("revocation_lists", .int(Int64(store.revocationLists.count))),
            ("status_lists", .array(lists.map { list in
                .object([
                    ("uri", .string(list.uri)),
                    ("issued_at", .string(Instant.iso(list.issuedAt))),
                    ("expires_at", .string(Instant.iso(list.expiresAt))),
                    ("age_seconds", .int(now.saturatingSubtracting(list.issuedAt))),
                    ("stale", .bool(now >= list.expiresAt.saturatingAdding(leeway))),
                    ("loaded", .bool(list.loaded)),
                ])
            })),
            ("oldest_status_age_seconds", lists.map(\.issuedAt).min().map { .int(now.saturatingSubtracting($0)) } ?? .null),
            ("bundle_created", loaded.oldestBundle.map { .string(Instant.iso($0)) } ?? .null),
            ("cache", loaded.cacheState.map { state in
                .object([("source", .string(state.source)), ("synced_at", .string(Instant.iso(state.fetchedAt))),
                         ("checked_at", .string(Instant.iso(state.checkedAt)))])
            } ?? .null),
            ("warnings", .int(Int64(loaded.warnings.count))),
        ])
    }

    /// One entry per URI: the newest token's (the verifier's lists come newest first).
    static func newestPerURI(_ lists: [Verifier.StatusListSummary]) -> [Verifier.StatusListSummary] {
        var seen = Set<String>()
        return lists.filter { seen.insert($0.uri).inserted }
    }
}
