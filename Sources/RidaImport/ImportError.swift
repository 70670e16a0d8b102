import RidaSurvey

/// Why a file cannot be imported at all. Each says so in one sentence; row problems are not these.
public enum ImportError: Error, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case empty(file: String)
    case notText(file: String)
    case notUTF8(file: String, encoding: String?)
    case notCSV(file: String, reason: String)
    case wrongHeader(file: String, missing: [String], found: [String], hint: String)
    case duplicateColumn(file: String, column: String)
    case badMapping(file: String, problems: [Problem])

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file) cannot be read: \(reason)."
        case .empty(let file):
            "\(file) is empty: there is nothing to import."
        case .notText(let file):
            "\(file) is not a text file (it holds binary data): export the responses as CSV or JSON Lines and import that."
        case .notUTF8(let file, let encoding):
            "\(file) is not UTF-8 text" + (encoding.map { " (it looks like \($0))" } ?? "")
                + ": save it as UTF-8 (in Excel, \"CSV UTF-8\") and import it again."
        case .notCSV(let file, let reason):
            "\(file) is not a CSV file Rida can read: \(reason)."
        case .wrongHeader(let file, let missing, let found, let hint):
            "The header of \(file) lacks the column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) "
                + "(found: \(found.prefix(12).joined(separator: ", "))\(found.count > 12 ? ", …" : "")): \(hint)"
        case .duplicateColumn(let file, let column):
            "The header of \(file) names the column \"\(column)\" twice: rename one of them."
        case .badMapping(let file, let problems):
            "The mapping \(file) is not usable: " + problems.map(\.description).joined(separator: "; ") + "."
        }
    }
}
