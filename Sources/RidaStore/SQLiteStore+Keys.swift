import GRDB
import RidaSurvey

extension SQLiteStore {
    /// Stores a new key for `role` and returns its record; `secret` is shown to its holder once and never stored.
    public func createKey(
        _ secret: APIKeySecret, label: String, role: Role, centre: String?, channels: [String]?, at time: Instant
    ) async throws -> APIKey {
        let (label, centre, channels) = try APIKey.checkedRequest(label: label, role: role, centre: centre, channels: channels)
        let hash = APIKeySecret.hash(secret.text)
        let channelText = channels.map { $0.joined(separator: ",") }
        let id = try await write { db in
            try db.execute(
                sql: "INSERT INTO apiKey (hash, label, role, centre, channels, createdAt) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [hash, label, role.rawValue, centre, channelText, time.iso8601])
            return db.lastInsertedRowID
        }
        return APIKey(id: id, label: label, role: role, centre: centre, channels: channels, createdAt: time)
    }

    /// The key whose text hashes to `hash`, revoked or not; nil when there is none.
    public func key(hash: String) async throws -> APIKey? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM apiKey WHERE hash = ?", arguments: [hash]).map(Self.decodeKey)
        }
    }

    /// Every key, oldest first.
    public func keys() async throws -> [APIKey] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM apiKey ORDER BY id").map(Self.decodeKey)
        }
    }

    /// Revokes the key `id`; false when there is no such key or it was already revoked.
    @discardableResult
    public func revokeKey(_ id: Int64, at time: Instant) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE apiKey SET revokedAt = ? WHERE id = ? AND revokedAt IS NULL",
                           arguments: [time.iso8601, id])
            return db.changesCount == 1
        }
    }

    /// Records when keys were last used (the service batches these writes).
    public func recordKeyUse(_ uses: [Int64: Instant]) async throws {
        guard !uses.isEmpty else { return }
        try await write { db in
            for (id, time) in uses {
                try db.execute(
                    sql: "UPDATE apiKey SET lastUsedAt = ? WHERE id = ? AND (lastUsedAt IS NULL OR lastUsedAt < ?)",
                    arguments: [time.iso8601, id, time.iso8601])
            }
        }
    }

    static func decodeKey(_ row: Row) -> APIKey {
        let channels: String? = row["channels"]
        return APIKey(
            id: row["id"], label: row["label"], role: Role(rawValue: row["role"]) ?? .submitter,
            centre: row["centre"],
            channels: channels.map { $0.split(separator: ",").map(String.init) },
            createdAt: instant(row["createdAt"]) ?? Instant(millisecondsSince1970: 0),
            lastUsedAt: instant(row["lastUsedAt"]), revokedAt: instant(row["revokedAt"]))
    }
}

extension SQLiteStore {
    /// Throws unless the database answers a query: the service's health check.
    public func ping() async throws {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM survey") }
    }
}

/// An instant stored as ISO 8601 text (keys, follow-up cases, invitations); nil when absent or unreadable.
func instant(_ text: String?) -> Instant? {
    guard let text, case .instant(let value) = ISO8601Timestamp.parse(text) else { return nil }
    return value
}
