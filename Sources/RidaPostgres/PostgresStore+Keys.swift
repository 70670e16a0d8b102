import Foundation
import PostgresNIO
import RidaStore
import RidaSurvey

/// The HTTP service's API keys, as `SQLiteStore+Keys.swift` keeps them: only a key's SHA-256 is stored. Every instance
/// reads the same table, so a key created or revoked through one holds on all of them at their next lookup.
extension PostgresStore: KeyStore {
    public func createKey(
        _ secret: APIKeySecret, label: String, role: Role, centre: String?, channels: [String]?, at time: Instant
    ) async throws -> APIKey {
        let (label, centre, channels) = try APIKey.checkedRequest(label: label, role: role, centre: centre, channels: channels)
        let hash = APIKeySecret.hash(secret.text)
        let channelText = channels.map { $0.joined(separator: ",") }
        let id = try await transaction { connection in
            let rows = try await connection.query("""
                INSERT INTO apiKey (hash, label, role, centre, channels, createdAt)
                VALUES (\(hash), \(label), \(role.rawValue), \(centre), \(channelText), \(time.iso8601)) RETURNING id
                """, logger: self.logger)
            return try await rows.decode(Int64.self).first { _ in true } ?? 0
        }
        return APIKey(id: id, label: label, role: role, centre: centre, channels: channels, createdAt: time)
    }

    public func key(hash: String) async throws -> APIKey? {
        try await read { connection in
            try await Self.keys(on: connection, logger: self.logger, where: "WHERE hash = \(hash)").first
        }
    }

    public func keys() async throws -> [APIKey] {
        try await read { connection in
            try await Self.keys(on: connection, logger: self.logger, where: "")
        }
    }

    @discardableResult
    public func revokeKey(_ id: Int64, at time: Instant) async throws -> Bool {
        try await transaction { connection in
            let rows = try await connection.query(
                "UPDATE apiKey SET revokedAt = \(time.iso8601) WHERE id = \(id) AND revokedAt IS NULL RETURNING id",
                logger: self.logger)
            return try await rows.decode(Int64.self).first { _ in true } != nil
        }
    }

    public func recordKeyUse(_ uses: [Int64: Instant]) async throws {
        guard !uses.isEmpty else { return }
        // In the keys' order, so two instances recording uses of the same keys lock the rows alike.
        try await transaction { connection in
            for (id, time) in uses.sorted(by: { $0.key < $1.key }) {
                try await connection.query("""
                    UPDATE apiKey SET lastUsedAt = \(time.iso8601)
                    WHERE id = \(id) AND (lastUsedAt IS NULL OR lastUsedAt < \(time.iso8601))
                    """, logger: self.logger)
            }
        }
    }

    static func keys(on connection: PostgresConnection, logger: Logger, where condition: PostgresQuery) async throws -> [APIKey] {
        var query = PostgresQuery(unsafeSQL: """
            SELECT id, label, role, centre, channels, createdAt, lastUsedAt, revokedAt FROM apiKey
            \(condition.sql) ORDER BY id
            """)
        query.binds = condition.binds
        var keys: [APIKey] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (id, label, role, centre, channels, created, lastUsed, revoked)
            in rows.decode((Int64, String, String, String?, String?, String, String?, String?).self) {
            keys.append(APIKey(
                id: id, label: label, role: Role(rawValue: role) ?? .submitter, centre: centre,
                channels: channels.map { $0.split(separator: ",").map(String.init) },
                createdAt: instant(created) ?? Instant(millisecondsSince1970: 0),
                lastUsedAt: instant(lastUsed), revokedAt: instant(revoked)))
        }
        return keys
    }
}

/// An instant stored as ISO 8601 text.
func instant(_ text: String?) -> Instant? {
    guard let text, case .instant(let value) = ISO8601Timestamp.parse(text) else { return nil }
    return value
}
