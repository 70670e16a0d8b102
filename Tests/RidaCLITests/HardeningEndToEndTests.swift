import Foundation
import RidaTesting
import Testing

/// The command line under hostile or mistaken input: formula cells in the rejects file, look-alike centres, a folder
/// or an empty file given as the database.
@Suite struct HardeningEndToEndTests {
    @Test func writesRejectsWithFormulasNeutralisedAndRefusesLookAlikeCentres() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let file = try db.file("responses.csv", """
            id,centre,channel,submitted_at,q1,q2,q3,q4,service,counter,comment
            r1,C01,kiosk,2026-01-05T10:00:00+03:00,9,4,4,4,=1+2,,@SUM(1)
            r2,C01\u{200B},kiosk,2026-01-05T10:00:00+03:00,5,4,4,4,,,
            r3,C01,kiosk,1970-01-01T00:00:00Z,5,4,4,4,,,-2+3
            r4,C01\u{00A0},kiosk,2026-01-05T10:00:00+03:00,5,4,4,4,,,

            """)
        let rejects = db.folder.appendingPathComponent("rejects.csv").path
        let imported = try runRida(["import", "--db", db.path, file, "--rejects", rejects])
        #expect(imported.status == 1)
        #expect(imported.stdout.contains("1 accepted, 0 duplicate, 0 conflict, 3 rejected"), "\(imported.stdout)")
        #expect(imported.stdout.contains("U+200B (ZERO WIDTH SPACE)"))
        #expect(imported.stdout.contains("before 2015-01-01"))
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: rejects)).dropFirst(3), as: UTF8.self)
        // Each cell a spreadsheet would run starts with a quote; the rating 9 stays a number.
        #expect(text.contains("r1,C01,kiosk,2026-01-05T10:00:00+03:00,9,4,4,4,'=1+2,,'@SUM(1),"), "\(text)")
        #expect(text.contains(",'-2+3,"))
        // The no-break space was trimmed: r4 is C01's, not a new centre's.
        let centres = try runRida(["centres", "list", "--db", db.path, "--format", "json"])
        #expect(centres.stdout.contains("\"C01\"") && !centres.stdout.contains("C01\u{00A0}") && !centres.stdout.contains("\u{200B}"))
    }

    @Test func refusesAFolderOrAnEmptyFileAsTheDatabase() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let folder = try runRida(["report", "--db", db.folder.path])
        #expect(folder.status != 0)
        #expect(folder.stderr.contains("is a folder, not a file"), "\(folder.stderr)")
        let empty = db.folder.appendingPathComponent("empty.sqlite").path
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let read = try runRida(["report", "--db", empty])
        #expect(read.status != 0)
        #expect(read.stderr.contains("is an empty file, not a Rida database"), "\(read.stderr)")
        let size = try FileManager.default.attributesOfItem(atPath: empty)[.size] as? Int
        #expect(size == 0, "the read-only command left the file as it was")
    }
}
