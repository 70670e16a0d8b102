import Logging
import PostgresNIO
import RidaAggregation
import RidaAssessment
import RidaStore
import RidaSurvey

/// What reports and the live display read, as `SQLiteStore+Rollups.swift`, `+DayRollups.swift` and `+ReportData.swift`
/// read it: from the rollups, never a rescan of the responses. A report's snapshot is read in one `REPEATABLE READ`
/// transaction, so its figures, trends, breakdowns and comments agree with each other while other instances write.
/// Texts are ordered `COLLATE "C"` (by their bytes), as SQLite orders them, whatever the database's collation.
extension PostgresStore: ResponseStore {
    public func counts(for quarters: [Quarter]) async throws -> [Quarter: [GroupKey: Counts]] {
        try await read { connection in try await Self.counts(for: quarters, on: connection, logger: self.logger) }
    }

    public func quartersWithResponses() async throws -> [Quarter] {
        try await read { connection in
            let rows = try await connection.query("SELECT DISTINCT quarter COLLATE \"C\" AS q FROM rollup ORDER BY q", logger: self.logger)
            var quarters: [Quarter] = []
            for try await text in rows.decode(String.self) { if let quarter = Quarter(text) { quarters.append(quarter) } }
            return quarters
        }
    }

    public func quarterlyReport(_ scope: ReportScope, policy: ThresholdPolicy, channels: ChannelCatalog) async throws -> QuarterlyReport {
        let counts = try await snapshot { connection in
            try await Self.counts(for: [scope.quarter, scope.quarter.previous], on: connection, logger: self.logger)
        }
        return QuarterlyReport(
            scope: scope, zone: configuration.zone, policy: policy, channels: channels,
            current: counts[scope.quarter] ?? [:], previous: counts[scope.quarter.previous] ?? [:])
    }

    public func dayCounts(centre: String, from: CivilDate, through: CivilDate) async throws -> [String: Counts] {
        let sums = RollupLayout.columns.map { "sum(\($0))::bigint" }.joined(separator: ", ")
        var binds = PostgresBindings()
        binds.append(centre)
        binds.append(from.iso8601)
        binds.append(through.iso8601)
        let query = PostgresQuery(
            unsafeSQL: "SELECT channel, \(sums) FROM dayRollup WHERE centre = $1 AND day BETWEEN $2 AND $3 GROUP BY channel",
            binds: binds)
        return try await read { connection in
            try await Self.countsByFirstColumn(query, on: connection, logger: self.logger)
        }
    }

    public func quarterCounts(centre: String, quarter: Quarter) async throws -> [String: Counts] {
        var binds = PostgresBindings()
        binds.append(quarter.description)
        binds.append(centre)
        let query = PostgresQuery(
            unsafeSQL: "SELECT channel, \(RollupLayout.columns.joined(separator: ", ")) FROM rollup WHERE quarter = $1 AND centre = $2",
            binds: binds)
        return try await read { connection in
            try await Self.countsByFirstColumn(query, on: connection, logger: self.logger)
        }
    }

    public func reportSubject(centre: String?, entity: String?) async throws -> ReportSubject {
        try await read { connection in
            try await Self.reportSubject(centre: centre, entity: entity, on: connection, logger: self.logger)
        }
    }

    public func reportSubject(scope: String) async throws -> ReportSubject {
        try await read { connection in
            if scope == "all" { return .all }
            let isEntity = try await Self.exists("SELECT EXISTS (SELECT 1 FROM entity WHERE id = \(scope))", on: connection, logger: self.logger)
            return try await Self.reportSubject(centre: isEntity ? nil : scope, entity: isEntity ? scope : nil,
                                                on: connection, logger: self.logger)
        }
    }

