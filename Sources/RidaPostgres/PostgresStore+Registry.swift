import Logging
import PostgresNIO
import RidaAssessment
import RidaStore
import RidaSurvey

/// The centre registry, as `SQLiteStore+Centres.swift` keeps it: entities, centres and the append-only log of their
/// changes, each row the centre as it stood after the change. The rules are the same: distinct ids for entities and
/// centres, one remote centre per entity, and an assessed centre keeps what its assessment rests on
/// (`Centre.refusal(changing:to:assessedIn:)`).
extension PostgresStore: RegistryStore {
    public func saveEntity(_ entity: Entity) async throws {
        var entity = entity
        entity.id = try Self.registryIdentifier(entity.id, field: "entity")
        try await transaction { [entity] connection in
            if try await Self.exists("SELECT EXISTS (SELECT 1 FROM centre WHERE id = \(entity.id))", on: connection, logger: self.logger) {
                throw AssessmentError("\(entity.id) is already a centre's id: entities and centres need distinct ids.")
            }
            try await Self.upsert(entity, on: connection, logger: self.logger)
        }
    }

    public func saveCentre(_ centre: Centre, at time: Instant) async throws {
        try await transaction { connection in try await self.saveCentre(centre, on: connection, at: time) }
    }

    public func saveCentres(_ centres: [Centre], entities: [Entity], at time: Instant) async throws {
        try await transaction { connection in
            for entity in entities { try await Self.upsert(entity, on: connection, logger: self.logger) }
            for centre in centres { try await self.saveCentre(centre, on: connection, at: time) }
        }
    }

    public func centreHistory(_ id: String) async throws -> [(at: Instant, centre: Centre)] {
        let rows = try await read { connection in
            try await Self.centres("""
                SELECT centreId, entityId, nameAr, nameEn, kind, channels, operator, servingEntities, exclusion, changedAt
                FROM centreChange WHERE centreId = \(id) ORDER BY id
                """, on: connection, logger: self.logger)
        }
        return rows.map { (instant($0.at) ?? Instant(millisecondsSince1970: 0), $0.centre) }
    }

    public func entities() async throws -> [Entity] {
        try await read { connection in
            try await Self.entities("SELECT id, nameAr, nameEn FROM entity ORDER BY id COLLATE \"C\"", on: connection, logger: self.logger)
        }
    }

    public func centres() async throws -> [Centre] {
        try await read { connection in
            try await Self.centres("""
                SELECT id, entityId, nameAr, nameEn, kind, channels, operator, servingEntities, exclusion, firstSeenAt FROM centre
                ORDER BY id COLLATE "C"
                """, on: connection, logger: self.logger).map(\.centre)
        }
    }

    public func centre(_ id: String) async throws -> Centre? {
        try await read { connection in try await Self.centre(id, on: connection, logger: self.logger) }
    }

    public func entity(_ id: String) async throws -> Entity? {
        try await read { connection in
            try await Self.entities("SELECT id, nameAr, nameEn FROM entity WHERE id = \(id)", on: connection, logger: self.logger).first
        }
    }

    // MARK: Inside a transaction

    /// Registers the centres first seen in responses (their details to be given), each with its first log entry.
    static func registerUnseenCentres(_ centres: Set<String>, on connection: PostgresConnection, at time: Instant, logger: Logger) async throws {
        let stamp = time.iso8601
        for centre in centres.sorted() {
            let rows = try await connection.query("""
                INSERT INTO centre (id, firstSeenAt, firstSeenIn) VALUES (\(centre), \(stamp), 'import')
                ON CONFLICT (id) DO NOTHING RETURNING id
                """, logger: logger)
            if try await rows.decode(String.self).first(where: { _ in true }) != nil {
                try await connection.query(
                    "INSERT INTO centreChange (centreId, changedAt, channels) VALUES (\(centre), \(stamp), '')", logger: logger)
            }
        }
    }

