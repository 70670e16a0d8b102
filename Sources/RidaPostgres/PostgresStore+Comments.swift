import PostgresNIO
import RidaAggregation
import RidaStore
import RidaSurvey

/// The comments themselves, for the report's comment themes, as `SQLiteStore+Comments.swift` reads them: from the
/// narrow table the reports' comments digest reads, oldest first, then by centre (by its bytes, as SQLite orders
/// text) and in the order stored.
extension PostgresStore: CommentStore {
    public func comments(in scope: ReportScope) async throws -> [CommentEntry] {
        let zone = configuration.zone
        var binds = PostgresBindings()
        let filter = Self.scopeFilter(scope, binds: &binds)
        let query = PostgresQuery(unsafeSQL: """
            SELECT centre, channel, submittedMs, service, ratingSum, ratingCount, text FROM comment WHERE \(filter)
            ORDER BY submittedMs, centre COLLATE "C", seq
            """, binds: binds)
        return try await read { connection in
            var entries: [CommentEntry] = []
            let rows = try await connection.query(query, logger: self.logger)
            for try await (centre, channel, submitted, service, sum, count, text)
                in rows.decode((String, String, Int64, String?, Int32, Int32, String).self) {
                entries.append(CommentEntry(
                    centre: centre, channel: channel, day: zone.date(at: Instant(millisecondsSince1970: submitted)).iso8601,
                    service: service, ratingSum: Int(sum), ratingCount: Int(count), text: text))
            }
            return entries
        }
    }
}