    public func reportSnapshot(
        subject: ReportSubject, quarter: Quarter, channel: String?, policy: ThresholdPolicy, channels: ChannelCatalog,
        at now: Instant, commentLimit: Int
    ) async throws -> ReportSnapshot {
        let zone = configuration.zone
        return try await snapshot { connection in
            let scope = ReportScope(
                quarter: quarter, centre: subject.kind == .centre ? subject.id : nil, channel: channel,
                entity: subject.kind == .entity ? subject.id : nil,
                centres: subject.kind == .entity ? subject.centres.map(\.id) : nil)
            let quarters = quarter.trailing(ReportSnapshot.trendQuarters)
            let counts = try await Self.counts(for: [quarters[0].previous] + quarters, on: connection, logger: self.logger)
            var report = QuarterlyReport(scope: scope, zone: zone, policy: policy, channels: channels,
                                         current: counts[quarter] ?? [:], previous: counts[quarter.previous] ?? [:])
            // What the misuse rules set aside, read in the same snapshot as the figures it was left out of.
            report.noteSetAside(try await Self.setAsideCounts(quarter: quarter, centre: scope.centre, on: connection, logger: self.logger),
                                scope: scope)
            report.noteCases(try await Self.caseCounts(quarter: quarter, centre: scope.centre, asOf: now, on: connection, logger: self.logger),
                             scope: scope, asOf: now)
            report.noteReach(served: try await Self.servedCounts(quarter: quarter, centre: scope.centre, on: connection, logger: self.logger),
                             invitations: try await Self.invitationCounts(quarter: quarter, centre: scope.centre, on: connection, logger: self.logger),
                             scope: scope)
            let trend = TrendSeries.build(quarters: quarters, counts: counts, scope: scope, label: subject.scope,
                                          channels: channels, policy: policy)
            var breakdowns: [BreakdownDimension: [Breakdown]] = [:]
            for dimension in [BreakdownDimension.service, .counter] {
                let byCentre = try await Self.detailCounts(dimension, scope: scope, on: connection, logger: self.logger)
                breakdowns[dimension] = byCentre.keys.sorted().map { centre in
                    Breakdown(dimension: dimension, centre: centre, quarter: quarter, counts: byCentre[centre]!, policy: policy)
                }
            }
            let comments = try await Self.commentDigest(scope: scope, channels: channels, zone: zone, limit: commentLimit,
                                                        on: connection, logger: self.logger)
            return ReportSnapshot(takenAt: now, subject: subject, channels: channels, report: report, trend: trend,
                                  services: breakdowns[.service] ?? [], counters: breakdowns[.counter] ?? [], comments: comments)
        }
    }

    // MARK: On a connection

    static func counts(for quarters: [Quarter], on connection: PostgresConnection, logger: Logger) async throws -> [Quarter: [GroupKey: Counts]] {
        var binds = PostgresBindings()
        binds.append(quarters.map(\.description))
        let query = PostgresQuery(
            unsafeSQL: "SELECT quarter, centre, channel, \(RollupLayout.columns.joined(separator: ", ")) FROM rollup WHERE quarter = ANY($1)",
            binds: binds)
        var result: [Quarter: [GroupKey: Counts]] = [:]
        let rows = try await connection.query(query, logger: logger)
        for try await row in rows {
            let c = row.makeRandomAccess()
            guard let quarter = Quarter(try c[0].decode(String.self)) else { continue }
            let values = try (0..<RollupLayout.width).map { try c[3 + $0].decode(Int64.self) }
            let group = GroupKey(centre: try c[1].decode(String.self), channel: try c[2].decode(String.self))
            result[quarter, default: [:]][group] = RollupLayout.counts { Int(values[$0]) }
        }
        return result
    }

