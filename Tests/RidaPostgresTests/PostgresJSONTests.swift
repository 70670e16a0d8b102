import Foundation
import RidaStore
import RidaSurvey
import RidaTesting
import Testing
@testable import RidaPostgres

/// A batch reaches PostgreSQL as one JSON parameter written by hand (`PostgresStore.json`): every text comes back as sent.
@Suite struct PostgresJSONTests {
    @Test func textsAreEscapedAsJSONAndNumbersWrittenAsTheyAre() throws {
        let rows: [[String: Any]] = [["t": "a\"b\\c\nd\te\r\u{1}f", "n": 42, "m": Int64(-7)], ["t": "الانتظار طويل، \"جداً\""]]
        let json = try PostgresStore.json(rows)
        let back = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [[String: Any]]
        #expect(back.count == 2)
        #expect(back[0]["t"] as? String == "a\"b\\c\nd\te\r\u{1}f")
        #expect(back[0]["n"] as? Int == 42)
        #expect(back[0]["m"] as? Int == -7)
        #expect(back[1]["t"] as? String == "الانتظار طويل، \"جداً\"")
        #expect(json.contains("\\u0001"))
        #expect(try PostgresStore.json([]) == "[]")
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil, "RIDA_TEST_POSTGRES is not set"))
    func aCommentWithQuotesBackslashesAndControlCharactersRoundTrips() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let text = "قال: \"انتظرت\" \\ ساعة\nثم\tغادرت"
        let sent = response("q-1", comment: text)
        let outcomes = try await database.store.save([sent], receivedAt: instant("2026-02-01T12:00:00+03:00"))
        #expect(outcomes == [.created])
        #expect(try await database.store.response(id: "q-1")?.comment == text)
    }
}
