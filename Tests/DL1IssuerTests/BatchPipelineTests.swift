@testable import DL1Issuer
import DL1IssuerTestSupport
import DL1TestSupport
import Foundation
import Testing

/// The batch pipeline through ``Issuer/issueCodes(_:lifetime:groupSize:progress:deliver:)``:
/// codes handed back in memory, the registry's steps on a worker beside the signing.
@Suite("Batch pipeline: codes in memory")
struct BatchPipelineTests {
    static func rows(_ count: Int, prefix: String = "B") -> [BatchRow] {
        (0..<count).map { i in
            BatchRow(line: i + 1, key: "\(prefix)\(i)", licence: .success(IssuerWorld.licence("\(prefix)\(i)")))
        }
    }

    @Test("every group is delivered in input order, then recorded written; every code verifies", arguments: TestEngine.available)
    func delivered(engine: TestEngine) throws {
        let w = try IssuerWorld.make(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        var groups: [[String]] = []
        var codes: [IssuedCode] = []
        var seen: [Int] = []
        let summary = try w.issuer.issueCodes(Self.rows(7), lifetime: .seconds(3600), groupSize: 3, progress: { seen.append($0.issued) }) { group in
            groups.append(group.map(\.claims.licence.documentNumber))
            codes += group
        }
        #expect(summary.issued == 7 && summary.failures.isEmpty && summary.completed == 0 && summary.alreadyDone == 0)
        #expect(groups == [["B0", "B1", "B2"], ["B3", "B4", "B5"], ["B6"]])
        #expect(seen == [3, 6, 7])
        let verifier = try w.verifier()
        for code in codes { #expect(try w.verify(code, with: verifier) == .valid) }
        #expect(try w.issuer.registry.credentials(batchKeys: (0..<7).map { "B\($0)" }).values.allSatisfy { $0.state == .written })
    }

    struct Refused: Error {}

    @Test("a delivery that fails stops the batch: its group and the next (already reserved) stay pending, and a re-run completes them with the same credentials",
          arguments: TestEngine.available)
    func failedDelivery(engine: TestEngine) throws {
        let w = try IssuerWorld.make(engine: engine)
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let rows = Self.rows(8)
        var delivered = 0
        do {
            _ = try w.issuer.issueCodes(rows, lifetime: .seconds(3600), groupSize: 2) { group throws(IssuerError) in
                guard delivered < 2 else { throw IssuerError(.changedMeanwhile, "the device went away") }
                delivered += group.count
            }
            Issue.record("must throw")
        } catch {
            #expect(error.description == "the device went away")
        }
        let first = try w.issuer.registry.credentials(batchKeys: rows.map(\.key))
        #expect(first.filter { $0.value.state == .written }.keys.sorted() == ["B0", "B1"])
        #expect(first.filter { $0.value.state == .pending }.keys.sorted() == ["B2", "B3", "B4", "B5"])
        #expect(first.count == 6, "the last group was never reserved")

        w.clock.advance(60)
        var again: [IssuedCode] = []
        let summary = try w.issuer.issueCodes(rows, lifetime: .seconds(3600), groupSize: 2) { again += $0 }
        #expect(summary.alreadyDone == 2 && summary.completed == 4 && summary.issued == 2 && summary.failures.isEmpty)
        #expect(again.map(\.claims.licence.documentNumber) == ["B2", "B3", "B4", "B5", "B6", "B7"])
        for code in again.prefix(4) { #expect(code.credentialID == first[code.claims.licence.documentNumber]?.credentialID) }
        let last = try w.issuer.registry.credentials(batchKeys: rows.map(\.key))
        #expect(last.count == 8 && last.values.allSatisfy { $0.state == .written })
        // The completed codes carry their new times in the registry, with a refresh event.
        let b2 = try #require(last["B2"])
        #expect(b2.issuedAt == Fixture.now + 60 && again[0].claims.issuedAt == Fixture.now + 60)
        #expect(try w.issuer.registry.events(documentNumber: "B2").map(\.kind) == ["issued", "refreshed"])
        #expect(try w.issuer.registry.check().isEmpty)
    }
}
