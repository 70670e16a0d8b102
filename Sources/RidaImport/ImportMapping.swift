import Foundation
import RidaSurvey

/// How to read another system's export: which of its columns feed which of Rida's fields,
/// how its answers and dates are written. Documented in `docs/mapping.md`.
///
/// ```json
/// {
///   "fields": {
///     "centre": {"value": "C01"},
///     "channel": {"value": "website"},
///     "submitted_at": {"column": "Timestamp", "dateFormat": "yyyy/MM/dd h:mm:ss a zzz"},
///     "q2": {"column": "How satisfied are you?"},
///     "comment": {"columns": ["What went well?", "What could be better?"], "combine": "join"}
///   },
///   "ratingLabels": {"راضي جداً": 5, "غير راضي جداً": 1}
/// }
/// ```
public struct ImportMapping: Codable, Sendable, Hashable {
    /// A note for people: where the export comes from.
    public var description: String?
    /// `csv` or `jsonl`; by default, from the file's name and first byte.
    public var format: ImportFormat?
    /// The CSV delimiter, one character; a comma by default.
    public var delimiter: String?
    /// Rida's field name to the rule that fills it.
    public var fields: [String: FieldRule]
    /// Scale labels (any language) to the score they stand for, for q1 to q4.
    public var ratingLabels: [String: Int]?
    /// Time-zone abbreviations in dates to the offset they stand for, such as `"EST": "-05:00"`.
    public var timeZoneAbbreviations: [String: String]?

    public init(description: String? = nil, format: ImportFormat? = nil, delimiter: String? = nil,
                fields: [String: FieldRule], ratingLabels: [String: Int]? = nil, timeZoneAbbreviations: [String: String]? = nil) {
        self.description = description
        self.format = format
        self.delimiter = delimiter
        self.fields = fields
        self.ratingLabels = ratingLabels
        self.timeZoneAbbreviations = timeZoneAbbreviations
    }

    /// Reads a mapping file, reporting every problem at once.
    public static func load(_ data: Data, name: String, fields: FieldSet = .responses) throws(ImportError) -> ImportMapping {
        let mapping: ImportMapping
        do {
            mapping = try JSONDecoder().decode(ImportMapping.self, from: data)
        } catch let error as DecodingError {
            throw .badMapping(file: name, problems: [Problem(reason: describe(error))])
        } catch {
            throw .badMapping(file: name, problems: [Problem(reason: "it is not JSON")])
        }
        let problems = mapping.problems(for: fields)
        if !problems.isEmpty { throw .badMapping(file: name, problems: problems) }
        return mapping
    }

    /// Everything wrong with this mapping, as a mapping of the records `fieldSet` describes.
    public func problems(for fieldSet: FieldSet = .responses) -> [Problem] {
        var problems: [Problem] = []
        let known = Set(fieldSet.names)
        for (name, rule) in fields.sorted(by: { $0.key < $1.key }) {
            let field = "fields.\(name)"
            if !known.contains(name) {
                problems.append(Problem(field: field, reason: "Rida has no field \"\(name)\" (fields: \(fieldSet.names.joined(separator: ", ")))"))
            }
            let sources = [rule.column != nil, rule.columns != nil, rule.value != nil].filter { $0 }.count
            if sources != 1 {
                problems.append(Problem(field: field, reason: "give exactly one of \"column\", \"columns\" or \"value\""))
            }
            if let columns = rule.columns, columns.isEmpty {
                problems.append(Problem(field: "\(field).columns", reason: "needs at least one column"))
            }
            if rule.dateFormat != nil, !fieldSet.dateFields.contains(name) {
                problems.append(Problem(field: "\(field).dateFormat", reason: "only \(fieldSet.dateFields.joined(separator: " and ")) take\(fieldSet.dateFields.count == 1 ? "s" : "") a dateFormat"))
            }
        }
        for required in fieldSet.requiredInMapping where fields[required] == nil {
            problems.append(Problem(field: "fields", reason: "says nothing of \(required): map a column to it or give a fixed \"value\""))
        }
        if !fieldSet.ratingFields.isEmpty, !fieldSet.ratingFields.contains(where: { fields[$0] != nil }) {
            problems.append(Problem(field: "fields", reason: "maps none of q1 to q4: a response needs at least one rating"))
        }
        for (label, score) in (ratingLabels ?? [:]).sorted(by: { $0.key < $1.key }) where !(1...5).contains(score) {
            problems.append(Problem(field: "ratingLabels", reason: "\"\(label)\" must stand for a score from 1 to 5, not \(score)"))
        }
        if let delimiter, delimiter.utf8.count != 1 {
            problems.append(Problem(field: "delimiter", reason: "must be one character, such as \",\" or \";\""))
        }
        for (abbreviation, offset) in (timeZoneAbbreviations ?? [:]).sorted(by: { $0.key < $1.key }) {
            if case .invalid = ISO8601Timestamp.parse("2000-01-01T00:00" + offset) {
                problems.append(Problem(field: "timeZoneAbbreviations.\(abbreviation)", reason: "\"\(offset)\" is not an offset such as +03:00"))
            }
        }
        return problems
    }

    /// The source columns the mapping reads.
    public var columnsRead: [String] {
        fields.values.flatMap { rule in rule.column.map { [$0] } ?? rule.columns ?? [] }
    }
}

/// Where one of Rida's fields comes from.
public struct FieldRule: Codable, Sendable, Hashable {
    /// One source column.
    public var column: String?
    /// Several source columns: the first non-empty (`combine: "first"`, the default) or all joined.
    public var columns: [String]?
    public var combine: Combine?
    /// With `combine: "join"`: what goes between the joined texts; a line break by default.
    public var separator: String?
    /// A fixed value for every row, such as the centre an export belongs to.
    public var value: String?
    /// Source values to Rida's, such as `{"Web": "website"}`; values not listed pass unchanged.
    public var values: [String: String]?
    /// For a time field (submitted_at; received_at, contacted_at, answered_at): the date's pattern (Unicode, as in `yyyy/MM/dd h:mm:ss a zzz`).
    public var dateFormat: String?

    public enum Combine: String, Codable, Sendable {
        case first
        case join
    }

    public init(column: String? = nil, columns: [String]? = nil, combine: Combine? = nil, separator: String? = nil,
                value: String? = nil, values: [String: String]? = nil, dateFormat: String? = nil) {
        self.column = column
        self.columns = columns
        self.combine = combine
        self.separator = separator
        self.value = value
        self.values = values
        self.dateFormat = dateFormat
    }
}

public enum ImportFormat: String, Codable, Sendable {
    case csv
    case jsonl
}

func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .keyNotFound(let key, let context):
        let at = path(context)
        return "\"\(key.stringValue)\" is missing" + (at.isEmpty ? "" : " in \(at)")
    case .typeMismatch(_, let context), .valueNotFound(_, let context):
        return "\(path(context)) has the wrong type: \(context.debugDescription)"
    case .dataCorrupted(let context):
        let at = path(context)
        return at.isEmpty ? "it is not valid JSON" : "\(at): \(context.debugDescription)"
    @unknown default:
        return "it does not read as a mapping"
    }
}
