import GRDB
import RidaSurvey

extension SQLiteStore: WidgetStore {
    static func widget(_ row: Row) -> Widget? {
        guard case .instant(let created) = ISO8601Timestamp.parse(row["createdAt"] as String) else { return nil }
        var revoked: Instant?
        if let text = row["revokedAt"] as String?, case .instant(let at) = ISO8601Timestamp.parse(text) { revoked = at }
        return Widget(id: row["id"], key: row["key"], label: row["label"], centre: row["centre"],
                      channels: (row["channels"] as String).split(separator: " ").map(String.init),
                      origins: (row["origins"] as String).split(separator: " ").map(String.init),
                      createdAt: created, revokedAt: revoked)
    }

    public func createWidget(key: String, label: String, centre: String, channels: [String], origins: [String], at time: Instant) async throws -> Widget {
        try await write { db in
            try db.execute(sql: "INSERT INTO widget (key, label, centre, channels, origins, createdAt) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [key, label, centre, channels.joined(separator: " "), origins.joined(separator: " "), time.iso8601])
            guard let widget = try Row.fetchOne(db, sql: "SELECT * FROM widget WHERE id = ?", arguments: [db.lastInsertedRowID]).flatMap(Self.widget) else {
                throw StoreError.unavailable(path: "widget", reason: "a widget just made cannot be read back")
            }
            return widget
        }
    }

    public func widget(key: String) async throws -> Widget? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM widget WHERE key = ?", arguments: [key]).flatMap(Self.widget) }
    }

    public func widgets() async throws -> [Widget] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM widget ORDER BY id").compactMap(Self.widget) }
    }

    public func setWidgetOrigins(_ id: Int64, origins: [String]) async throws -> Widget? {
        try await write { db in
            try db.execute(sql: "UPDATE widget SET origins = ? WHERE id = ?", arguments: [origins.joined(separator: " "), id])
            return try Row.fetchOne(db, sql: "SELECT * FROM widget WHERE id = ?", arguments: [id]).flatMap(Self.widget)
        }
    }

    public func revokeWidget(_ id: Int64, at time: Instant) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE widget SET revokedAt = ? WHERE id = ? AND revokedAt IS NULL", arguments: [time.iso8601, id])
            return db.changesCount > 0
        }
    }
}
