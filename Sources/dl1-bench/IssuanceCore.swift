import DL1Format
import DL1Issuer
import Foundation

/// The issuance core as `issueBatch` runs it, without output files: reserve a group in the
/// registry, sign each code, mark the group written. Shared by `issuance` and `scale`.
enum IssuanceCore {
    /// Seconds spent in each stage.
    struct Stages {
        var reserve = 0.0, sign = 0.0, mark = 0.0
    }

    /// Issues `count` licences numbered `prefix`0, `prefix`1, … (copies of `licence`), `group`
    /// per registry transaction.
    static func issue(_ issuer: Issuer, licence: Licence, prefix: String, count: Int, group: Int, stages: inout Stages) throws {
        let kid = try issuer.primarySigner().kid
        let now = Int64(Date().timeIntervalSince1970)
        var done = 0
        while done < count {
            let n = min(group, count - done)
            let batch = (0..<n).map { i -> Registry.NewCredential in
                var l = licence
                l.documentNumber = "\(prefix)\(done + i)"
                return Registry.NewCredential(documentNumber: l.documentNumber, licence: l, signerKid: kid, issuedAt: now, expiresAt: now + 86_400)
            }
            var reservations: [Registry.Reservation] = []
            stages.reserve += try BenchSupport.time { reservations = try issuer.registry.reserve(batch: batch, settings: issuer.settings) }
            var written: [[UInt8]] = []
            stages.sign += try BenchSupport.time {
                for (credential, reservation) in zip(batch, reservations) {
                    _ = try issuer.sign(DL1Claims(issuer: issuer.settings.authorityCode, issuedAt: credential.issuedAt, expiresAt: credential.expiresAt,
                                                  credentialID: reservation.credentialID,
                                                  status: StatusReference(index: reservation.index, uri: reservation.list.uri), licence: credential.licence))
                    written.append(reservation.credentialID)
                }
            }
            stages.mark += try BenchSupport.time { try issuer.registry.markWritten(written) }
            done += n
        }
    }
}
