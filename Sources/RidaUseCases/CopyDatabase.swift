import Foundation
import RidaReports
import RidaStore
import RidaSurvey

/// Moves a deployment: copies everything one store holds into another that holds nothing, SQLite to PostgreSQL, back,
/// or SQLite to SQLite (`rida db copy --from SOURCE --to DESTINATION`).
///
/// The source is read from one snapshot; the destination is written in one transaction and verified inside it before
/// the commit: each table's rows counted and compared (an order-free digest of every value, so a text, a number or a
/// NULL that changed on the way is caught), the destination's own full check (every rollup and the reports' comments
/// recounted from the responses, the guards there), and every published report's content and page against its
/// SHA-256. A copy that fails or does not verify is rolled back: nothing of it is stored.
///
/// ```swift
/// let summary = try await CopyDatabase(from: sqlite, to: postgres).run()
/// ```
public struct CopyDatabase: Sendable {
    /// Every table of Rida's data, in the order a copy writes them: a table the rows of another refer to comes first.
    /// A store's table missing here is refused (and a test compares this list with both stores' schemas), so a table
    /// added by a migration cannot be left behind.
    public static let tables: [String] = [
        "survey", "import", "response", "misuseDecision", "rollup", "dayRollup", "serviceRollup", "counterRollup", "comment",
        "entity", "centre", "centreChange",
        "assessment", "assessmentEntry", "assessmentClosing", "assessmentFrozenVerdict", "assessmentDescription",
        "tawasulComplaint", "contact", "replyScore", "liveDisplayDay",
        "savedReport", "reportAction", "reportActionStatus", "declineReason",
        "apiKey", "followUpCase", "followUpEvent", "invitation", "sign", "customersServed", "widget",
    ]

    /// What a copy did to one table.
    public struct TableCopy: Sendable, Hashable {
        public var table: String
        public var rows: Int
        /// The destination holds the same rows, value for value.
        public var verified: Bool
    }

    /// What a copy did, once committed.
    public struct Summary: Sendable {
        public var tables: [TableCopy]
        /// The published reports whose content and page were checked against their SHA-256 on the destination.
        public var publishedReports: Int
        /// What the destination's check says of the kept histories' numbering: a gap the source had (PostgreSQL's
        /// identities may skip a number; SQLite's check reads a gap as a removal) is copied as it is, and said here.
        public var notes: [CheckProblem]
    }

    /// How far a copy is, for a shell to show on long work.
    public enum Progress: Sendable, Hashable {
        /// Copying `table`: `done` rows of `total` so far.
        case copying(table: String, done: Int, total: Int)
        /// Reading `table` back from the destination, inside the transaction.
        case verifying(table: String)
        /// The destination's full check (rollups recounted) and the published reports' SHA-256.
        case checking
    }

    public let source: any StoreCopying
    public let destination: any StoreCopying
    /// How the destination is named in sentences (its path, or its URL without the password).
    public let destinationName: String
    public let batchSize: Int
    public let progress: @Sendable (Progress) -> Void

    public init(from source: any StoreCopying, to destination: any StoreCopying, destinationName: String = "the destination",
                batchSize: Int = 1000, progress: @escaping @Sendable (Progress) -> Void = { _ in }) {
        self.source = source
        self.destination = destination
        self.destinationName = destinationName
        self.batchSize = max(1, batchSize)
        self.progress = progress
    }

    /// Copies and verifies, then commits; throws `UseCaseError` (nothing stored) when the destination holds data
    /// already, when a store holds a table this list does not know, or when the copy does not verify.
    public func run() async throws -> Summary {
        try Self.refuseUnknown(try await source.storedTables(), in: "The source")
        try Self.refuseUnknown(try await destination.storedTables(), in: "The destination \(destinationName)")
        return try await source.readingSnapshot { reader in
            try await destination.writingTransaction { writer in
                try await copy(from: reader, into: writer)
            }
        }
    }

    /// Copies every table, then verifies the copy, inside the destination's transaction.
    private func copy(from reader: any CopyReading, into writer: any CopyWriting) async throws -> Summary {
        try await refuseIfHoldingData(writer)
        var copies: [(table: String, columns: [String], rows: Int, digest: Digest)] = []
        for table in Self.tables {
            let columns = try await Self.columns(of: table, reader: reader, writer: writer, name: destinationName)
            let total = try await reader.rowCount(of: table)
            var digest = Digest()
            progress(.copying(table: table, done: 0, total: total))
            try await reader.rows(of: table, columns: columns, batchSize: batchSize) { batch in
                digest.add(batch)
                try await writer.insert(batch, into: table, columns: columns)
                progress(.copying(table: table, done: digest.rows, total: total))
            }
            if digest.rows != total {
                throw Self.notVerified(destinationName, ["\(table): the source counted \(total) rows and gave \(digest.rows)"])
            }
            copies.append((table, columns, total, digest))
        }
        return try await verify(copies, in: writer)
    }

