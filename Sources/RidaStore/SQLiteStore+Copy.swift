import Foundation
import GRDB
import RidaSurvey

/// A whole store copied in or out (`StoreCopying`, for `rida db copy`).
///
/// Reading runs on a snapshot of the file (GRDB's `DatabaseSnapshot`: one read transaction held for the copy), in
/// batches in the order of each table's key (the rowid, or the primary key of a `WITHOUT ROWID` table). A `response`
/// row carries its rowid as the column `seq`, as PostgreSQL's does: the reports' comments point to it.
///
/// Writing runs in one transaction on a connection of its own to the file (a `DatabaseQueue` that may keep a
/// transaction open between accesses), so the copy and its verification are committed together or not at all; a
/// crash in the middle leaves the database as it was. A database in memory takes no copy: it has no second connection.
extension SQLiteStore: StoreCopying {
    public func storedTables() async throws -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master
                WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations' ORDER BY name
                """)
        }
    }

    public func readingSnapshot<T: Sendable>(_ body: @escaping @Sendable (any CopyReading) async throws -> T) async throws -> T {
        let reader: any DatabaseReader
        do {
            reader = try (writer as? DatabasePool)?.makeSnapshot() ?? writer
        } catch let error as DatabaseError {
            throw Self.storeError(error, path: path)
        }
        return try await body(SQLiteCopyTables(access: .reading(reader), path: path, zone: configuration.zone))
    }

    public func writingTransaction<T: Sendable>(_ body: @escaping @Sendable (any CopyWriting) async throws -> T) async throws -> T {
        guard path != Self.memoryPath else {
            throw StoreError.unavailable(path: path, reason: "a copy is written into a database file, not into one in memory")
        }
        var configuration = Self.databaseConfiguration(self.configuration)
        configuration.allowsUnsafeTransactions = true
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            // Foreign keys are checked at the commit (and by the check before it), not row by row.
            try await queue.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
            }
        } catch let error as DatabaseError {
            throw Self.storeError(error, path: path)
        }
        let tables = SQLiteCopyTables(access: .writing(queue), path: path, zone: self.configuration.zone)
        do {
            let value = try await body(tables)
            try await queue.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
            try queue.close()
            return value
        } catch {
            _ = try? await queue.writeWithoutTransaction { db in
                if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
            }
            try? queue.close()
            if let error = error as? DatabaseError { throw Self.storeError(error, path: path) }
            throw error
        }
    }
}

/// The tables of one SQLite database as a copy reads and writes them.
struct SQLiteCopyTables: CopyWriting {
    enum Access {
        /// A snapshot (or the one connection of a database in memory).
        case reading(any DatabaseReader)
        /// The connection holding the copy's write transaction open.
        case writing(DatabaseQueue)
    }

    let access: Access
    let path: String
    let zone: DeploymentZone

    private func run<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            switch access {
            case .reading(let reader): return try await reader.read(body)
            case .writing(let queue): return try await queue.writeWithoutTransaction(body)
            }
        } catch let error as DatabaseError {
            throw SQLiteStore.storeError(error, path: path)
        }
    }

    /// `name` as SQL: a quoted identifier (the names come from the schema, but are never trusted to be plain).
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A column as SQL: `seq` of `response` is its rowid.
    static func column(_ name: String, of table: String) -> String {
        table.lowercased() == "response" && name.lowercased() == "seq" ? "rowid" : quoted(name)
    }

    func columns(of table: String) async throws -> [String] {
        try await run { db in
            var names = try Row.fetchAll(db, sql: "PRAGMA table_info(\(Self.quoted(table)))").map { $0["name"] as String }
            if table.lowercased() == "response" { names.append("seq") }
            return names
        }
    }

    func rowCount(of table: String) async throws -> Int {
        try await run { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(Self.quoted(table))") ?? 0 }
    }

    func rows(of table: String, columns: [String], batchSize: Int, _ body: ([[CopyValue]]) async throws -> Void) async throws {
        let key = try await run { db in try Self.key(of: table, in: db) }
        let select = (key + columns.map { Self.column($0, of: table) }).joined(separator: ", ")
        let order = key.joined(separator: ", ")
        let first = "SELECT \(select) FROM \(Self.quoted(table)) ORDER BY \(order) LIMIT \(batchSize)"
        let next = "SELECT \(select) FROM \(Self.quoted(table)) WHERE (\(order)) > (\(key.map { _ in "?" }.joined(separator: ", ")))"
            + " ORDER BY \(order) LIMIT \(batchSize)"
        var after: [DatabaseValue]? = nil
        while true {
            let (batch, last) = try await run { [after] db -> ([[CopyValue]], [DatabaseValue]?) in
                let rows = try Row.fetchAll(db, sql: after == nil ? first : next, arguments: StatementArguments(after ?? []))
                let batch = rows.map { row in (key.count..<row.count).map { Self.value(row[$0] as DatabaseValue) } }
                return (batch, rows.last.map { row in (0..<key.count).map { row[$0] as DatabaseValue } })
            }
            if batch.isEmpty { return }
            try await body(batch)
            if batch.count < batchSize { return }
            after = last
        }
    }

    /// The columns rows are read in the order of: the rowid, or a `WITHOUT ROWID` table's primary key.
    static func key(of table: String, in db: Database) throws -> [String] {
        let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) ?? ""
        guard sql.uppercased().contains("WITHOUT ROWID") else { return ["rowid"] }
        let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(quoted(table)))")
            .filter { ($0["pk"] as Int) > 0 }
            .sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }
        return columns.map { quoted($0["name"] as String) }
    }

    static func value(_ value: DatabaseValue) -> CopyValue {
        switch value.storage {
        case .null: .null
        case .int64(let integer): .integer(integer)
        case .double(let real): .real(real)
        case .string(let text): .text(text)
        case .blob(let data): .bytes([UInt8](data))
        }
    }

    static func databaseValue(_ value: CopyValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let integer): integer.databaseValue
        case .real(let real): real.databaseValue
        case .text(let text): text.databaseValue
        case .bytes(let bytes): Data(bytes).databaseValue
        }
    }

    func insert(_ rows: [[CopyValue]], into table: String, columns: [String]) async throws {
        guard case .writing = access else { preconditionFailure("a snapshot takes no writes") }
        let sql = "INSERT INTO \(Self.quoted(table)) (\(columns.map { Self.column($0, of: table) }.joined(separator: ", ")))"
            + " VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        try await run { db in
            let statement = try db.cachedStatement(sql: sql)
            for row in rows {
                try statement.execute(arguments: StatementArguments(row.map(Self.databaseValue)))
            }
        }
    }

    func check() async throws -> [CheckProblem] {
        let zone = zone
        return try await run { db in try SQLiteStore.check(db, depth: .full, zone: zone) }
    }
}
