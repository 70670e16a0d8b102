import Logging
import NIOCore
import PostgresNIO
import RidaStore
import RidaSurvey

/// A whole store copied in or out (`StoreCopying`, for `rida db copy`), as `SQLiteStore+Copy.swift` does on a file.
///
/// Reading runs in one `REPEATABLE READ` transaction (one snapshot), each table streamed in the order of its primary
/// key. Writing runs in one transaction: rows go in as multi-row `INSERT`s with `OVERRIDING SYSTEM VALUE` (the ids, and
/// `response.seq` the comments point to, are kept as given); before the commit every identity sequence is moved past
/// the highest id written (`setval`), so the next insert does not collide with a copied row.
extension PostgresStore: StoreCopying {
    public func storedTables() async throws -> [String] {
        try await read { connection in
            let rows = try await connection.query("""
                SELECT table_name::text FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'rida_migrations'
                ORDER BY table_name
                """, logger: self.logger)
            var names: [String] = []
            for try await name in rows.decode(String.self) { names.append(name) }
            return names
        }
    }

    public func readingSnapshot<T: Sendable>(_ body: @escaping @Sendable (any CopyReading) async throws -> T) async throws -> T {
        try await snapshot { connection in
            try await body(PostgresCopyTables(connection: connection, location: self.location, zone: self.configuration.zone,
                                              logger: self.logger))
        }
    }

    public func writingTransaction<T: Sendable>(_ body: @escaping @Sendable (any CopyWriting) async throws -> T) async throws -> T {
        try await transaction { connection in
            let tables = PostgresCopyTables(connection: connection, location: self.location, zone: self.configuration.zone,
                                            logger: self.logger)
            let value = try await body(tables)
            try await tables.advanceIdentities()
            return value
        }
    }
}

/// The tables of one PostgreSQL database as a copy reads and writes them, on one connection (in a transaction).
struct PostgresCopyTables: CopyWriting {
    let connection: PostgresConnection
    let location: PostgresLocation
    let zone: DeploymentZone
    let logger: Logger

    /// At most this many values in one `INSERT` (PostgreSQL takes at most 65 535 parameters in a statement).
    static let parameterLimit = 30_000

