import Testing
@testable import RidaPostgres

/// A landed PostgreSQL migration never changes: each one's SQL is fingerprinted here, as `MigrationTextTests` does for
/// SQLite's. When a migration lands, append its line (the failure message gives it); a change to a line that is here
/// already is a defect: write a new migration instead. `rida_migrations` keeps the same SHA-256, and opening a database
/// whose applied migration has another refuses it.
@Suite struct PostgresMigrationTextTests {
    /// (version, name, SHA-256 of its SQL), in order.
    static let landed: [(Int, String, String)] = [
        (1, "core-v1", "fef75b9245c0bc1d4cfe792234101f6e5cfc5e9c702ea725fa20e7182e24b743"),
        (2, "assessment-v1", "f903e2d9322aa90b809974ca9948ed75eb564cecba0bc3db3f0068f92c0a4d18"),
        (3, "misuse-v1", "c7c572b242f3c99d29892932c25a136867f8245919d505c68239c9a5cd87c064"),
        (4, "cases-v1", "e29e10d8db02124c8465d0d086a9008087e581df35fca756689e97f0302b00d5"),
        (5, "invitations-v1", "37276dc6da79faeb4bf92e3c10f908649de1a82734582d59da3af0990fbf0e0f"),
        (6, "served-v1", "e55880260eabd283075fd131f929a1fd2ee2ba5b5aa7ae681151ad08d08a670e"),
        (7, "signs-v1", "483216ce95f59f742ef47aad97a5907e40367320c12f87457c288b419912fe06"),
        (8, "widgets-v1", "d6cf7f87eaeb65dbed7de4c35561ec360186a7a0ad94085f46ab909f91ec3017"),
    ]

    @Test func noLandedMigrationHasChanged() {
        let registered = PostgresMigrations.all
        #expect(registered.map(\.version) == Array(1...registered.count), "versions are 1, 2, 3… in order")
        for (index, (version, name, hash)) in Self.landed.enumerated() {
            guard index < registered.count else {
                Issue.record("the landed migration \(version) \(name) is no longer registered")
                continue
            }
            #expect(registered[index].version == version && registered[index].name == name,
                    "migration \(index + 1) is \(registered[index].version) \(registered[index].name), it was \(version) \(name)")
            #expect(registered[index].sha256 == hash, "the SQL of the landed migration \(version) \(name) has changed: write a new migration instead")
        }
        for migration in registered.dropFirst(Self.landed.count) {
            Issue.record("a new migration: append (\(migration.version), \"\(migration.name)\", \"\(migration.sha256)\") to PostgresMigrationTextTests.landed")
        }
    }
}

extension PostgresMigrationTextTests {
    /// A migration is sent a statement at a time: split at `;`, but not inside a text, a `$$` body or a comment.
    @Test func splitsAMigrationIntoItsStatements() {
        let migration = PostgresMigration(version: 9, name: "t", sql: """
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'a; b'; END
            $$;
            -- a comment; with a semicolon
            INSERT INTO t VALUES ('x;y', 'it''s;');
            SELECT 1
            """)
        #expect(migration.statements == [
            "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN RAISE EXCEPTION 'a; b'; END\n$$",
            "-- a comment; with a semicolon\nINSERT INTO t VALUES ('x;y', 'it''s;')",
            "SELECT 1",
        ])
        // The first migration: its CREATE statements, the function's body whole.
        let core = PostgresMigrations.all[0].statements
        #expect(core.first?.hasPrefix("CREATE FUNCTION rida_refuse()") == true && core.first?.hasSuffix("$$") == true)
        #expect(core.allSatisfy { $0.hasPrefix("CREATE ") })
    }
}
