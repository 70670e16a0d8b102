import Foundation
import RidaTesting
import Testing

extension Tag {
    /// Tests that take seconds: they run in CI like every other test.
    @Tag static var slow: Self
}

/// An import killed mid-way (SIGKILL, as a power cut or an out-of-memory kill would) leaves the database as it
/// was after its last committed batch: whole responses only, rollups equal to a recount, nothing counted twice
/// when the import is run again.
@Suite(.tags(.slow)) struct CrashTests {
    func sqlite(_ path: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, sql]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aKilledImportLeavesOnlyWholeBatches() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let rows = 150_000
        let batch = 500
        var csv = "id,centre,channel,submitted_at,q1,q2,q3,q4,comment\n"
        for i in 0..<rows {
            csv += "id-\(i),C0\(i % 4),\(["counter", "kiosk", "website"][i % 3]),2026-0\(1 + i % 6)-1\(i % 10)T10:00:00Z,\(1 + i % 5),\(1 + i % 4),,\(1 + i % 3),\"تعليق \(i)\"\n"
        }
        let file = try db.file("big.csv", csv)

        let process = Process()
        process.executableURL = ridaExecutable()
        process.arguments = ["import", "--db", db.path, "--batch-size", "\(batch)", "--quiet", file]
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        // Wait until some batches are committed, then kill it without warning.
        let deadline = Date().addingTimeInterval(60)
        var stored = 0
        while Date() < deadline, process.isRunning {
            stored = Int((try? sqlite(db.path, "SELECT count(*) FROM response")) ?? "") ?? 0
            if stored >= 5 * batch { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        try #require(process.isRunning, "the import finished before it could be killed; make the file bigger")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let count = Int(try sqlite(db.path, "SELECT count(*) FROM response")) ?? -1
        let rolled = Int(try sqlite(db.path, "SELECT coalesce(sum(responses), 0) FROM rollup")) ?? -2
        let recorded = try sqlite(db.path, "SELECT status || ' ' || accepted FROM import")
        #expect(count > 0 && count < rows)
        #expect(count % batch == 0, "only whole batches: \(count)")
        #expect(rolled == count, "rollups match the responses")
        #expect(recorded == "running \(count)", "the import record counts what was committed")
        let q1Fives = try sqlite(db.path, "SELECT (SELECT count(*) FROM response WHERE q1 = 5) = (SELECT coalesce(sum(q1s5), 0) FROM rollup)")
        #expect(q1Fives == "1")
        // The killed process is gone (waited for above): `rida imports` says interrupted, not running.
        let listed = try runRida(["imports", "--db", db.path])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("interrupted") && !listed.stdout.contains("running"), "\(listed.stdout)")

        // Run again: the rest is stored, the committed part is acknowledged as duplicates.
        let again = try runRida(["import", "--db", db.path, "--quiet", file])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("\(rows - count) accepted, \(count) duplicate, 0 conflict, 0 rejected"))
        #expect(Int(try sqlite(db.path, "SELECT count(*) FROM response")) == rows)
        #expect(Int(try sqlite(db.path, "SELECT sum(responses) FROM rollup")) == rows)
    }
}
