import GRDB
import RidaSurvey

extension SQLiteStore: SignStore {
    static func sign(_ row: Row) -> Sign? {
        guard case .instant(let created) = ISO8601Timestamp.parse(row["createdAt"] as String) else { return nil }
        let counter: String = row["counter"]
        return Sign(id: row["id"], token: row["token"], centre: row["centre"], channel: row["channel"], counter: counter.isEmpty ? nil : counter,
                    createdAt: created)
    }

    public func signs(for wanted: [(centre: String, channel: String, counter: String?)], tokens: [String], at time: Instant) async throws -> [Sign] {
        precondition(wanted.count == tokens.count, "one token per sign that may be made")
        let asked = wanted.map { ($0.centre, $0.channel, $0.counter ?? "") }
        return try await write { db in
            try zip(asked, tokens).map { key, token in
                try db.execute(sql: "INSERT INTO sign (token, centre, channel, counter, createdAt) VALUES (?, ?, ?, ?, ?) ON CONFLICT (centre, channel, counter) DO NOTHING",
                               arguments: [token, key.0, key.1, key.2, time.iso8601])
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sign WHERE centre = ? AND channel = ? AND counter = ?",
                                                 arguments: [key.0, key.1, key.2]), let sign = Self.sign(row) else {
                    throw StoreError.unavailable(path: "sign", reason: "a sign just made cannot be read back")
                }
                return sign
            }
        }
    }

    public func sign(token: String) async throws -> Sign? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM sign WHERE token = ?", arguments: [token]).flatMap(Self.sign) }
    }
}
