/// One thing wrong with an input: which row (when there are rows), which field, and why.
///
/// Validation collects every problem it finds instead of stopping at the first,
/// so a person can correct a row or a file in one pass.
public struct Problem: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line of the file the row starts on, when the input is a file.
    public var line: Int?
    /// The field (column) at fault, in Rida's canonical names; nil when the problem is the whole row.
    public var field: String?
    /// A sentence a person can act on.
    public var reason: String

    public init(line: Int? = nil, field: String? = nil, reason: String) {
        self.line = line
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var parts: [String] = []
        if let line { parts.append("line \(line)") }
        if let field { parts.append(field) }
        return parts.isEmpty ? reason : parts.joined(separator: ", ") + ": " + reason
    }
}

/// Problems found in an input, thrown when it cannot be used at all.
public struct ProblemList: Error, Sendable, CustomStringConvertible {
    public var problems: [Problem]

    public init(_ problems: [Problem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