    func saveCentre(_ centre: Centre, on connection: PostgresConnection, at time: Instant) async throws {
        var centre = centre
        centre.id = try Self.registryIdentifier(centre.id, field: "centre")
        centre.entity = try centre.entity.map { try Self.registryIdentifier($0, field: "entity") }
        centre.channels = try centre.channels.map { try Self.registryIdentifier($0, field: "channel", spaces: .none) }
        if try await Self.exists("SELECT EXISTS (SELECT 1 FROM entity WHERE id = \(centre.id))", on: connection, logger: logger) {
            throw AssessmentError("\(centre.id) is already an entity's id: entities and centres need distinct ids.")
        }
        // Locks the row, so a concurrent change of the same centre on another instance waits for this one.
        let existing = try await Self.centres("""
            SELECT id, entityId, nameAr, nameEn, kind, channels, operator, servingEntities, exclusion, firstSeenAt FROM centre
            WHERE id = \(centre.id) FOR UPDATE
            """, on: connection, logger: logger).first?.centre
        if existing == centre { return }
        if let existing {
            let assessment = try await Self.latestAssessment(resting: existing, on: connection, logger: logger)
            if let refusal = Centre.refusal(changing: existing, to: centre, assessedIn: assessment) { throw refusal }
        }
        if let problem = centre.operatorProblems.first {
            throw AssessmentError("Centre \(centre.id) was not saved: \(problem.reason).")
        }
        for entity in centre.servingEntities {
            if try await Self.exists("SELECT EXISTS (SELECT 1 FROM centre WHERE id = \(entity))", on: connection, logger: logger)
                || entity == centre.id {
                throw AssessmentError("Centre \(centre.id) was not saved: \(entity) is a centre's id, not an entity's.")
            }
            try await connection.query("INSERT INTO entity (id) VALUES (\(entity)) ON CONFLICT (id) DO NOTHING", logger: logger)
        }
        if let entity = centre.entity {
            try await connection.query("INSERT INTO entity (id) VALUES (\(entity)) ON CONFLICT (id) DO NOTHING", logger: logger)
            if centre.kind == .remote {
                let rows = try await connection.query(
                    "SELECT id FROM centre WHERE entityId = \(entity) AND kind = 'remote' AND id <> \(centre.id)", logger: logger)
                if let other = try await rows.decode(String.self).first(where: { _ in true }) {
                    throw AssessmentError("The entity \(entity) already has a remote centre, \(other): an entity has exactly one remote centre.")
                }
            }
        }
        let channels = centre.channels.joined(separator: ","), serving = centre.servingEntities.joined(separator: ",")
        try await connection.query("""
            INSERT INTO centre (id, entityId, nameAr, nameEn, kind, channels, firstSeenAt, firstSeenIn, operator, servingEntities, exclusion)
            VALUES (\(centre.id), \(centre.entity), \(centre.nameAr), \(centre.nameEn), \(centre.kind?.rawValue), \(channels),
                    \(time.iso8601), 'registry', \(centre.operator?.rawValue), \(serving), \(centre.exclusion?.rawValue))
            ON CONFLICT (id) DO UPDATE SET entityId = excluded.entityId, nameAr = excluded.nameAr, nameEn = excluded.nameEn,
                                           kind = excluded.kind, channels = excluded.channels, operator = excluded.operator,
                                           servingEntities = excluded.servingEntities, exclusion = excluded.exclusion
            """, logger: logger)
        try await connection.query("""
            INSERT INTO centreChange (centreId, changedAt, entityId, kind, channels, nameAr, nameEn, operator, servingEntities, exclusion)
            VALUES (\(centre.id), \(time.iso8601), \(centre.entity), \(centre.kind?.rawValue), \(channels), \(centre.nameAr),
                    \(centre.nameEn), \(centre.operator?.rawValue), \(serving), \(centre.exclusion?.rawValue))
            """, logger: logger)
    }

    /// The latest assessment that rests on `centre` as it is: framework 1 for a headquarters centre (itself, or itself
    /// for one entity serving there), framework 2 for an entity's remote centre.
    static func latestAssessment(resting centre: Centre, on connection: PostgresConnection, logger: Logger) async throws -> String? {
        let rows: PostgresRowSequence
        switch centre.kind {
        case .headquarters?:
            rows = try await connection.query("""
                SELECT id FROM assessment WHERE framework = 1 AND (unit = \(centre.id) OR (entity IS NOT NULL AND unit = \(centre.id) || '@' || entity))
                ORDER BY cycle DESC LIMIT 1
                """, logger: logger)
        case .remote?:
            guard let entity = centre.entity else { return nil }
            rows = try await connection.query(
                "SELECT id FROM assessment WHERE framework = 2 AND unit = \(entity) ORDER BY cycle DESC LIMIT 1", logger: logger)
        case nil:
            return nil
        }
        return try await rows.decode(String.self).first { _ in true }
    }

    static func centre(_ id: String, on connection: PostgresConnection, logger: Logger) async throws -> Centre? {
        try await centres("""
            SELECT id, entityId, nameAr, nameEn, kind, channels, operator, servingEntities, exclusion, firstSeenAt FROM centre WHERE id = \(id)
            """, on: connection, logger: logger).first?.centre
    }

    static func registryIdentifier(_ text: String, field: String, spaces: Identifier.Spaces = .between) throws -> String {
        switch Identifier.check(text, field: field, spaces: spaces) {
        case .success(let value): return value
        case .failure(let problem): throw AssessmentError("\"\(text)\": " + problem.reason + ".")
        }
    }

    // MARK: Reading rows

    /// Centres read as `SELECT id, entityId, nameAr, nameEn, kind, channels, operator, servingEntities, exclusion, firstSeenAt` (or the log's, in the same order); `at` is the tenth.
    static func centres(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [(centre: Centre, at: String)] {
        var centres: [(Centre, String)] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (id, entity, nameAr, nameEn, kind, channels, op, serving, exclusion, at)
            in rows.decode((String, String?, String?, String?, String?, String, String?, String, String?, String).self) {
            centres.append((Centre(
                id: id, entity: entity, nameAr: nameAr, nameEn: nameEn, kind: kind.flatMap(CentreKind.init(rawValue:)),
                channels: channels.split(separator: ",").map(String.init),
                operator: op.flatMap(CentreOperator.init(rawValue:)),
                servingEntities: serving.split(separator: ",").map(String.init),
                exclusion: exclusion.flatMap(CentreExclusion.init(rawValue:))), at))
        }
        return centres
    }

    static func entities(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [Entity] {
        var entities: [Entity] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (id, nameAr, nameEn) in rows.decode((String, String?, String?).self) {
            entities.append(Entity(id: id, nameAr: nameAr, nameEn: nameEn))
        }
        return entities
    }

    static func upsert(_ entity: Entity, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO entity (id, nameAr, nameEn) VALUES (\(entity.id), \(entity.nameAr), \(entity.nameEn))
            ON CONFLICT (id) DO UPDATE SET nameAr = coalesce(excluded.nameAr, entity.nameAr), nameEn = coalesce(excluded.nameEn, entity.nameEn)
            """, logger: logger)
    }

    static func exists(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(query, logger: logger)
        return try await rows.decode(Bool.self).first { _ in true } ?? false
    }
}
