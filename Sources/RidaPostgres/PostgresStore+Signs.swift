import PostgresNIO
import RidaStore
import RidaSurvey

/// QR signs, as `SQLiteStore+Signs.swift` keeps them; two instances making one sign at once make it once.
extension PostgresStore: SignStore {
    static func signs(_ rows: PostgresRowSequence) async throws -> [Sign] {
        var found: [Sign] = []
        for try await (id, token, centre, channel, counter, created) in rows.decode((Int64, String, String, String, String, String).self) {
            guard case .instant(let at) = ISO8601Timestamp.parse(created) else { continue }
            found.append(Sign(id: id, token: token, centre: centre, channel: channel, counter: counter.isEmpty ? nil : counter, createdAt: at))
        }
        return found
    }

    public func signs(for wanted: [(centre: String, channel: String, counter: String?)], tokens: [String], at time: Instant) async throws -> [Sign] {
        precondition(wanted.count == tokens.count, "one token per sign that may be made")
        let asked = wanted.map { ($0.centre, $0.channel, $0.counter ?? "") }
        return try await transaction { connection in
            var made: [Sign] = []
            for (key, token) in zip(asked, tokens) {
                try await connection.query("""
                    INSERT INTO sign (token, centre, channel, counter, createdAt) VALUES (\(token), \(key.0), \(key.1), \(key.2), \(time.iso8601))
                    ON CONFLICT (centre, channel, counter) DO NOTHING
                    """, logger: self.logger)
                let rows = try await connection.query("""
                    SELECT id, token, centre, channel, counter, createdAt FROM sign WHERE centre = \(key.0) AND channel = \(key.1) AND counter = \(key.2)
                    """, logger: self.logger)
                guard let sign = try await Self.signs(rows).first else {
                    throw StoreError.unavailable(path: self.location.description, reason: "a sign just made cannot be read back")
                }
                made.append(sign)
            }
            return made
        }
    }

    public func sign(token: String) async throws -> Sign? {
        try await read { connection in
            try await Self.signs(try await connection.query(
                "SELECT id, token, centre, channel, counter, createdAt FROM sign WHERE token = \(token)", logger: self.logger)).first
        }
    }
}
