/// One thing wrong with an input: where it is (a file's line, a batch entry, or nowhere in particular), which field,
/// and why. The one problem type of Rida: response and evidence validation, imports, verdict recording and
/// configuration all report in it.
///
/// Validation collects every problem it finds instead of stopping at the first,
/// so a person can correct a row or a file in one pass.
///
/// ```swift
/// Problem(line: 12, field: "q1", reason: "\"6\" is not a rating from 1 to 5")   // line 12, q1: …
/// Problem(entry: 2, field: "verdict", reason: "…")                             // the third entry of a batch
/// ```
public struct Problem: Sendable, Hashable, CustomStringConvertible {
    /// Where in the input a problem is.
    public enum Location: Sendable, Hashable {
        /// The 1-based line of the file the row starts on.
        case line(Int)
        /// The 0-based position of an entry in a batch (the HTTP service names it `entries[i]`).
        case entry(Int)
    }

    /// Where the problem is; nil when the input is one thing (one response, one request, one setting).
    public var location: Location?
    /// The field (column) at fault, in Rida's canonical names; nil when the problem is the whole row or entry.
    public var field: String?
    /// A sentence a person can act on.
    public var reason: String

    public init(line: Int? = nil, field: String? = nil, reason: String) {
        self.location = line.map(Location.line)
        self.field = field
        self.reason = reason
    }

    public init(entry: Int, field: String? = nil, reason: String) {
        self.location = .entry(entry)
        self.field = field
        self.reason = reason
    }

    /// The line the problem is on, when its input is a file.
    public var line: Int? {
        get { if case .line(let line) = location { line } else { nil } }
        set { location = newValue.map(Location.line) }
    }

    /// The position of the entry the problem is about (from 0), when its input is a batch.
    public var entry: Int? {
        if case .entry(let index) = location { index } else { nil }
    }

    /// The same problem at another place: a batch's entry found by its position among the entries that could be read,
    /// moved to its position in the batch as sent.
    public func located(_ location: Location?) -> Problem {
        var moved = self
        moved.location = location
        return moved
    }

    /// `line 3, q1: reason`, `entries[2].verdict: reason`, `field: reason`, or the reason alone.
    public var description: String {
        switch location {
        case .entry(let index):
            return "entries[\(index)]" + (field.map { ".\($0)" } ?? "") + ": " + reason
        case .line(let line):
            return "line \(line)" + (field.map { ", \($0)" } ?? "") + ": " + reason
        case nil:
            return field.map { "\($0): \(reason)" } ?? reason
        }
    }
}

/// The JSON form: `line` for a file's line, `index` for a batch's entry (the names problems had before they shared one
/// type), `field` and `reason`; absent keys for what is not known.
extension Problem: Codable {
    enum Key: String, CodingKey { case line, index, field, reason }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        if let line = try c.decodeIfPresent(Int.self, forKey: .line) {
            location = .line(line)
        } else if let index = try c.decodeIfPresent(Int.self, forKey: .index) {
            location = .entry(index)
        } else {
            location = nil
        }
        field = try c.decodeIfPresent(String.self, forKey: .field)
        reason = try c.decode(String.self, forKey: .reason)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch location {
        case .line(let line): try c.encode(line, forKey: .line)
        case .entry(let index): try c.encode(index, forKey: .index)
        case nil: break
        }
        try c.encodeIfPresent(field, forKey: .field)
        try c.encode(reason, forKey: .reason)
    }
}

/// Problems found in an input, thrown when it cannot be used at all.
public struct ProblemList: RidaFailure {
    public var problems: [Problem]

    public init(_ problems: [Problem]) {
        self.problems = problems
    }

    public var kind: FailureKind { .invalid }
    public var code: String { "invalid_input" }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
