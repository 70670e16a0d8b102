import Crypto
import Foundation
import RidaAggregation
import RidaSurvey
import Testing
@testable import RidaStore

/// A landed migration never changes: every migration's text (its SQL as run, and the name of its Swift step, if any)
/// is fingerprinted here. When a migration lands, append its line (the failure message gives it); a change to a line
/// that is here already is a defect: write a new migration instead.
@Suite struct MigrationTextTests {
    /// (migration, SHA-256 of its text), in the order the migrator runs them.
    static let landed: [(String, String)] = [
        ("v1-responses", "cc2acc2224a473e673cea380f8c7b398f907df09925117c6285aa7700b1b7952"),
        ("assessment-v1", "90e5c5dcb3064d08bc698a38b6995d8ace897b47a9e904a85c892236be692c09"),
        ("reports-v1", "df61f6bc79c61818cee0fae02c0843951c1b295542e45a39b734370c0278a36b"),
        ("http-v1", "9edfc622ff853893f1b01f2445efa7bb52f195decf787b2d48e1530cafb021af"),
        ("assessment-v2", "fa6d17964bcc1f9a553a15dc170b81da63834d21f008f5fd4a62502850e80141"),
        ("verdicts-v1", "e9de6a15ef9346f40af0a87d7c80ddd841eded3e54047acf717965620da4c13c"),
        ("imports-v1-refusals", "39bf98bbdf13e55314ecec9a93edcf815f8c7a0d61168aae45beee928d9bff63"),
        ("ops-display-keys", "3a33d8558e0af36abf5c4c23d98864df50a1181ce8fcbaf364d9b6e9d3c77fea"),
        ("ops-day-rollups-window", "2be49f922183a952c0e47521f7d6d9c55bce30cdbd83856e9dabc5f0f9e8f198"),
        ("verdicts-units-v1", "ab557b4f81eecaec87d35dd83cfbcb106446b1c1785dfc1e42420a38426e8a07"),
        ("hardening-import-owner", "4b6b69fa1f95d4f1eaa382a69165f6db1e703e8e9821a655d92597e6c915a62e"),
        ("misuse-v1", "280b10642ae732caf74fa2d4e8cf3cdef9d854a925eca899d1cf5ae06b538ff1"),
        ("cases-v1", "8f0c7d16798d9e45e0ac564908e99c99f02e2d520258b3ba33d76af1df3d9baf"),
        ("invitations-v1", "6a0319e0c6515885b5b751f98898413fa4580798f24aefffc359eacafdf56827"),
        ("served-v1", "555748d8b6e4ebecd7f65321c4a889b8d0766b29d3dedb01b247ecbc75b0ce35"),
        ("signs-v1", "24cc7c7a3046487dc235f0eb9a18955cec188312959f18143d5dd4085f8936ed"),
        ("widgets-v1", "58407cac63d8130143bd0757595d3c0af6b9c225888b34b7b1f9c9b06d8b8122"),
    ]

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    @Test func noLandedMigrationHasChanged() {
        let steps = Migrations.steps().steps
        let registered = steps.map { ($0.identifier, Self.sha256($0.text)) }
        for (index, (identifier, hash)) in Self.landed.enumerated() {
            guard index < registered.count else {
                Issue.record("the landed migration \(identifier) is no longer registered")
                continue
            }
            #expect(registered[index].0 == identifier, "migration \(index + 1) is \(registered[index].0), it was \(identifier)")
            #expect(registered[index].1 == hash, "the text of the landed migration \(identifier) has changed: write a new migration instead")
        }
        for (identifier, hash) in registered.dropFirst(Self.landed.count) {
            Issue.record("a new migration: append (\"\(identifier)\", \"\(hash)\") to MigrationTextTests.landed")
        }
    }

    /// The rollup tables' count columns, as the landed migrations spell them, are `RollupLayout`'s.
    @Test func theRollupTablesHaveTheLayoutsColumns() async throws {
        let store = try SQLiteStore.inMemory()
        for (table, keys, columns) in [("rollup", 3, RollupLayout.columns), ("dayRollup", 3, RollupLayout.columns),
                                       ("serviceRollup", 4, RollupLayout.detailColumns), ("counterRollup", 3, RollupLayout.detailColumns)] {
            let names = try await store.read { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table]) }
            #expect(Array(names.dropFirst(keys)) == columns, "\(table)")
        }
    }

    /// The mapping, worked by hand: q1 score 1 is column 1, q2 score 3 is 1 + 5 + 2 = 8, q4 score 5 is 1 + 15 + 4 = 20;
    /// the stages follow at 21, 22, 23; 24 columns in all, 21 without the stages.
    @Test func mapsQuestionsScoresAndStagesToColumns() {
        #expect(RollupLayout.index(question: 0, score: 1) == 1)
        #expect(RollupLayout.index(question: 1, score: 3) == 8)
        #expect(RollupLayout.index(question: 3, score: 5) == 20)
        #expect(RollupLayout.columns[8] == "q2s3")
        #expect([Stage.before, .during, .after].map(RollupLayout.index(of:)) == [21, 22, 23])
        #expect(RollupLayout.columns[21...] == ["stageBefore", "stageDuring", "stageAfter"])
        #expect(RollupLayout.width == 24 && RollupLayout.detailWidth == 21 && RollupLayout.detailColumns.count == 21)
        // Two responses: (5, 4, -, 1) before, and (5, 5, 3, -) with no stage.
        var counts = Counts()
        counts.add(SurveyResponse(id: "a", centre: "C", channel: "k", submittedAt: Instant(millisecondsSince1970: 0),
                                  stage: .before, ratings: [5, 4, nil, 1]))
        counts.add(SurveyResponse(id: "b", centre: "C", channel: "k", submittedAt: Instant(millisecondsSince1970: 0),
                                  stage: nil, ratings: [5, 5, 3, nil]))
        let values = RollupLayout.values(of: counts)
        // responses 2; q1s5 (col 5) 2; q2s4 (col 9) 1, q2s5 (col 10) 1; q3s3 (col 13) 1; q4s1 (col 16) 1; before (21) 1.
        var expected = [Int64](repeating: 0, count: 24)
        for (column, value) in [(0, 2), (5, 2), (9, 1), (10, 1), (13, 1), (16, 1), (21, 1)] { expected[column] = Int64(value) }
        #expect(values == expected)
        #expect(RollupLayout.counts { Int(values[$0]) } == counts)
        #expect(RollupLayout.values(of: counts, detail: true) == Array(expected.prefix(21)))
    }
}