    /// Counts per the first column's value, the rollup columns following it.
    static func countsByFirstColumn(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [String: Counts] {
        var result: [String: Counts] = [:]
        let rows = try await connection.query(query, logger: logger)
        for try await row in rows {
            let c = row.makeRandomAccess()
            let values = try (0..<RollupLayout.width).map { try c[1 + $0].decode(Int64.self) }
            let key = try c[0].decode(String.self)
            result[key] = RollupLayout.counts { Int(values[$0]) }
        }
        return result
    }

    static func reportSubject(centre: String?, entity: String?, on connection: PostgresConnection, logger: Logger) async throws -> ReportSubject {
        if let entity {
            let known = try await entities("SELECT id, nameAr, nameEn FROM entity WHERE id = \(entity)", on: connection, logger: logger)
            guard let known = known.first else {
                throw AssessmentError("There is no entity \(entity) in the registry.", notFound: true, next: .listEntities)
            }
            let centres = try await Self.centres("""
                SELECT id, entityId, nameAr, nameEn, kind, channels, operator, servingEntities, exclusion, firstSeenAt
                FROM centre WHERE entityId = \(entity) ORDER BY id COLLATE "C"
                """, on: connection, logger: logger).map(\.centre)
            guard !centres.isEmpty else {
                throw AssessmentError("The entity \(entity) has no centres in the registry.", next: .registerCentres(entity: entity))
            }
            let name = known.nameAr != nil || known.nameEn != nil ? LocalizedText(ar: known.name(.ar), en: known.name(.en)) : nil
            return ReportSubject(kind: .entity, id: entity, name: name, centres: centres)
        }
        if let centre {
            let known = try await Self.centre(centre, on: connection, logger: logger) ?? Centre(id: centre)
            let name = known.nameAr != nil || known.nameEn != nil ? LocalizedText(ar: known.name(.ar), en: known.name(.en)) : nil
            return ReportSubject(kind: .centre, id: centre, name: name, centres: [known])
        }
        return .all
    }

    /// The SQL condition selecting `scope`'s quarter, centres and (when `channels`) channel, its values appended to `binds`.
    static func scopeFilter(_ scope: ReportScope, channels: Bool = true, binds: inout PostgresBindings) -> String {
        binds.append(scope.quarter.description)
        var sql = "quarter = $\(binds.count)"
        if let centre = scope.centre {
            binds.append(centre)
            sql += " AND centre = $\(binds.count)"
        }
        if let centres = scope.centres {
            binds.append(centres)
            sql += " AND centre = ANY($\(binds.count))"
        }
        if channels, let channel = scope.channel {
            binds.append(channel)
            sql += " AND channel = $\(binds.count)"
        }
        return sql
    }

    /// Per centre, per service: the counts of `scope`'s channels added up; per counter: the centre's counts, every
    /// channel (a counter names one point of service).
    static func detailCounts(_ dimension: BreakdownDimension, scope: ReportScope, on connection: PostgresConnection,
                             logger: Logger) async throws -> [String: [String: Counts]] {
        let (table, column) = dimension == .service ? ("serviceRollup", "service") : ("counterRollup", "counter")
        var binds = PostgresBindings()
        let filter = scopeFilter(scope, channels: dimension == .service, binds: &binds)
        let query = PostgresQuery(
            unsafeSQL: "SELECT centre, \(column), \(RollupLayout.detailColumns.joined(separator: ", ")) FROM \(table) WHERE \(filter)",
            binds: binds)
        var result: [String: [String: Counts]] = [:]
        let rows = try await connection.query(query, logger: logger)
        for try await row in rows {
            let c = row.makeRandomAccess()
            let values = try (0..<RollupLayout.detailWidth).map { try c[2 + $0].decode(Int64.self) }
            let centre = try c[0].decode(String.self), value = try c[1].decode(String.self)
            result[centre, default: [:]][value, default: .zero].add(RollupLayout.counts(detail: true) { Int(values[$0]) })
        }
        return result
    }

    /// The comments of `scope`: counts by channel, and up to `limit` of them, low-rated first. A comment without
    /// ratings has no mean: it sorts first among its kind, as SQLite sorts its NULL.
    static func commentDigest(scope: ReportScope, channels: ChannelCatalog, zone: DeploymentZone, limit: Int,
                              on connection: PostgresConnection, logger: Logger) async throws -> CommentDigest {
        var binds = PostgresBindings()
        let filter = scopeFilter(scope, binds: &binds)
        var counts: [ChannelCommentCount] = []
        let countRows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT channel, count(*), count(*) FILTER (WHERE ratingSum < 3 * ratingCount) FROM comment WHERE \(filter) GROUP BY channel
            """, binds: binds), logger: logger)
        for try await (channel, comments, low) in countRows.decode((String, Int64, Int64).self) {
            counts.append(ChannelCommentCount(channel: channel, comments: Int(comments), lowRated: Int(low)))
        }
        counts.sort { (channels.order(of: $0.channel), $0.channel) < (channels.order(of: $1.channel), $1.channel) }
        binds.append(Int64(limit))
        let entryRows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT centre, channel, submittedMs, service, ratingSum, ratingCount, text FROM comment WHERE \(filter)
            ORDER BY ratingSum < 3 * ratingCount DESC, ratingSum::float8 / NULLIF(ratingCount, 0) ASC NULLS FIRST, submittedMs DESC,
                     centre COLLATE "C", channel COLLATE "C", seq
            LIMIT $\(binds.count)
            """, binds: binds), logger: logger)
        var entries: [CommentEntry] = []
        for try await (centre, channel, submitted, service, sum, count, text)
            in entryRows.decode((String, String, Int64, String?, Int32, Int32, String).self) {
            entries.append(CommentEntry(
                centre: centre, channel: channel, day: zone.date(at: Instant(millisecondsSince1970: submitted)).iso8601,
                service: service, ratingSum: Int(sum), ratingCount: Int(count), text: text))
        }
        return CommentDigest(counts: counts, entries: entries, limit: limit)
    }
}
