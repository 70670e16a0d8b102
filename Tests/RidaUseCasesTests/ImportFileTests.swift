import Foundation
import Logging
import RidaAggregation
import RidaImport
import RidaStore
import RidaSurvey
import RidaTesting
import RidaUseCases
import Synchronization
import Testing

@Suite struct ImportFileTests {
    static let csv = """
        id,centre,channel,submitted_at,q1,q2,q3,q4
        f1,C01,counter,2026-01-20T10:00:00+03:00,5,4,4,5
        f2,C01,counter,2026-01-21T10:00:00+03:00,6,4,4,5
        f3,C01,counter,2026-01-22T10:00:00+03:00,3,3,3,3
        a1,C01,counter,2026-01-10T10:00:00+03:00,5,5,5,5

        """

    func importer(_ f: Fixture) -> ImportFile {
        var logger = Logger(label: "import-test")
        logger.logLevel = .critical
        var importFile = ImportFile(store: f.store, validator: ResponseValidator(), logger: logger, now: { Fixture.now })
        importFile.batchSize = 1
        return importFile
    }

    @Test(arguments: StoreKind.all) func storesTheValidRowsAndNamesTheRejectedOnesWithProgress(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        let path = try f.folder.file("more.csv", Self.csv)
        let seen = Mutex<[Int]>([])
        let summary = try await importer(f).run(path, progress: { progress in seen.withLock { $0.append(progress.rows) } })
        // f1 and f3 are new; f2 rates q1 6 (line 3); a1 is already stored with the same content: a duplicate.
        #expect(summary.tally == SaveTally(accepted: 2, duplicates: 1, conflicts: 0, rejected: 1))
        #expect(summary.rejected.map(\.line) == [3])
        #expect(summary.rejected[0].problems.map(\.field) == ["q1"])
        // One progress call per batch of one valid row at least, ending with every row read.
        #expect(seen.withLock { $0.last } == 4)
        // C01's counter in 2026-Q1: the fixture's 4 responses (64 over 16 ratings) and f1 (18) and f3 (12):
        // 6 responses, 24 ratings, mean (64 + 18 + 12) / 24 = 94 / 24.
        let report = try await f.store.quarterlyReport(ReportScope(quarter: try #require(Quarter("2026-Q1")), centre: "C01"),
                                                       policy: Fixture.policy, channels: Fixture.channels)
        let counter = try #require(report.groups.first { $0.channel == "counter" })
        #expect(counter.responses == 6)
        #expect(counter.mean == 94.0 / 24.0)
    }

    @Test(arguments: StoreKind.all) func aCheckStoresNothing(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        var check = importer(f)
        check.checkOnly = true
        let summary = try await check.run(try f.folder.file("more.csv", Self.csv))
        // Every row read and validated: 3 valid (a1 is not compared with what is stored), 1 rejected.
        #expect(summary.tally.rejected == 1)
        #expect(summary.tally.accepted == 3)
        #expect(try await f.store.imports().isEmpty)
    }

    @Test(arguments: StoreKind.all) func aFileThatCannotBeReadIsAnImportError(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        await #expect(throws: ImportError.self) { try await importer(f).run(f.folder.folder.appendingPathComponent("none.csv").path) }
    }
}