    /// Every difference found when the destination is read back inside the transaction, or the summary.
    private func verify(_ copies: [(table: String, columns: [String], rows: Int, digest: Digest)],
                        in writer: any CopyWriting) async throws -> Summary {
        var differences: [String] = []
        var tables: [TableCopy] = []
        var published = 0
        for copy in copies {
            progress(.verifying(table: copy.table))
            var digest = Digest()
            let reports = copy.table == "savedReport" ? PublishedReports(columns: copy.columns) : nil
            try await writer.rows(of: copy.table, columns: copy.columns, batchSize: batchSize) { batch in
                digest.add(batch)
                if let reports { differences += reports.check(batch) }
                published += reports?.published(batch) ?? 0
            }
            let counted = try await writer.rowCount(of: copy.table)
            if counted != copy.rows || digest.rows != copy.rows {
                differences.append("\(copy.table): \(copy.rows) rows copied, \(counted) found")
            } else if digest != copy.digest {
                differences.append("\(copy.table): its \(copy.rows) rows do not read back with the values copied")
            }
            tables.append(TableCopy(table: copy.table, rows: copy.rows, verified: digest == copy.digest && counted == copy.rows))
        }
        progress(.checking)
        let problems = try await writer.check()
        differences += problems.filter { $0.area != .history }.map(\.description)
        if !differences.isEmpty { throw Self.notVerified(destinationName, differences) }
        return Summary(tables: tables, publishedReports: published, notes: problems.filter { $0.area == .history })
    }

    // MARK: Refusals

    private func refuseIfHoldingData(_ writer: any CopyWriting) async throws {
        var held: [String] = []
        for table in Self.tables {
            let count = try await writer.rowCount(of: table)
            if count > 0 { held.append("\(count) in \(table)") }
        }
        guard held.isEmpty else {
            throw UseCaseError(
                .conflict, code: "copy_destination_not_empty",
                "The destination \(destinationName) holds data already (rows: \(held.joined(separator: ", "))), and a copy goes only into a database that holds nothing; nothing was copied.",
                next: .copyIntoEmptyDatabase)
        }
    }

    static func refuseUnknown(_ stored: [String], in store: String) throws {
        let known = Set(tables.map { $0.lowercased() })
        let unknown = stored.filter { !known.contains($0.lowercased()) }
        let present = Set(stored.map { $0.lowercased() })
        let missing = tables.filter { !present.contains($0.lowercased()) }
        if !unknown.isEmpty {
            throw UseCaseError(
                .internalFailure, code: "copy_unknown_table",
                "\(store) holds the table\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")), which this version of Rida does not know how to copy; nothing was copied.")
        }
        if !missing.isEmpty {
            throw UseCaseError(
                .internalFailure, code: "copy_unknown_table",
                "\(store) lacks the table\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) that Rida's migrations make; nothing was copied.")
        }
    }

    /// The source's columns of `table`, which the destination must have too (names compared ignoring case).
    static func columns(of table: String, reader: any CopyReading, writer: any CopyWriting, name: String) async throws -> [String] {
        let from = try await reader.columns(of: table)
        let into = try await writer.columns(of: table)
        guard Set(from.map { $0.lowercased() }) == Set(into.map { $0.lowercased() }) else {
            throw UseCaseError(
                .conflict, code: "copy_columns_differ",
                "The table \(table) has the columns \(from.joined(separator: ", ")) in the source and \(into.joined(separator: ", ")) in \(name): the two were made by different versions of Rida; nothing was copied.")
        }
        return from
    }

    static func notVerified(_ name: String, _ differences: [String]) -> UseCaseError {
        UseCaseError(
            .internalFailure, code: "copy_not_verified",
            "The copy into \(name) did not verify, so nothing of it was stored: " + differences.prefix(10).joined(separator: "; ")
                + (differences.count > 10 ? "; and \(differences.count - 10) more" : "")
                + ". Where the source's own check finds the same, repair the source and copy again.")
    }
}

/// An order-free digest of rows: how many, and the sum of each row's hash (the process's own hasher: both sides of a
/// copy are digested by the same run). Two tables with the same rows give the same digest whatever order they are read in.
struct Digest: Sendable, Equatable {
    var rows = 0
    var sum: UInt64 = 0

    mutating func add(_ batch: [[CopyValue]]) {
        rows += batch.count
        for row in batch { sum &+= UInt64(bitPattern: Int64(row.hashValue)) }
    }
}

/// The published reports among a batch of `savedReport` rows: their stored content and page against their SHA-256.
struct PublishedReports {
    let status: Int?, content: Int?, contentSha256: Int?, page: Int?, pageSha256: Int?, id: Int?

    init(columns: [String]) {
        func index(_ name: String) -> Int? { columns.firstIndex { $0.lowercased() == name.lowercased() } }
        status = index("status"); content = index("content"); contentSha256 = index("contentSha256")
        page = index("page"); pageSha256 = index("pageSha256"); id = index("id")
    }

    private func text(_ row: [CopyValue], _ index: Int?) -> String? {
        guard let index, case .text(let text) = row[index] else { return nil }
        return text
    }

    private func isPublished(_ row: [CopyValue]) -> Bool { text(row, status) == "published" }

    func published(_ batch: [[CopyValue]]) -> Int { batch.filter(isPublished).count }

    func check(_ batch: [[CopyValue]]) -> [String] {
        var problems: [String] = []
        for row in batch where isPublished(row) {
            let name: String
            if let id, case .integer(let number) = row[id] { name = "report #\(number)" } else { name = "a published report" }
            guard let content = text(row, content), let page = text(row, page) else {
                problems.append("\(name) is published without its content or page")
                continue
            }
            if ReportFreezing.sha256(Data(content.utf8)) != text(row, contentSha256) {
                problems.append("\(name)'s content does not match its SHA-256")
            }
            if ReportFreezing.sha256(Data(page.utf8)) != text(row, pageSha256) {
                problems.append("\(name)'s page does not match its SHA-256")
            }
        }
        return problems
    }
}
