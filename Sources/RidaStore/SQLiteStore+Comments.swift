import GRDB
import RidaAggregation
import RidaSurvey

extension SQLiteStore {
    /// Every comment of `scope`, oldest first, from the narrow table the reports' comments digest reads.
    public func comments(in scope: ReportScope) async throws -> [CommentEntry] {
        let zone = configuration.zone
        return try await read { db in
            let filter = Self.scopeFilter(scope)
            return try Row.fetchAll(
                db, sql: """
                    SELECT centre, channel, submittedMs, service, ratingSum, ratingCount, text FROM comment WHERE \(filter.sql)
                    ORDER BY submittedMs, centre, seq
                    """,
                arguments: StatementArguments(filter.arguments)
            ).map { Self.commentEntry($0, zone: zone) }
        }
    }
}
