import GRDB
import RidaSurvey

/// Rida's schema, as a list of migrations. A migration that has shipped is never edited:
/// a change is a new migration appended at the end.
enum Migrations {
    /// The migrator. `zone` is the deployment's time zone: migrations that cut days need it.
    static func migrator(zone: DeploymentZone = .bahrain) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-responses") { db in
            try db.execute(sql: """
                CREATE TABLE survey (
                    id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    definition TEXT NOT NULL,
                    PRIMARY KEY (id, version)
                );
                CREATE TABLE import (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    source TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    byteCount INTEGER NOT NULL,
                    mapping TEXT,
                    startedAt TEXT NOT NULL,
                    finishedAt TEXT,
                    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
                    accepted INTEGER NOT NULL DEFAULT 0,
                    duplicates INTEGER NOT NULL DEFAULT 0,
                    conflicts INTEGER NOT NULL DEFAULT 0,
                    rejected INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE response (
                    id TEXT PRIMARY KEY NOT NULL,
                    centre TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    submittedAt TEXT NOT NULL,
                    quarter TEXT NOT NULL,
                    stage TEXT CHECK (stage IN ('before', 'during', 'after')),
                    q1 INTEGER CHECK (q1 BETWEEN 1 AND 5),
                    q2 INTEGER CHECK (q2 BETWEEN 1 AND 5),
                    q3 INTEGER CHECK (q3 BETWEEN 1 AND 5),
                    q4 INTEGER CHECK (q4 BETWEEN 1 AND 5),
                    service TEXT,
                    counter TEXT,
                    comment TEXT,
                    surveyId TEXT NOT NULL,
                    surveyVersion INTEGER NOT NULL,
                    importId INTEGER REFERENCES import(id),
                    receivedAt TEXT NOT NULL,
                    FOREIGN KEY (surveyId, surveyVersion) REFERENCES survey(id, version)
                );
                CREATE INDEX response_on_quarter_centre ON response(quarter, centre, channel);
                CREATE TABLE rollup (
                    quarter TEXT NOT NULL,
                    centre TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    responses INTEGER NOT NULL,
                    q1s1 INTEGER NOT NULL, q1s2 INTEGER NOT NULL, q1s3 INTEGER NOT NULL, q1s4 INTEGER NOT NULL, q1s5 INTEGER NOT NULL,
                    q2s1 INTEGER NOT NULL, q2s2 INTEGER NOT NULL, q2s3 INTEGER NOT NULL, q2s4 INTEGER NOT NULL, q2s5 INTEGER NOT NULL,
                    q3s1 INTEGER NOT NULL, q3s2 INTEGER NOT NULL, q3s3 INTEGER NOT NULL, q3s4 INTEGER NOT NULL, q3s5 INTEGER NOT NULL,
                    q4s1 INTEGER NOT NULL, q4s2 INTEGER NOT NULL, q4s3 INTEGER NOT NULL, q4s4 INTEGER NOT NULL, q4s5 INTEGER NOT NULL,
                    stageBefore INTEGER NOT NULL,
                    stageDuring INTEGER NOT NULL,
                    stageAfter INTEGER NOT NULL,
                    PRIMARY KEY (quarter, centre, channel)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("http-v1") { db in
            // API keys of the HTTP service: only the SHA-256 of a key is kept, never the key.
            // Day rollups: the same counts as `rollup`, per local day, for the live display.
            let counts = rollupCountColumns.map { "\($0) INTEGER NOT NULL" }.joined(separator: ", ")
            try db.execute(sql: """
                CREATE TABLE apiKey (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    hash TEXT NOT NULL UNIQUE,
                    label TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('submitter', 'quality', 'evaluator', 'admin')),
                    centre TEXT,
                    channels TEXT,
                    createdAt TEXT NOT NULL,
                    lastUsedAt TEXT,
                    revokedAt TEXT,
                    CHECK (role != 'submitter' OR centre IS NOT NULL)
                );
                CREATE TABLE dayRollup (
                    day TEXT NOT NULL,
                    centre TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    \(counts),
                    PRIMARY KEY (centre, day, channel)
                ) WITHOUT ROWID;
                """)
            try SQLiteStore.backfillDayRollups(in: db, zone: zone)
        }
        return migrator
    }

    /// The rollup's count columns, in the order `Counts` flattens them.
    static let rollupCountColumns: [String] = {
        var columns = ["responses"]
        for q in 1...4 { for s in 1...5 { columns.append("q\(q)s\(s)") } }
        return columns + ["stageBefore", "stageDuring", "stageAfter"]
    }()
}
