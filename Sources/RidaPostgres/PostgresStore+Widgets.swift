import PostgresNIO
import RidaStore
import RidaSurvey

/// Survey widgets, as `SQLiteStore+Widgets.swift` keeps them.
extension PostgresStore: WidgetStore {
    static func widgets(_ rows: PostgresRowSequence) async throws -> [Widget] {
        var found: [Widget] = []
        for try await (id, key, label, centre, channels, origins, created, revoked)
            in rows.decode((Int64, String, String, String, String, String, String, String?).self) {
            guard case .instant(let at) = ISO8601Timestamp.parse(created) else { continue }
            var revokedAt: Instant?
            if let revoked, case .instant(let time) = ISO8601Timestamp.parse(revoked) { revokedAt = time }
            found.append(Widget(id: id, key: key, label: label, centre: centre, channels: channels.split(separator: " ").map(String.init),
                                origins: origins.split(separator: " ").map(String.init), createdAt: at, revokedAt: revokedAt))
        }
        return found
    }

    

    public func createWidget(key: String, label: String, centre: String, channels: [String], origins: [String], at time: Instant) async throws -> Widget {
        let channelList = channels.joined(separator: " ")
        let originList = origins.joined(separator: " ")
        return try await transaction { connection in
            let rows = try await connection.query("""
                INSERT INTO widget (key, label, centre, channels, origins, createdAt)
                VALUES (\(key), \(label), \(centre), \(channelList), \(originList), \(time.iso8601))
                RETURNING id, key, label, centre, channels, origins, createdAt, revokedAt
                """, logger: self.logger)
            guard let widget = try await Self.widgets(rows).first else {
                throw StoreError.unavailable(path: self.location.description, reason: "a widget just made cannot be read back")
            }
            return widget
        }
    }

    public func widget(key: String) async throws -> Widget? {
        try await read { connection in
            try await Self.widgets(try await connection.query(
                "SELECT id, key, label, centre, channels, origins, createdAt, revokedAt FROM widget WHERE key = \(key)", logger: self.logger)).first
        }
    }

    public func widgets() async throws -> [Widget] {
        try await read { connection in
            try await Self.widgets(try await connection.query(
                "SELECT id, key, label, centre, channels, origins, createdAt, revokedAt FROM widget ORDER BY id", logger: self.logger))
        }
    }

    public func setWidgetOrigins(_ id: Int64, origins: [String]) async throws -> Widget? {
        let originList = origins.joined(separator: " ")
        return try await transaction { connection in
            try await Self.widgets(try await connection.query("""
                UPDATE widget SET origins = \(originList) WHERE id = \(id)
                RETURNING id, key, label, centre, channels, origins, createdAt, revokedAt
                """, logger: self.logger)).first
        }
    }

    public func revokeWidget(_ id: Int64, at time: Instant) async throws -> Bool {
        try await transaction { connection in
            let rows = try await connection.query("""
                UPDATE widget SET revokedAt = \(time.iso8601) WHERE id = \(id) AND revokedAt IS NULL RETURNING id
                """, logger: self.logger)
            var changed = false
            for try await _ in rows.decode(Int64.self) { changed = true }
            return changed
        }
    }
}
