import RidaSurvey

/// Why a file cannot be imported at all. Each says so in one sentence; row problems are not these.
public enum ImportError: RidaFailure {
    case unreadable(file: String, reason: String)
    case empty(file: String)
    case notText(file: String)
    case notUTF8(file: String, encoding: String?)
    case notCSV(file: String, reason: String)
    case notWorkbook(file: String, reason: String)
    case wrongHeader(file: String, missing: [String], found: [String], hint: String)
    case duplicateColumn(file: String, column: String)
    case badMapping(file: String, problems: [Problem])
    /// The mapping reads columns the header repeats without saying which occurrence: every such rule.
    case ambiguousColumns(file: String, rules: [String])
    /// The dateFormat misreads the file's dates while another order reads them all.
    case dateOrder(file: String, field: String, format: String, fits: String, swapped: Int, unparsed: Int)

    /// A file that cannot be imported is invalid input, whatever the reason.
    public var kind: FailureKind { .invalid }

    public var code: String {
        switch self {
        case .unreadable: "unreadable_file"
        case .empty: "empty_file"
        case .notText: "not_text"
        case .notUTF8: "not_utf8"
        case .notCSV: "not_csv"
        case .notWorkbook: "not_workbook"
        case .wrongHeader: "wrong_header"
        case .duplicateColumn: "duplicate_column"
        case .badMapping: "bad_mapping"
        case .ambiguousColumns: "ambiguous_columns"
        case .dateOrder: "date_order"
        }
    }

    public var problems: [Problem] {
        if case .badMapping(_, let problems) = self { problems } else { [] }
    }

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
        case .notWorkbook(let file, let reason):
            "\(file) is not an Excel workbook Rida can read: \(reason); save it as .xlsx (Excel 2007 or later) or export it as CSV."
        case .wrongHeader(let file, let missing, let found, let hint):
            "The header of \(file) lacks the column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) "
                + "(found: \(found.prefix(12).joined(separator: ", "))\(found.count > 12 ? ", …" : "")): \(hint)"
        case .duplicateColumn(let file, let column):
            "The header of \(file) names the column \"\(column)\" twice: rename one of them."
        case .ambiguousColumns(let file, let rules):
            "The header of \(file) repeats column names the mapping reads without saying which: \(rules.joined(separator: "; ")): "
                + "add \"occurrence\" to each of these rules (1 for the first column of that name, 2 for the second)."
        case .dateOrder(let file, let field, let format, let fits, let swapped, let unparsed):
            "The dates of \(file) do not fit the mapping's dateFormat \"\(format)\" for \(field): "
                + [swapped > 0 ? "\(swapped) row\(swapped == 1 ? "" : "s") read only with day and month swapped" : nil,
                   unparsed > 0 ? "\(unparsed) row\(unparsed == 1 ? "" : "s") not at all" : nil].compactMap { $0 }.joined(separator: " and ")
                + ", while \"\(fits)\" reads every row: set \"dateFormat\": \"\(fits)\"; nothing was stored."
        case .badMapping(let file, let problems):
            "The mapping \(file) is not usable: " + problems.map(\.description).joined(separator: "; ") + "."
        }
    }
}
