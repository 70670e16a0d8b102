import RidaSurvey

/// A problem with the database itself, told in one sentence a person can act on.
///
/// Domain errors know nothing of HTTP; the service and the command line map them.
public enum StoreError: RidaFailure, Equatable {
    /// No database at the path, and the command only reads one.
    case missing(path: String)
    /// The file exists but is not a SQLite database, or is damaged.
    case notADatabase(path: String)
    /// The database was written by a newer version of Rida.
    case newerVersion(path: String, unknownMigrations: [String])
    /// The database could not be opened or written, for the reason SQLite gave.
    case unavailable(path: String, reason: String)

    public var nextStep: NextStep? {
        if case .missing = self { .createDatabase } else { nil }
    }

    public var description: String {
        switch self {
        case .missing(let path):
            "There is no Rida database at \(path)."
        case .notADatabase(let path):
            "\(path) is not a Rida database (it is not SQLite, or it is damaged): check the --db path or restore it from a backup."
        case .newerVersion(let path, let unknown):
            "\(path) was written by a newer version of Rida (it has \(unknown.joined(separator: ", "))): use that version or a newer one."
        case .unavailable(let path, let reason):
            "The database \(path) cannot be used: \(reason)."
        }
    }

    /// `notFound` when there is no database at the path; otherwise `unavailable`: the database cannot be used now.
    public var kind: FailureKind {
        switch self {
        case .missing: .notFound
        case .notADatabase, .newerVersion, .unavailable: .unavailable
        }
    }

    public var code: String {
        switch self {
        case .missing: "database_missing"
        case .notADatabase, .newerVersion, .unavailable: "database_unavailable"
        }
    }
}
