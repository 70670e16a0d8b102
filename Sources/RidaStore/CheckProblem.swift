// What a store's consistency check reports (`StoreHealth.check`), whatever the store.

/// One problem `rida db check` found, in a sentence; `area` says which check found it.
public struct CheckProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Area: String, Sendable, Hashable {
        case integrity, foreignKeys, schema, rollups, reports, history
    }

    public var area: Area
    public var message: String

    public init(_ area: Area, _ message: String) {
        self.area = area
        self.message = message
    }

    public var description: String { "\(area.rawValue): \(message)" }
}

/// How much `check` looks at.
public enum CheckDepth: Sendable {
    /// SQLite's `quick_check` and `foreign_key_check`, the append-only guards, the unbroken numbering of the kept
    /// histories, the published reports' SHA-256: what `/health?deep=1` runs, in a moment.
    case quick
    /// All of the quick checks with SQLite's full `integrity_check`, and every rollup recounted from the responses.
    case full
}
