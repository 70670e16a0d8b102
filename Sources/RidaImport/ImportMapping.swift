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
    /// The zone of the source's dates that carry no offset: an IANA name (`UTC`, `America/Denver`) or an offset (`+03:00`).
    /// Without it, such dates are in the deployment's time zone.
    public var timeZone: String?
    /// Rows after the header row that are not data (Qualtrics writes 2, SurveyMonkey 1).
    public var skipRows: Int?
    /// Source values that mean "not rated" for q1 to q4 (such as "I don't know"): the question is skipped, the row kept.
    public var missing: [String]?
    /// For a workbook: the sheet to read, by name; the first sheet by default.
    public var sheet: String?

    public init(description: String? = nil, format: ImportFormat? = nil, delimiter: String? = nil,
                fields: [String: FieldRule], ratingLabels: [String: Int]? = nil, timeZoneAbbreviations: [String: String]? = nil,
                timeZone: String? = nil, skipRows: Int? = nil, missing: [String]? = nil, sheet: String? = nil) {
        self.description = description
        self.format = format
        self.delimiter = delimiter
        self.fields = fields
        self.ratingLabels = ratingLabels
        self.timeZoneAbbreviations = timeZoneAbbreviations
        self.timeZone = timeZone
        self.skipRows = skipRows
        self.missing = missing
        self.sheet = sheet
    }

    /// The keys a mapping may have at its top level.
    static let keys = ["description", "format", "delimiter", "fields", "ratingLabels", "timeZoneAbbreviations",
                       "timeZone", "skipRows", "missing", "sheet"]

    /// Reads a mapping file, reporting every problem at once.
    public static func load(_ data: Data, name: String, fields: FieldSet = .responses) throws(ImportError) -> ImportMapping {
        // Unknown keys first: a misspelt key would otherwise be ignored and leave its field silently unread.
        let unknown = unknownKeys(data)
        if !unknown.isEmpty { throw .badMapping(file: name, problems: unknown) }
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
            if let occurrence = rule.occurrence {
                if rule.column == nil {
                    problems.append(Problem(field: "\(field).occurrence", reason: "goes with \"column\": it says which of several columns of that name to read"))
                } else if occurrence < 1 {
                    problems.append(Problem(field: "\(field).occurrence", reason: "counts from 1 (the first column of that name), not \(occurrence)"))
                }
            }
            if rule.missing != nil, !fieldSet.ratingFields.contains(name) {
                problems.append(Problem(field: "\(field).missing", reason: "only ratings (q1 to q4) can be missing"))
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
        if let timeZone, SourceZone(timeZone) == nil {
            problems.append(Problem(field: "timeZone", reason: "\"\(timeZone)\" is neither a time zone name (UTC, America/Denver, Asia/Bahrain) nor an offset such as +03:00"))
        }
        if let skipRows, skipRows < 0 {
            problems.append(Problem(field: "skipRows", reason: "must be 0 or more, not \(skipRows)"))
        }
        if missing != nil, fieldSet.ratingFields.isEmpty {
            problems.append(Problem(field: "missing", reason: "only ratings (q1 to q4) can be missing; this kind of record has none"))
        }
        if let sheet, sheet.isEmpty {
            problems.append(Problem(field: "sheet", reason: "must name a sheet of the workbook"))
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

    /// Every key of the mapping's JSON that no version of Rida reads, at any level, with the closest known key.
    static func unknownKeys(_ data: Data) -> [Problem] {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        var problems: [Problem] = []
        func check(_ object: [String: Any], known: [String], at path: String) {
            for key in object.keys.sorted() where !known.contains(key) {
                let place = path.isEmpty ? key : "\(path).\(key)"
                let hint = closest(to: key, among: known).map { "did you mean \($0)?" } ?? "the keys here are \(known.joined(separator: ", "))"
                problems.append(Problem(field: place, reason: "unknown key; \(hint)"))
            }
        }
        check(root, known: keys, at: "")
        if let fields = root["fields"] as? [String: Any] {
            for (name, rule) in fields.sorted(by: { $0.key < $1.key }) {
                if let rule = rule as? [String: Any] { check(rule, known: FieldRule.keys, at: "fields.\(name)") }
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
    /// With `column`: which of the columns of that name to read, 1 for the first, when the header repeats it.
    public var occurrence: Int?
    /// For q1 to q4: source values that mean "not rated", added to the mapping's top-level `missing`.
    public var missing: [String]?

    /// The keys a rule may have.
    static let keys = ["column", "columns", "combine", "separator", "value", "values", "dateFormat", "occurrence", "missing"]

    public enum Combine: String, Codable, Sendable {
        case first
        case join
    }

    public init(column: String? = nil, columns: [String]? = nil, combine: Combine? = nil, separator: String? = nil,
                value: String? = nil, values: [String: String]? = nil, dateFormat: String? = nil, occurrence: Int? = nil,
                missing: [String]? = nil) {
        self.occurrence = occurrence
        self.missing = missing
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
    /// An Excel workbook (Office Open XML): the first sheet, or the mapping's `sheet`.
    case xlsx
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

/// The known word nearest to `word` (by edits, ignoring case), when it is near enough to be a likely slip.
func closest(to word: String, among known: [String]) -> String? {
    let lower = word.lowercased()
    let scored = known.map { ($0, editDistance(lower, $0.lowercased())) }.min { $0.1 < $1.1 }
    guard let (best, distance) = scored else { return nil }
    return distance <= max(2, best.count / 3) ? best : nil
}

/// The Levenshtein distance between two texts, by characters.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The zone of a source's dates that carry no offset: an IANA name or a fixed offset.
struct SourceZone: Sendable {
    let timeZone: TimeZone

    init?(_ text: String) {
        if let zone = TimeZone(identifier: text) {
            timeZone = zone
            return
        }
        if case .instant(let instant) = ISO8601Timestamp.parse("1970-01-01T00:00" + text), text.first == "+" || text.first == "-",
           let zone = TimeZone(secondsFromGMT: -Int(instant.millisecondsSince1970 / 1000)) {
            timeZone = zone
            return
        }
        return nil
    }

    /// The instant a local wall-clock time stands for in this zone.
    func instant(wallClockMilliseconds wall: Int64) -> Instant {
        let guess = Date(timeIntervalSince1970: Double(wall) / 1000)
        var offset = Int64(timeZone.secondsFromGMT(for: guess)) * 1000
        offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(wall - offset) / 1000))) * 1000
        return Instant(millisecondsSince1970: wall - offset)
    }
}
