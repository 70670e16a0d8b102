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

    /// Every difference between a rollup table as stored and as recounted from the responses, each row (its key's
    /// parts, then its counts, responses first) named "the `title` KEY", in the keys' order; a stored row of zeros
    /// with no response behind it is no problem.
    public static func rollupDifferences(_ title: String, stored: [[String]: [Int64]], recounted: [[String]: [Int64]]) -> [CheckProblem] {
        var problems: [CheckProblem] = []
        for key in Set(stored.keys).union(recounted.keys).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let name = "the \(title) \(key.joined(separator: " "))"
            switch (stored[key], recounted[key]) {
            case (let have?, let want?) where have != want:
                problems.append(CheckProblem(.rollups, have[0] != want[0]
                    ? "\(name) counts \(have[0]) responses; the responses stored give \(want[0])"
                    : "\(name) counts its \(have[0]) responses' scores otherwise than the responses stored do"))
            case (nil, let want?):
                problems.append(CheckProblem(.rollups, "\(name) is missing; the responses stored give \(want[0])"))
            case (let have?, nil) where have.contains(where: { $0 != 0 }):
                problems.append(CheckProblem(.rollups, "\(name) counts \(have[0]) responses; no response stored belongs to it"))
            default:
                break
            }
        }
        return problems
    }
}

/// How much `check` looks at.
public enum CheckDepth: Sendable {
    /// SQLite's `quick_check` and `foreign_key_check`, the append-only guards, the unbroken numbering of the kept
    /// histories, the published reports' SHA-256: what `/health?deep=1` runs, in a moment.
    case quick
    /// All of the quick checks with SQLite's full `integrity_check`, and every rollup recounted from the responses.
    case full
}
