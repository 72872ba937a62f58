import DL1Compression
import DL1Format
import Foundation

/// A signed Status List Token ready to publish.
public struct PublishedStatusList: Sendable {
    /// The list's name (the file is `<name>.cwt`).
    public let name: String
    /// The list's URI.
    public let uri: String
    /// The token's bytes (tagged COSE_Sign1).
    public let token: [UInt8]
}

extension Issuer {
    /// The signed Status List Token of every list in the registry, as of now. The payload is a
    /// pure function of the registry's state and the signing time.
    public func statusListTokens() throws(IssuerError) -> [PublishedStatusList] {
        let now = clock()
        return try registry.lists().map { list throws(IssuerError) in
            var statusList = StatusList(bits: list.bits, capacity: list.capacity)
            for entry in try registry.statuses(listID: list.id) { statusList.set(entry.index, to: entry.status) }
            let claims = StatusListClaims(uri: list.uri, issuedAt: now, expiresAt: now + settings.statusValidity,
                                          timeToLive: UInt64(settings.statusTimeToLive), bits: list.bits,
                                          compressedList: Zlib.compress(statusList.bytes))
            let token = try Self.wrap {
                try CodeSigner.sign(payload: CBOREncoder.encode(claims.cbor), with: signer, typ: DL1Header.statusListType)
            }
            return PublishedStatusList(name: list.name, uri: list.uri, token: token)
        }
    }

    /// Writes every status token into `folder` as `<name>.cwt`; returns the files written.
    public func writeStatusLists(to folder: URL) throws(IssuerError) -> [URL] {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        catch { throw IssuerError("cannot create the folder \(folder.path) (is a part of the path a file, or not writable?)") }
        var written: [URL] = []
        for list in try statusListTokens() {
            let url = folder.appendingPathComponent("\(list.name).cwt")
            try FileWriter.write(list.token, to: url)
            written.append(url)
        }
        return written
    }
}
