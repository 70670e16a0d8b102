import Foundation
import RidaSurvey

/// How each of Rida's fields is read from a row of a source, compiled once per file
/// from its header and the mapping (or the canonical column names when there is none).
struct RowPlan {
    enum Source {
        case absent
        case column(Int)
        case columns([Int], FieldRule.Combine, String)
        case constant(String)
    }

    struct Field {
        var name: String
        /// The field's position in `ResponseDraft.fieldNames`.
        var index: Int
        var source: Source
        var values: [String: String]?
        var dateFormatter: DateFormatter?
        var isRating = false
    }

    let fields: [Field]
    /// Normalised scale labels to scores.
    let ratingLabels: [String: Int]
    let abbreviations: [(String, String)]
    /// Header columns no field reads (reported, not an error).
    let ignoredColumns: [String]
    let columnCount: Int
    let fieldSet: FieldSet

    init(header: [String], mapping: ImportMapping?, fields fieldSet: FieldSet = .responses, zone: DeploymentZone, file: String,
         checkHeader: Bool) throws(ImportError) {
        self.fieldSet = fieldSet
        var index: [String: Int] = [:]
        for (i, name) in header.enumerated() {
            let key = mapping == nil ? name.lowercased() : name
            if index[key] != nil { throw .duplicateColumn(file: file, column: name) }
            index[key] = i
        }
        columnCount = header.count
        var fields: [Field] = []
        var used = Set<Int>()
        var missing: [String] = []
        if let mapping {
            for name in fieldSet.names {
                guard let rule = mapping.fields[name] else { continue }
                var source = Source.absent
                if let column = rule.column {
                    if let i = index[column] { source = .column(i); used.insert(i) } else { missing.append("\"\(column)\"") }
                } else if let columns = rule.columns {
                    var indices: [Int] = []
                    for column in columns {
                        if let i = index[column] { indices.append(i); used.insert(i) } else { missing.append("\"\(column)\"") }
                    }
                    source = .columns(indices, rule.combine ?? .first, rule.separator ?? "\n")
                } else if let value = rule.value {
                    source = .constant(value)
                }
                var formatter: DateFormatter?
                if let format = rule.dateFormat {
                    let f = DateFormatter()
                    f.locale = Locale(identifier: "en_US_POSIX")
                    f.calendar = Calendar(identifier: .gregorian)
                    f.timeZone = TimeZone(identifier: zone.identifier)
                    f.dateFormat = format
                    formatter = f
                }
                fields.append(Field(name: name, index: fieldSet.names.firstIndex(of: name)!, source: source,
                                    values: rule.values, dateFormatter: formatter, isRating: fieldSet.ratingFields.contains(name)))
            }
            if checkHeader, !missing.isEmpty {
                throw .wrongHeader(file: file, missing: missing, found: header,
                                   hint: "the mapping names columns this file does not have; check the mapping against the file's first line")
            }
        } else {
            for name in fieldSet.names {
                if let i = index[name] {
                    fields.append(Field(name: name, index: fieldSet.names.firstIndex(of: name)!, source: .column(i),
                                        isRating: fieldSet.ratingFields.contains(name)))
                    used.insert(i)
                } else if fieldSet.requiredColumns.contains(name) {
                    missing.append(name)
                }
            }
            if checkHeader, !missing.isEmpty {
                throw .wrongHeader(
                    file: file, missing: missing, found: header,
                    hint: "Rida's CSV header is \(fieldSet.canonicalHeader) (any order); "
                        + "for another system's export, describe its columns in a mapping file and pass --mapping FILE")
            }
        }
        self.fields = fields
        var labels: [String: Int] = [:]
        for (label, score) in mapping?.ratingLabels ?? [:] { labels[normalizedLabel(label)] = score }
        ratingLabels = labels
        abbreviations = (mapping?.timeZoneAbbreviations ?? [:]).sorted { $0.key.count > $1.key.count }.map { ($0.key, $0.value) }
        ignoredColumns = header.enumerated().filter { !used.contains($0.offset) }.map(\.element)
    }

    /// The draft a row's values make, and the problems met on the way (dates a format cannot read).
    func draft(_ values: [String?], line: Int) -> (ResponseDraft, [Problem]) {
        record(values, line: line)
    }

    /// The record draft a row's values make, and the problems met on the way (dates a format cannot read).
    func record<Draft: RowDraft>(_ values: [String?], line: Int) -> (Draft, [Problem]) {
        var draft = Draft.blank
        var problems: [Problem] = []
        for field in fields {
            var value: String?
            switch field.source {
            case .absent: value = nil
            case .column(let i): value = i < values.count ? values[i] : nil
            case .constant(let v): value = v
            case .columns(let indices, let combine, let separator):
                let texts = indices.compactMap { $0 < values.count ? values[$0] : nil }
                    .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
                value = combine == .first ? texts.first : (texts.isEmpty ? nil : texts.joined(separator: separator))
            }
            if let v = value, let values = field.values, let mapped = values[v] ?? values[v.trimmingCharacters(in: .whitespaces)] {
                value = mapped
            }
            if let v = value, let formatter = field.dateFormatter, !v.trimmingCharacters(in: .whitespaces).isEmpty {
                var text = v.trimmingCharacters(in: .whitespaces)
                var offset: String?
                for (abbreviation, replacement) in abbreviations where text.hasSuffix(" " + abbreviation) {
                    text = String(text.dropLast(abbreviation.count + 1))
                    offset = replacement
                    break
                }
                let parsingFormatter: DateFormatter
                if let offset {
                    // The abbreviation stands for a fixed offset: read the rest in that offset.
                    parsingFormatter = formatter.copy() as! DateFormatter
                    parsingFormatter.dateFormat = formatter.dateFormat.replacingOccurrences(of: " zzzz", with: "")
                        .replacingOccurrences(of: " zzz", with: "").replacingOccurrences(of: " z", with: "")
                    parsingFormatter.timeZone = TimeZone(secondsFromGMT: offsetSeconds(offset))
                } else {
                    parsingFormatter = formatter
                }
                if let date = parsingFormatter.date(from: text) {
                    value = Instant(date).iso8601
                } else {
                    problems.append(Problem(line: line, field: field.name,
                                            reason: "\"\(v)\" does not match the mapping's date format \"\(formatter.dateFormat ?? "")\""))
                    value = nil
                }
            }
            if let v = value, field.isRating, !ratingLabels.isEmpty {
                if let score = ratingLabels[normalizedLabel(v)] { value = String(score) }
            }
            draft.set(fieldAt: field.index, name: field.name, value)
        }
        return (draft, problems)
    }
}

private func offsetSeconds(_ offset: String) -> Int {
    if case .instant(let instant) = ISO8601Timestamp.parse("1970-01-01T00:00" + offset) {
        return -Int(instant.millisecondsSince1970 / 1000)
    }
    return 0
}

/// A label compared without diacritics, tatweel or surrounding space: «راضي جدا» matches «راضي جداً».
func normalizedLabel(_ text: String) -> String {
    let scalars = text.unicodeScalars.filter { scalar in
        !(0x064B...0x065F).contains(scalar.value) && scalar.value != 0x0640 && scalar.value != 0x0670
    }
    return String(String.UnicodeScalarView(scalars)).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
}
