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
        var isDate = false
        /// Normalised source values that mean "not rated".
        var missing: Set<String> = []
    }

    let fields: [Field]
    /// Normalised scale labels to scores.
    let ratingLabels: [String: Int]
    let abbreviations: [(String, String)]
    /// Header columns no field reads (reported, not an error).
    let ignoredColumns: [String]
    let columnCount: Int
    let fieldSet: FieldSet
    /// The mapping's zone for dates without an offset; nil: the deployment's.
    let sourceZone: SourceZone?
    /// Whether a date that does not fit the dateFormat may still be read as ISO 8601 (a workbook's date cells).
    let lenientDates: Bool

    init(header: [String], mapping: ImportMapping?, fields fieldSet: FieldSet = .responses, zone: DeploymentZone, file: String,
         checkHeader: Bool, lenientDates: Bool = false) throws(ImportError) {
        self.fieldSet = fieldSet
        self.lenientDates = lenientDates
        // Every position of each name: survey tools repeat names ("Other", "Why or why not?"), which is fine
        // until a rule reads one without saying which.
        var positions: [String: [Int]] = [:]
        for (i, name) in header.enumerated() {
            positions[mapping == nil ? name.lowercased() : name, default: []].append(i)
        }
        columnCount = header.count
        sourceZone = mapping?.timeZone.flatMap(SourceZone.init)
        var fields: [Field] = []
        var used = Set<Int>()
        var missing: [String] = []
        var ambiguous: [String] = []
        if let mapping {
            let globalMissing = Set((mapping.missing ?? []).map(normalizedLabel))
            for name in fieldSet.names {
                guard let rule = mapping.fields[name] else { continue }
                var source = Source.absent
                if let column = rule.column {
                    let found = positions[column] ?? []
                    if found.isEmpty {
                        missing.append("\"\(column)\"")
                    } else if let occurrence = rule.occurrence {
                        if occurrence <= found.count {
                            source = .column(found[occurrence - 1])
                            used.insert(found[occurrence - 1])
                        } else {
                            missing.append("\"\(column)\" (occurrence \(occurrence); the header has \(found.count))")
                        }
                    } else if found.count > 1 {
                        ambiguous.append("fields.\(name) reads \"\(column)\" (\(found.count) columns of that name)")
                    } else {
                        source = .column(found[0])
                        used.insert(found[0])
                    }
                } else if let columns = rule.columns {
                    // A repeated name in a list stands for all of its columns, in the file's order.
                    var indices: [Int] = []
                    for column in columns {
                        if let found = positions[column] { indices += found; used.formUnion(found) } else { missing.append("\"\(column)\"") }
                    }
                    source = .columns(indices, rule.combine ?? .first, rule.separator ?? "\n")
                } else if let value = rule.value {
                    source = .constant(value)
                }
                var formatter: DateFormatter?
                if let format = rule.dateFormat {
                    formatter = makeDateFormatter(format, zone: sourceZone?.timeZone ?? TimeZone(identifier: zone.identifier))
                }
                let isRating = fieldSet.ratingFields.contains(name)
                fields.append(Field(name: name, index: fieldSet.names.firstIndex(of: name)!, source: source,
                                    values: rule.values, dateFormatter: formatter, isRating: isRating,
                                    isDate: fieldSet.dateFields.contains(name),
                                    missing: isRating ? globalMissing.union((rule.missing ?? []).map(normalizedLabel)) : []))
            }
            if checkHeader, !ambiguous.isEmpty {
                throw .ambiguousColumns(file: file, rules: ambiguous)
            }
            if checkHeader, !missing.isEmpty {
                throw .wrongHeader(file: file, missing: missing, found: header,
                                   hint: "the mapping names columns this file does not have; check the mapping against the file's first line")
            }
        } else {
            for name in fieldSet.names {
                if let found = positions[name] {
                    if found.count > 1, checkHeader { throw .duplicateColumn(file: file, column: header[found[1]]) }
                    fields.append(Field(name: name, index: fieldSet.names.firstIndex(of: name)!, source: .column(found[0]),
                                        isRating: fieldSet.ratingFields.contains(name), isDate: fieldSet.dateFields.contains(name)))
                    used.insert(found[0])
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
            var value = sourceValue(field, values)
            if let v = value, let formatter = field.dateFormatter, !v.trimmingCharacters(in: .whitespaces).isEmpty {
                let (text, offset) = strippingAbbreviation(v.trimmingCharacters(in: .whitespaces))
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
                } else if lenientDates, let iso = isoText(text) {
                    value = iso
                } else {
                    problems.append(Problem(line: line, field: field.name,
                                            reason: "\"\(v)\" does not match the mapping's date format \"\(formatter.dateFormat ?? "")\""))
                    value = nil
                }
            }
            else if let v = value, field.isDate, sourceZone != nil, let iso = isoText(v) {
                // No dateFormat: an ISO date without an offset is in the mapping's zone.
                value = iso
            }
            if let v = value, field.isRating, !field.missing.isEmpty || !ratingLabels.isEmpty {
                let label = normalizedLabel(v)
                if field.missing.contains(label) {
                    value = nil
                } else if let score = ratingLabels[label] {
                    value = String(score)
                }
            }
            draft.set(fieldAt: field.index, name: field.name, value)
        }
        return (draft, problems)
    }
}

extension RowPlan {
    /// A field's text in a row, before dates and labels are read: its column(s) or fixed value, through `values`.
    func sourceValue(_ field: Field, _ values: [String?]) -> String? {
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
        if let v = value, let map = field.values, let mapped = map[v] ?? map[v.trimmingCharacters(in: .whitespaces)] {
            value = mapped
        }
        return value
    }

    /// A date's text with a trailing zone abbreviation the mapping knows taken off, and the offset it stood for.
    func strippingAbbreviation(_ text: String) -> (String, String?) {
        for (abbreviation, replacement) in abbreviations where text.hasSuffix(" " + abbreviation) {
            return (String(text.dropLast(abbreviation.count + 1)), replacement)
        }
        return (text, nil)
    }

    /// An ISO 8601 text as an instant: with its own offset, or placed in the mapping's zone (the deployment's without one).
    /// An ISO 8601 text with its zone settled: its own offset, else the mapping's zone; left local (the deployment's
    /// zone, placed by the validator) without either. Nil when it is not ISO 8601.
    func isoText(_ text: String) -> String? {
        switch ISO8601Timestamp.parse(text) {
        case .instant(let instant): return instant.iso8601
        case .local(let wall): return sourceZone.map { $0.instant(wallClockMilliseconds: wall).iso8601 } ?? text
        case .invalid: return nil
        }
    }
}

/// A date formatter for a mapping's `dateFormat`, reading dates without a zone in `zone`.
func makeDateFormatter(_ format: String, zone: TimeZone?) -> DateFormatter {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.calendar = Calendar(identifier: .gregorian)
    f.timeZone = zone
    f.dateFormat = format
    return f
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
