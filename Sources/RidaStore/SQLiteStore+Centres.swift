import GRDB
import RidaAssessment
import RidaSurvey

extension SQLiteStore {
    /// Registers the centres of a batch that the registry has not seen, as needing their entity, kind and channels:
    /// one statement per distinct centre of the batch, in the batch's transaction.
    static func registerUnseenCentres(_ centres: Set<String>, in db: Database, at time: Instant) throws {
        guard !centres.isEmpty else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO centre (id, firstSeenAt, firstSeenIn) VALUES (?, ?, 'import') ON CONFLICT(id) DO NOTHING
            """)
        let stamp = time.iso8601
        for centre in centres.sorted() {
            try insert.execute(arguments: [centre, stamp])
            if db.changesCount > 0 {
                try db.execute(sql: "INSERT INTO centreChange (centreId, changedAt, channels) VALUES (?, ?, '')", arguments: [centre, stamp])
            }
        }
    }

    /// Adds an entity, or renames it.
    public func saveEntity(_ entity: Entity) async throws {
        var entity = entity
        entity.id = try Self.registryIdentifier(entity.id, field: "entity")
        try await write { [entity] db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM centre WHERE id = ?)", arguments: [entity.id]) == true {
                throw AssessmentError("\(entity.id) is already a centre's id: entities and centres need distinct ids.")
            }
            try db.execute(sql: """
                INSERT INTO entity (id, nameAr, nameEn) VALUES (?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET nameAr = coalesce(excluded.nameAr, nameAr), nameEn = coalesce(excluded.nameEn, nameEn)
                """, arguments: [entity.id, entity.nameAr, entity.nameEn])
        }
    }

    /// Adds a centre or replaces what the registry says of it; its entity is registered if new.
    public func saveCentre(_ centre: Centre, at time: Instant) async throws {
        try await write { db in try Self.saveCentre(centre, in: db, at: time) }
    }

    /// Adds or replaces several centres in one transaction: all of them or none.
    public func saveCentres(_ centres: [Centre], entities: [Entity], at time: Instant) async throws {
        try await write { db in
            for entity in entities {
                try db.execute(sql: """
                    INSERT INTO entity (id, nameAr, nameEn) VALUES (?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET nameAr = coalesce(excluded.nameAr, nameAr), nameEn = coalesce(excluded.nameEn, nameEn)
                    """, arguments: [entity.id, entity.nameAr, entity.nameEn])
            }
            for centre in centres { try Self.saveCentre(centre, in: db, at: time) }
        }
    }

    static func saveCentre(_ centre: Centre, in db: Database, at time: Instant) throws {
        var centre = centre
        centre.id = try registryIdentifier(centre.id, field: "centre")
        centre.entity = try centre.entity.map { try registryIdentifier($0, field: "entity") }
        centre.channels = try centre.channels.map { try registryIdentifier($0, field: "channel", spaces: .none) }
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM entity WHERE id = ?)", arguments: [centre.id]) == true {
            throw AssessmentError("\(centre.id) is already an entity's id: entities and centres need distinct ids.")
        }
        let existing = try Self.centre(centre.id, in: db)
        if existing == centre { return }
        if let existing { try checkAssessedCentre(existing, becoming: centre, in: db) }
        if let problem = centre.operatorProblems.first {
            throw AssessmentError("Centre \(centre.id) was not saved: \(problem.reason).")
        }
        for entity in centre.servingEntities {
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM centre WHERE id = ?)", arguments: [entity]) == true || entity == centre.id {
                throw AssessmentError("Centre \(centre.id) was not saved: \(entity) is a centre's id, not an entity's.")
            }
            try db.execute(sql: "INSERT INTO entity (id) VALUES (?) ON CONFLICT(id) DO NOTHING", arguments: [entity])
        }
        if let entity = centre.entity {
            try db.execute(sql: "INSERT INTO entity (id) VALUES (?) ON CONFLICT(id) DO NOTHING", arguments: [entity])
            if centre.kind == .remote, let other = try String.fetchOne(
                db, sql: "SELECT id FROM centre WHERE entityId = ? AND kind = 'remote' AND id <> ?", arguments: [entity, centre.id]) {
                throw AssessmentError("The entity \(entity) already has a remote centre, \(other): an entity has exactly one remote centre.")
            }
        }
        try db.execute(sql: """
            INSERT INTO centre (id, entityId, nameAr, nameEn, kind, channels, firstSeenAt, firstSeenIn, operator, servingEntities, exclusion)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'registry', ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET entityId = excluded.entityId, nameAr = excluded.nameAr, nameEn = excluded.nameEn,
                                          kind = excluded.kind, channels = excluded.channels, operator = excluded.operator,
                                          servingEntities = excluded.servingEntities, exclusion = excluded.exclusion
            """, arguments: [centre.id, centre.entity, centre.nameAr, centre.nameEn, centre.kind?.rawValue,
                             centre.channels.joined(separator: ","), time.iso8601, centre.operator?.rawValue,
                             centre.servingEntities.joined(separator: ","), centre.exclusion?.rawValue])
        try db.execute(sql: """
            INSERT INTO centreChange (centreId, changedAt, entityId, kind, channels, nameAr, nameEn, operator, servingEntities, exclusion)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [centre.id, time.iso8601, centre.entity, centre.kind?.rawValue, centre.channels.joined(separator: ","),
                             centre.nameAr, centre.nameEn, centre.operator?.rawValue, centre.servingEntities.joined(separator: ","),
                             centre.exclusion?.rawValue])
    }

    /// A centre's, entity's or channel's id as `Identifier.normalized` reads it (trimmed, NFC), or an error naming the
    /// character that does not show, so that no look-alike of a centre can be registered.
    static func registryIdentifier(_ text: String, field: String, spaces: Identifier.Spaces = .between) throws -> String {
        switch Identifier.check(text, field: field, spaces: spaces) {
        case .success(let value): return value
        case .failure(let problem): throw AssessmentError("\"\(text)\": " + problem.reason + ".")
        }
    }

    /// An assessed centre keeps what its assessments rest on: a headquarters centre assessed under framework 1 stays a
    /// headquarters centre of its entity, and an entity's remote centre assessed under framework 2 stays that entity's
    /// remote centre; neither loses a channel (a channel dropped would drop its quarters from the verdicts). Names may
    /// change and channels may be added.
    static func checkAssessedCentre(_ existing: Centre, becoming centre: Centre, in db: Database) throws {
        let assessment: String?
        switch existing.kind {
        case .headquarters?:
            assessment = try String.fetchOne(db, sql: """
                SELECT id FROM assessment WHERE framework = 1 AND (unit = ? OR (entity IS NOT NULL AND unit = ? || '@' || entity))
                ORDER BY cycle DESC
                """, arguments: [existing.id, existing.id])
        case .remote?:
            assessment = try existing.entity.flatMap {
                try String.fetchOne(db, sql: "SELECT id FROM assessment WHERE framework = 2 AND unit = ? ORDER BY cycle DESC", arguments: [$0])
            }
        case nil:
            assessment = nil
        }
        if let refusal = Centre.refusal(changing: existing, to: centre, assessedIn: assessment) { throw refusal }
    }

    /// The registry's log of a centre: how it stood after each change, oldest first.
    public func centreHistory(_ id: String) async throws -> [(at: Instant, centre: Centre)] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT centreId AS id, entityId, nameAr, nameEn, kind, channels, operator, servingEntities, exclusion, changedAt FROM centreChange WHERE centreId = ? ORDER BY id
                """, arguments: [id]).map { row in (Self.decodeInstant(row["changedAt"]), Self.decodeCentre(row)) }
        }
    }

    /// Every entity, by id.
    public func entities() async throws -> [Entity] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM entity ORDER BY id").map { Entity(id: $0["id"], nameAr: $0["nameAr"], nameEn: $0["nameEn"]) }
        }
    }

    /// Every centre, by id.
    public func centres() async throws -> [Centre] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM centre ORDER BY id").map(Self.decodeCentre) }
    }

    public func centre(_ id: String) async throws -> Centre? {
        try await read { db in try Self.centre(id, in: db) }
    }

    public func entity(_ id: String) async throws -> Entity? {
        try await read { db in try Self.entity(id, in: db) }
    }

    static func centre(_ id: String, in db: Database) throws -> Centre? {
        try Row.fetchOne(db, sql: "SELECT * FROM centre WHERE id = ?", arguments: [id]).map(decodeCentre)
    }

    static func entity(_ id: String, in db: Database) throws -> Entity? {
        try Row.fetchOne(db, sql: "SELECT * FROM entity WHERE id = ?", arguments: [id]).map { Entity(id: $0["id"], nameAr: $0["nameAr"], nameEn: $0["nameEn"]) }
    }

    static func remoteCentre(of entity: String, in db: Database) throws -> Centre? {
        try Row.fetchOne(db, sql: "SELECT * FROM centre WHERE entityId = ? AND kind = 'remote'", arguments: [entity]).map(decodeCentre)
    }

    static func decodeCentre(_ row: Row) -> Centre {
        let channels: String = row["channels"]
        let serving: String = row["servingEntities"]
        return Centre(id: row["id"], entity: row["entityId"], nameAr: row["nameAr"], nameEn: row["nameEn"],
                      kind: (row["kind"] as String?).flatMap(CentreKind.init(rawValue:)),
                      channels: channels.split(separator: ",").map(String.init),
                      operator: (row["operator"] as String?).flatMap(CentreOperator.init(rawValue:)),
                      servingEntities: serving.split(separator: ",").map(String.init),
                      exclusion: (row["exclusion"] as String?).flatMap(CentreExclusion.init(rawValue:)))
    }
}