    /// `name` as SQL: table and column names come from the schemas, and are used unquoted (so folded to lower case, as
    /// the migrations made them) once checked to be plain identifiers.
    func identifier(_ name: String) throws -> String {
        guard let first = name.first, first.isLetter || first == "_",
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw StoreError.unavailable(path: location.description, reason: "\(name) is not a plain table or column name")
        }
        return name
    }

    private func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw PostgresStore.failure(error, location: location)
        }
    }

    func columns(of table: String) async throws -> [String] {
        try await run {
            var binds = PostgresBindings()
            binds.append(table.lowercased())
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT column_name::text FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position
                """, binds: binds), logger: logger)
            var names: [String] = []
            for try await name in rows.decode(String.self) { names.append(name) }
            return names
        }
    }

    func rowCount(of table: String) async throws -> Int {
        let table = try identifier(table)
        return try await run {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), logger: logger)
            return Int(try await rows.decode(Int64.self).first { _ in true } ?? 0)
        }
    }

    /// The columns of `table`'s primary key, in the key's order.
    func key(of table: String) async throws -> [String] {
        let table = try identifier(table)
        return try await run {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT a.attname::text FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = '\(table)'::regclass AND i.indisprimary
                ORDER BY array_position(i.indkey::int2[], a.attnum)
                """), logger: logger)
            var names: [String] = []
            for try await name in rows.decode(String.self) { names.append(name) }
            return names
        }
    }

    func rows(of table: String, columns: [String], batchSize: Int, _ body: ([[CopyValue]]) async throws -> Void) async throws {
        let key = try await key(of: table)
        let select = try columns.map(identifier).joined(separator: ", ")
        let order = key.isEmpty ? "" : " ORDER BY " + key.joined(separator: ", ")
        let sql = "SELECT \(select) FROM \(try identifier(table))\(order)"
        try await run {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            var batch: [[CopyValue]] = []
            batch.reserveCapacity(batchSize)
            // The rows stream in as they are read: the server waits while a batch is written elsewhere.
            for try await row in rows {
                batch.append(try row.map { try Self.value($0, table: table, location: location) })
                if batch.count == batchSize {
                    try await body(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { try await body(batch) }
        }
    }

    static func value(_ cell: PostgresCell, table: String, location: PostgresLocation) throws -> CopyValue {
        guard var bytes = cell.bytes else { return .null }
        // The common cases read straight from the bytes (binary integers, UTF-8 text): a copy reads every cell.
        if cell.format == .binary {
            switch cell.dataType {
            case .int8: if bytes.readableBytes == 8, let value = bytes.readInteger(as: Int64.self) { return .integer(value) }
            case .int4: if bytes.readableBytes == 4, let value = bytes.readInteger(as: Int32.self) { return .integer(Int64(value)) }
            case .int2: if bytes.readableBytes == 2, let value = bytes.readInteger(as: Int16.self) { return .integer(Int64(value)) }
            case .text, .varchar: return .text(String(buffer: bytes))
            default: break
            }
        }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .text, .varchar, .bpchar, .name: return .text(try cell.decode(String.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea:
            let buffer = try cell.decode(ByteBuffer.self)
            return .bytes(Array(buffer.readableBytesView))
        default:
            throw StoreError.unavailable(
                path: location.description,
                reason: "the column \(table).\(cell.columnName) is of type \(cell.dataType), which a copy does not carry")
        }
    }

    func insert(_ rows: [[CopyValue]], into table: String, columns: [String]) async throws {
        guard !rows.isEmpty, !columns.isEmpty else { return }
        let head = "INSERT INTO \(try identifier(table)) (\(try columns.map(identifier).joined(separator: ", "))) OVERRIDING SYSTEM VALUE VALUES "
        let perStatement = max(1, Self.parameterLimit / columns.count)
        var start = rows.startIndex
        while start < rows.endIndex {
            let end = min(start + perStatement, rows.endIndex)
            var binds = PostgresBindings(capacity: (end - start) * columns.count)
            var sql = head
            var parameter = 0
            for (offset, row) in rows[start..<end].enumerated() {
                if offset > 0 { sql += ", " }
                sql += "("
                for (index, value) in row.enumerated() {
                    parameter += 1
                    sql += index == 0 ? "$\(parameter)" : ", $\(parameter)"
                    switch value {
                    case .null: binds.appendNull()
                    case .integer(let integer): binds.append(integer)
                    case .real(let real): binds.append(real)
                    case .text(let text): binds.append(text)
                    case .bytes(let bytes): binds.append(ByteBuffer(bytes: bytes))
                    }
                }
                sql += ")"
            }
            _ = try await run { try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) }
            start = end
        }
    }

    /// Moves every identity sequence past the highest value its column holds (to 1 for an empty table).
    func advanceIdentities() async throws {
        let identities = try await run {
            let rows = try await connection.query("""
                SELECT table_name::text, column_name::text FROM information_schema.columns
                WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name, column_name
                """, logger: logger)
            var found: [(String, String)] = []
            for try await (table, column) in rows.decode((String, String).self) { found.append((table, column)) }
            return found
        }
        for (table, column) in identities {
            let table = try identifier(table), column = try identifier(column)
            _ = try await run {
                try await connection.query(PostgresQuery(unsafeSQL: """
                    SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'), coalesce((SELECT max(\(column)) FROM \(table)), 0) + 1, false)
                    """), logger: logger)
            }
        }
    }

    func check() async throws -> [CheckProblem] {
        try await run {
            var problems = try await PostgresStore.checkTriggers(on: connection, logger: logger)
            problems += try await PostgresStore.checkReportHashes(on: connection, logger: logger)
            problems += try await PostgresStore.checkRollups(on: connection, zone: zone, logger: logger)
            return problems
        }
    }
}
