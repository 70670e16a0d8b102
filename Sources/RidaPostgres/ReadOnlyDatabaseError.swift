import RidaSurvey

/// Why a PostgreSQL database cannot be used as Rida's read database (`--read-db`, a streaming standby), or as its
/// primary (`--db`) because it takes no writes. Each is `unavailable` (503 over HTTP): a standby that is behind catches
/// up by itself, and the others are the deployment's settings to correct.
public enum ReadOnlyDatabaseError: RidaFailure, Equatable {
    /// The database has no `rida_migrations` table: it is not a Rida database (or the standby has not replayed one yet).
    case notRida(location: String)
    /// The database has fewer of Rida's migrations than this version needs: a standby whose primary was not yet
    /// migrated by this version, or which has not yet replayed it.
    case behind(location: String, missing: [String])
    /// A write was asked of a store opened for reading only.
    case writeRefused(location: String)
    /// `--db` names a database that takes no writes (a standby, or read-only sessions): it cannot be the primary.
    case notPrimary(location: String)

    public var kind: FailureKind { .unavailable }

    public var code: String {
        switch self {
        case .notRida: "database_not_rida"
        case .behind: "database_schema_behind"
        case .writeRefused: "database_read_only"
        case .notPrimary: "database_not_primary"
        }
    }

    public var description: String {
        switch self {
        case .notRida(let location):
            "The read database \(location) is not a Rida database (it has no rida_migrations table): check the read database's URL, or wait until the standby has replayed the primary's."
        case .behind(let location, let missing):
            "The read database \(location) lacks migrations this version of Rida needs (\(missing.joined(separator: ", "))): start this version on the primary first, which migrates it, and let the standby replay it."
        case .writeRefused(let location):
            "The database \(location) is opened for reading only: writes go to the primary."
        case .notPrimary(let location):
            "The database \(location) takes no writes (it is a standby, or its sessions are read-only): give the primary's URL as the database, and this one as the read database."
        }
    }
}
