import GRDB
import GRDBSQLite
import RidaAggregation
import RidaAssessment
import RidaSurvey

extension SQLiteStore {
    static let serviceAdd = RollupSQL(table: "serviceRollup", keys: ["quarter", "centre", "channel", "service"], columns: RollupLayout.detailColumns)
    static let counterAdd = RollupSQL(table: "counterRollup", keys: ["quarter", "centre", "counter"], columns: RollupLayout.detailColumns)
    static let commentInsert = """
        INSERT INTO comment (quarter, centre, channel, seq, submittedMs, ratingSum, ratingCount, service, text)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Adds a batch's service or counter counts to their rollup, once per key, in key order (`order`, computed
    /// with the batch) so the B-tree is walked forward. `texts` gives a key's key columns.
    static func applyDetailTallies(
        _ tallies: DetailTallies, keys: [DetailKey], order: [Int32], sql: RollupSQL, in db: Database, texts: (DetailKey) -> [String]
    ) throws {
        guard !keys.isEmpty else { return }
        let statements = try RollupStatements(db, sql)
        try tallies.values.withUnsafeBufferPointer { all in
            for position in order {
                let index = Int(position)
                let base = index * DetailTallies.stride
                guard all[base] > 0 else { continue }
                try statements.add(keys: texts(keys[index]), counts: UnsafeBufferPointer(rebasing: all[base..<(base + DetailTallies.stride)]), in: db)
            }
        }
    }

    /// Stores a new response's comment in the narrow table reports read. The text never reaches an error message.
    @inline(__always)
    static func bindComment(
        _ r: SurveyResponse, _ comment: String, sequence: Int64, quarter: String, to insert: Statement, in db: Database
    ) throws {
        let s = insert.sqliteStatement
        sqlite3_reset(s)
        var sum: Int64 = 0, count: Int64 = 0
        for rating in r.ratings { if let rating { sum += Int64(rating); count += 1 } }
        sqlite3_bind_text(s, 1, quarter, -1, sqliteTransient)
        sqlite3_bind_text(s, 2, r.centre, -1, sqliteTransient)
        sqlite3_bind_text(s, 3, r.channel, -1, sqliteTransient)
        sqlite3_bind_int64(s, 4, sequence)
        sqlite3_bind_int64(s, 5, r.submittedAt.millisecondsSince1970)
        sqlite3_bind_int64(s, 6, sum)
        sqlite3_bind_int64(s, 7, count)
        if let service = r.service { sqlite3_bind_text(s, 8, service, -1, sqliteTransient) } else { sqlite3_bind_null(s, 8) }
        sqlite3_bind_text(s, 9, comment, -1, sqliteTransient)
        let code = sqlite3_step(s)
        sqlite3_reset(s)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }
}

// MARK: Reading what a report shows

extension SQLiteStore {
    /// Says what `centre`, `entity` or neither (every centre) is, from the registry.
    public func reportSubject(centre: String? = nil, entity: String? = nil) async throws -> ReportSubject {
        try await read { db in try Self.reportSubject(centre: centre, entity: entity, in: db) }
    }

    /// Says what a saved report's scope is: `all`, an entity, or else a centre.
    public func reportSubject(scope: String) async throws -> ReportSubject {
        try await read { db in
            if scope == "all" { return .all }
            if try Self.entity(scope, in: db) != nil { return try Self.reportSubject(centre: nil, entity: scope, in: db) }
            return try Self.reportSubject(centre: scope, entity: nil, in: db)
        }
    }

    static func reportSubject(centre: String?, entity: String?, in db: Database) throws -> ReportSubject {
        if let entity {
            guard let known = try Self.entity(entity, in: db) else {
                throw AssessmentError("There is no entity \(entity) in the registry.", notFound: true, next: .listEntities)
            }
            let centres = try Row.fetchAll(db, sql: "SELECT * FROM centre WHERE entityId = ? ORDER BY id", arguments: [entity]).map(decodeCentre)
            guard !centres.isEmpty else {
                throw AssessmentError("The entity \(entity) has no centres in the registry.", next: .registerCentres(entity: entity))
            }
            let name = known.nameAr != nil || known.nameEn != nil ? LocalizedText(ar: known.name(.ar), en: known.name(.en)) : nil
            return ReportSubject(kind: .entity, id: entity, name: name, centres: centres)
        }
        if let centre {
            let known = try Self.centre(centre, in: db) ?? Centre(id: centre)
            let name = known.nameAr != nil || known.nameEn != nil ? LocalizedText(ar: known.name(.ar), en: known.name(.en)) : nil
            return ReportSubject(kind: .centre, id: centre, name: name, centres: [known])
        }
        return .all
    }

    /// Everything a rendered report of `subject` in `quarter` shows, read in one transaction at `now`: the figures,
    /// the eight-quarter trends, the breakdowns by service and counter, and the comments digest.
    public func reportSnapshot(
        subject: ReportSubject, quarter: Quarter, channel: String? = nil, policy: ThresholdPolicy, channels: ChannelCatalog,
        at now: Instant, commentLimit: Int = CommentDigest.defaultLimit
    ) async throws -> ReportSnapshot {
        let zone = configuration.zone
        return try await read { db in
            let scope = ReportScope(
                quarter: quarter, centre: subject.kind == .centre ? subject.id : nil, channel: channel,
                entity: subject.kind == .entity ? subject.id : nil,
                centres: subject.kind == .entity ? subject.centres.map(\.id) : nil)
            let quarters = quarter.trailing(ReportSnapshot.trendQuarters)
            let counts = try Self.counts(for: [quarters[0].previous] + quarters, in: db)
            var report = QuarterlyReport(scope: scope, zone: zone, policy: policy, channels: channels,
                                         current: counts[quarter] ?? [:], previous: counts[quarter.previous] ?? [:])
            // What the misuse rules set aside, read with the figures it was left out of.
            report.noteSetAside(try Self.setAsideCounts(quarter: quarter, centre: scope.centre, in: db), scope: scope)
            report.noteCases(try Self.caseCounts(quarter: quarter, centre: scope.centre, asOf: now, in: db), scope: scope, asOf: now)
            report.noteReach(served: try Self.servedCounts(quarter: quarter, centre: scope.centre, in: db),
                             invitations: try Self.invitationCounts(quarter: quarter, centre: scope.centre, in: db), scope: scope)
            let trend = TrendSeries.build(quarters: quarters, counts: counts, scope: scope, label: subject.scope,
                                          channels: channels, policy: policy)
            func breakdowns(_ dimension: BreakdownDimension) throws -> [Breakdown] {
                let byCentre = try Self.detailCounts(dimension, scope: scope, in: db)
                return byCentre.keys.sorted().map { centre in
                    Breakdown(dimension: dimension, centre: centre, quarter: quarter, counts: byCentre[centre]!, policy: policy)
                }
            }
            let comments = try Self.commentDigest(scope: scope, channels: channels, zone: zone, limit: commentLimit, in: db)
            return ReportSnapshot(takenAt: now, subject: subject, channels: channels, report: report, trend: trend,
                                  services: try breakdowns(.service), counters: try breakdowns(.counter), comments: comments)
        }
    }

    /// The SQL condition and arguments selecting `scope`'s centres and channel.
    static func scopeFilter(_ scope: ReportScope, channels: Bool = true) -> (sql: String, arguments: [(any DatabaseValueConvertible)?]) {
        var sql = "quarter = ?"
        var arguments: [(any DatabaseValueConvertible)?] = [scope.quarter.description]
        if let centre = scope.centre {
            sql += " AND centre = ?"
            arguments.append(centre)
        }
        if let centres = scope.centres {
            sql += " AND centre IN (\(Array(repeating: "?", count: centres.count).joined(separator: ", ")))"
            arguments += centres.map { $0 as (any DatabaseValueConvertible)? }
        }
        if channels, let channel = scope.channel {
            sql += " AND channel = ?"
            arguments.append(channel)
        }
        return (sql, arguments)
    }

    /// Per centre, per service: the counts of `scope`'s channels added up; per counter: the centre's counts, every
    /// channel (a counter names one point of service).
    static func detailCounts(_ dimension: BreakdownDimension, scope: ReportScope, in db: Database) throws -> [String: [String: Counts]] {
        let (table, column) = dimension == .service ? ("serviceRollup", "service") : ("counterRollup", "counter")
        let filter = scopeFilter(scope, channels: dimension == .service)
        let rows = try Row.fetchCursor(
            db, sql: "SELECT centre, \(column), \(RollupLayout.detailColumns.joined(separator: ", ")) FROM \(table) WHERE \(filter.sql)",
            arguments: StatementArguments(filter.arguments))
        var result: [String: [String: Counts]] = [:]
        while let row = try rows.next() {
            result[row[0], default: [:]][row[1], default: .zero].add(RollupLayout.counts(detail: true) { row[2 + $0] })
        }
        return result
    }

    /// The comments of `scope`: counts by channel, and up to `limit` of them, low-rated first.
    static func commentDigest(scope: ReportScope, channels: ChannelCatalog, zone: DeploymentZone, limit: Int, in db: Database) throws -> CommentDigest {
        let filter = scopeFilter(scope)
        let arguments = StatementArguments(filter.arguments)
        let counts = try Row.fetchAll(
            db, sql: "SELECT channel, count(*), sum(ratingSum < 3 * ratingCount) FROM comment WHERE \(filter.sql) GROUP BY channel",
            arguments: arguments
        ).map { ChannelCommentCount(channel: $0[0], comments: $0[1], lowRated: $0[2]) }
            .sorted { (channels.order(of: $0.channel), $0.channel) < (channels.order(of: $1.channel), $1.channel) }
        let entries = try Row.fetchAll(
            db, sql: """
                SELECT centre, channel, submittedMs, service, ratingSum, ratingCount, text FROM comment WHERE \(filter.sql)
                ORDER BY ratingSum < 3 * ratingCount DESC, CAST(ratingSum AS REAL) / ratingCount, submittedMs DESC, centre, channel, seq
                LIMIT ?
                """,
            arguments: arguments + [limit]
        ).map { Self.commentEntry($0, zone: zone) }
        return CommentDigest(counts: counts, entries: entries, limit: limit)
    }

    /// A row `centre, channel, submittedMs, service, ratingSum, ratingCount, text` of the comment table as a report
    /// shows it (the local day, never the time).
    static func commentEntry(_ row: Row, zone: DeploymentZone) -> CommentEntry {
        CommentEntry(centre: row[0], channel: row[1], day: zone.date(at: Instant(millisecondsSince1970: row[2])).iso8601, service: row[3],
                     ratingSum: row[4], ratingCount: row[5], text: row[6])
    }
}
