import Foundation
import RidaPostgres
import RidaTesting
import Testing

/// rida-bench's PostgreSQL mode on a tiny size: every PostgreSQL figure's line is printed beside SQLite's, with the
/// counts the options give, and the bench's own database is gone after.
@Suite(.enabled(if: StoreKind.postgresURL != nil, "RIDA_TEST_POSTGRES is not set"))
struct BenchPostgresTests {
    @Test func thePostgresModePrintsEachFigureBesideSQLite() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rida-bench-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = ridaExecutable().deletingLastPathComponent().appendingPathComponent("rida-bench")
        // 2,000 imported; 200 more in batches of 100 (2 batches); the PostgreSQL database filled to 5,000; no SQLite fill.
        process.arguments = ["--rows", "2000", "--runs", "1", "--single", "200", "--batch", "500", "--large", "0",
                             "--postgres-large", "5000", "--dir", folder.path]
        var environment = ProcessInfo.processInfo.environment
        environment["RIDA_BENCH_POSTGRES"] = StoreKind.postgresURL!
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(stderr)")
        let lines = stdout.split(separator: "\n").map(String.init)
        /// The first line starting with `start` that holds `middle` (Foundation's `contains("")` is false).
        func line(_ start: String, _ middle: String = "") -> String? {
            lines.first { $0.hasPrefix(start) && (middle.isEmpty || $0.contains(middle)) }
        }
        /// The figure before `unit` on the line, which must be a positive number.
        func figure(_ line: String?, before unit: String) -> Double? {
            guard let line, let range = line.range(of: " " + unit) else { return nil }
            return Double(line[..<range.lowerBound].split(separator: " ").last ?? "")
        }
        #expect(line("PostgreSQL: postgres://", "/rida_bench (created and dropped by the bench)") != nil)
        #expect(figure(line("  rida import, batches of 500"), before: "rows/s") ?? 0 > 0)
        #expect(figure(line("  rida import into PostgreSQL, batches of 500 (the same path)"), before: "rows/s") ?? 0 > 0)
        // The reports at the 2,000 imported, then on PostgreSQL at 2,000 + 200 + the fill to 5,000.
        #expect(figure(line("quarterly report, all centres,", ", 2000 stored responses:"), before: "ms") ?? 0 > 0)
        #expect(figure(line("quarterly report on PostgreSQL, all centres,", ", 2000 stored responses:"), before: "ms") ?? 0 > 0)
        #expect(figure(line("HTML report on PostgreSQL, one centre (C100),", ", 2000 stored responses:"), before: "ms") ?? 0 > 0)
        #expect(figure(line("batches of 100 responses, one transaction each, SQLite synchronous=FULL:"), before: "batches/s") ?? 0 > 0)
        let postgresBatches = line("batches of 100 responses, one transaction each, PostgreSQL synchronous_commit=on:")
        #expect(figure(postgresBatches, before: "batches/s") ?? 0 > 0)
        #expect(postgresBatches?.hasSuffix("(median of 1)") == true)
        #expect(line("filling PostgreSQL to 5000 responses, 500 per transaction") != nil)
        #expect(line("  5000 of 5000 stored,") != nil)
        #expect(line("filling SQLite") == nil)
        #expect(figure(line("quarterly report on PostgreSQL, all centres,", ", 5000 stored responses:"), before: "ms") ?? 0 > 0)
        // The bench drops its database when done.
        let server = try PostgresLocation(url: StoreKind.postgresURL!)
        await #expect(throws: (any Error).self) {
            let store = try await PostgresStore.open(server.with(database: "rida_bench"), maximumConnections: 1)
            await store.close()
        }
    }
}
