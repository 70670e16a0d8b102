import Foundation
import RidaSurvey

/// A mapping to start from, drafted from an export's header and first rows (`rida mapping draft FILE`): the date
/// column with its format and zone for the survey tools it recognises, the columns that look like ratings with their
/// labels' scores, and `TODO` notes for what it cannot tell. It loads as it is, so `rida import FILE --mapping
/// draft.json --check` shows at once what would be stored.
public struct MappingDraft: Sendable {
    /// The mapping as JSON text, keys in a readable order.
    public var json: String
    /// The survey tool recognised, if any.
    public var tool: String?
    /// What the draft could not tell, for the person to settle.
    public var todo: [String]

    /// Rows read beyond the header.
    public static let sampleRows = 300

    /// Scales of labels survey tools write, lowest first, each label standing for its position (1 to 5).
    static let scales: [[String]] = [
        ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"],
        ["Strongly disagree", "Somewhat disagree", "Neither agree nor disagree", "Somewhat agree", "Strongly agree"],
        ["Disagree strongly", "Disagree somewhat", "Neither agree nor disagree", "Agree somewhat", "Agree strongly"],
        ["Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied", "Very satisfied"],
        ["Very unsatisfied", "Unsatisfied", "Neutral", "Satisfied", "Very satisfied"],
        ["Very poor", "Poor", "Fair", "Good", "Excellent"],
        ["Very bad", "Bad", "Average", "Good", "Very good"],
        ["Extremely dissatisfied", "Somewhat dissatisfied", "Neither satisfied nor dissatisfied", "Somewhat satisfied", "Extremely satisfied"],
        ["غير راضي جداً", "غير راضي", "محايد", "راضي", "راضي جداً"],
    ]

    /// Answers that mean "not rated" rather than a score.
    static let notRated = ["I don't know", "Don't know", "N/A", "NA", "Not applicable", "Prefer not to say", "0", "لا أعرف", "لا ينطبق"]

    /// Drafts a mapping for the export `data` called `name` (CSV, semicolon or tab separated, or a workbook).
    public static func draft(_ data: Data, name: String) throws(ImportError) -> MappingDraft {
        let bytes = [UInt8](data)
        var header: [String] = []
        var rows: [[String?]] = []
        var format: ImportFormat = .csv
        var delimiter: UInt8 = 0x2C
        if Importer.sniff(bytes, name: name) == .xlsx {
            format = .xlsx
            let sheet = try XLSXSheet(data: data, sheet: nil, file: name)
            guard let first = sheet.rows.first else { throw .empty(file: name) }
            header = first.cells.map { ($0 ?? "").trimmingCharacters(in: .whitespaces) }
            rows = sheet.rows.dropFirst().prefix(sampleRows + 2).map(\.cells)
        } else {
            delimiter = CSVRows.sniffDelimiter(bytes)
            var reader = CSVReader(bytes: bytes, delimiter: delimiter)
            while rows.count < sampleRows + 3, let record = try? reader.next() {
                let values = record.fields.map { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) }
                if header.isEmpty { header = values.map { ($0 ?? "").trimmingCharacters(in: .whitespaces) } } else { rows.append(values) }
            }
            guard !header.isEmpty else { throw .empty(file: name) }
        }
        // A header names a column as it is, or as LimeSurvey's "code. question text" ("submitdate. Date submitted").
        func column(_ names: [String]) -> Int? {
            for n in names {
                if let i = header.firstIndex(where: { $0.caseInsensitiveCompare(n) == .orderedSame || $0.lowercased().hasPrefix(n.lowercased() + ". ") }) {
                    return i
                }
            }
            return nil
        }
        func cell(_ row: [String?], _ i: Int) -> String? {
            i < row.count ? row[i]?.trimmingCharacters(in: .whitespacesAndNewlines) : nil
        }

        // The tool, the rows after the header that are not data, the date column and its zone.
        var tool: String?
        var skipRows = 0
        var dateColumn: Int?
        var zone: String?
        var idColumn: Int?
        var todo: [String] = []
        if let recorded = column(["RecordedDate", "EndDate"]), column(["ResponseId", "ResponseID"]) != nil {
            tool = "Qualtrics"
            dateColumn = recorded
            idColumn = column(["ResponseId", "ResponseID"])
            // Row 2: the question texts; row 3: {"ImportId":"recordedDate","timeZone":"America/Denver"}.
            skipRows = rows.prefix(2).filter { r in r.contains { ($0 ?? "").hasPrefix("{\"ImportId\"") } }.isEmpty ? 1 : 2
            if rows.count > 1, let importID = cell(rows[1], recorded), let json = try? JSONSerialization.jsonObject(with: Data(importID.utf8)) as? [String: Any] {
                zone = json["timeZone"] as? String
            }
        } else if let submitted = column(["Submit Date (UTC)", "Submitted At"]) {
            tool = "Typeform"
            dateColumn = submitted
            zone = "UTC"
            idColumn = column(["#", "Response ID", "Token"])
        } else if column(["Respondent ID"]) != nil, column(["Collector ID"]) != nil {
            tool = "SurveyMonkey"
            dateColumn = column(["End Date", "Start Date"])
            idColumn = column(["Respondent ID"])
            skipRows = 1  // row 2: "Response", "Open-Ended Response" and the choices' labels
        } else if let submitted = column(["submitdate", "Date submitted"]) {
            tool = "LimeSurvey"
            dateColumn = submitted
            idColumn = column(["id", "Response ID"])
            todo.append("timeZone: LimeSurvey writes its server's time without a zone; add \"timeZone\" with the server's zone (such as \"Asia/Bahrain\" or \"+03:00\")")
        } else if let submitted = column(["_submission_time"]) {
            tool = "KoboToolbox"
            dateColumn = submitted
            zone = "UTC"
            idColumn = column(["_uuid", "_id"])
        } else if let completed = column(["Completion time"]), column(["Start time"]) != nil {
            tool = "Microsoft Forms"
            dateColumn = completed
            idColumn = column(["ID", "Id"])
            todo.append("timeZone: Microsoft Forms writes the exporting account's local time; add \"timeZone\" with that zone")
        } else if let stamp = column(["Timestamp", "Horodateur", "Marca temporal", "الطابع الزمني"]) {
            tool = "Google Forms"
            dateColumn = stamp
            todo.append("timeZone: Google Forms writes the form's time zone; add \"timeZone\" (or timeZoneAbbreviations for dates ending in EST and the like)")
        }
        let sample = Array(rows.dropFirst(skipRows))
        if dateColumn == nil {
            dateColumn = header.indices.first { i in
                let values = sample.compactMap { cell($0, i) }.filter { !$0.isEmpty }
                return !values.isEmpty && Self.dateFormat(for: values) != nil
            }
        }

        // The date's format: none for ISO 8601, else the first common pattern that reads every sampled value.
        var dateFormat: String?
        var abbreviations: [String: String] = [:]
        if let d = dateColumn {
            var values = sample.compactMap { cell($0, d) }.filter { !$0.isEmpty }
            let zones = ["EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00", "PST": "-08:00", "PDT": "-07:00",
                         "MST": "-07:00", "MDT": "-06:00", "GMT": "+00:00", "UTC": "+00:00", "AST": "+03:00"]
            for (abbreviation, offset) in zones where values.contains(where: { $0.hasSuffix(" " + abbreviation) }) {
                abbreviations[abbreviation] = offset
                values = values.map { $0.hasSuffix(" " + abbreviation) ? String($0.dropLast(abbreviation.count + 1)) : $0 }
            }
            if let found = Self.dateFormat(for: values) {
                dateFormat = found.isEmpty ? nil : found + (abbreviations.isEmpty ? "" : " zzz")
            } else {
                todo.append("submitted_at: the dates of \"\(header[d])\" fit none of the usual patterns; give its \"dateFormat\"")
            }
            if abbreviations.isEmpty, zone == nil, tool == nil {
                todo.append("timeZone: say the zone of these dates if it is not the deployment's")
            }
        } else {
            todo.append("submitted_at: no column looks like the submission time; name it with its \"dateFormat\"")
        }

        // Ratings: 1–5 numbers, or labels of one of the known scales; answers meaning "not rated" are listed as missing.
        let notRated = Set(Self.notRated.map(normalizedLabel))
        var ratingColumns: [Int] = []
        var labels: [String: Int] = [:]
        var missing: [String] = []
        for i in header.indices where i != dateColumn && i != idColumn {
            let values = sample.compactMap { cell($0, i) }.filter { !$0.isEmpty }
            guard values.count >= 1 else { continue }
            let answers = values.filter { !notRated.contains(normalizedLabel($0)) }
            // At least two different answers: a column of 0s and 1s (yes and no) is not a rating.
            guard Set(answers).count >= 2 else { continue }
            let skipped = Set(values.filter { notRated.contains(normalizedLabel($0)) })
            if answers.allSatisfy({ Int($0).map { (1...5).contains($0) } ?? false }) {
                ratingColumns.append(i)
            } else if let scale = scales.first(where: { scale in
                // Three answers in four on the scale: a stray answer («ممتاز») is left for the import to report.
                let known = Set(scale.map(normalizedLabel))
                let on = answers.filter { known.contains(normalizedLabel($0)) }
                return Set(on).count >= 2 && on.count * 4 >= answers.count * 3
            }) {
                ratingColumns.append(i)
                for (k, label) in scale.enumerated() { labels[label] = k + 1 }
            } else {
                continue
            }
            for value in skipped.sorted() where !missing.contains(value) { missing.append(value) }
        }
        if ratingColumns.isEmpty {
            todo.append("q1 to q4: no column looks like a 1–5 rating or a known scale of labels; map at least one with its \"ratingLabels\"")
        } else {
            todo.append("q1 to q4: the first \(min(4, ratingColumns.count)) rating-like column\(ratingColumns.count == 1 ? " is" : "s are") mapped in file order; "
                + "check which question of the guide each one asks (q1 the staff, q2 the time, q3 the accuracy, q4 the channel)"
                + (ratingColumns.count > 4 ? "; other rating-like columns: " + ratingColumns.dropFirst(4).map { "\"\(header[$0])\"" }.joined(separator: ", ") : ""))
        }
        todo.insert("centre: the id of the centre these responses belong to (a fixed \"value\", or the \"column\" that names it)", at: 0)
        todo.insert("channel: \"website\" is assumed for an online form; change it if the answers came by another channel", at: 1)

        // Columns whose name is repeated need an occurrence.
        func rule(_ i: Int, extra: String = "") -> String {
            let name = header[i]
            let count = header.filter { $0 == name }.count
            let occurrence = count > 1 ? ", \"occurrence\": \(header[...i].filter { $0 == name }.count)" : ""
            return "{\"column\": \(jsonString(name))\(occurrence)\(extra)}"
        }
        var fields: [String] = []
        if let idColumn { fields.append("\"id\": \(rule(idColumn))") }
        fields.append("\"centre\": {\"value\": \"TODO\"}")
        fields.append("\"channel\": {\"value\": \"website\"}")
        if let d = dateColumn {
            fields.append("\"submitted_at\": \(rule(d, extra: dateFormat.map { ", \"dateFormat\": \(jsonString($0))" } ?? ""))")
        } else {
            fields.append("\"submitted_at\": {\"column\": \"TODO: the submission time's column\"}")
        }
        for (k, i) in ratingColumns.prefix(4).enumerated() { fields.append("\"q\(k + 1)\": \(rule(i))") }
        // No rating found: a placeholder column the import will name as missing until it is settled.
        if ratingColumns.isEmpty { fields.append("\"q1\": {\"column\": \"TODO: a rating column\"}") }

        var lines: [String] = []
        let description = "Drafted by rida mapping draft from \(name)" + (tool.map { " (a \($0) export)" } ?? "") + ". TODO: " + todo.joined(separator: "; ") + "."
        lines.append("  \"description\": \(jsonString(description))")
        lines.append("  \"format\": \"\(format.rawValue)\"")
        if format == .csv, delimiter != 0x2C { lines.append("  \"delimiter\": \(jsonString(String(UnicodeScalar(delimiter))))") }
        if skipRows > 0 { lines.append("  \"skipRows\": \(skipRows)") }
        if let zone { lines.append("  \"timeZone\": \(jsonString(zone))") }
        lines.append("  \"fields\": {\n    " + fields.joined(separator: ",\n    ") + "\n  }")
        if !labels.isEmpty {
            lines.append("  \"ratingLabels\": {" + labels.sorted { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }
                .map { "\(jsonString($0.key)): \($0.value)" }.joined(separator: ", ") + "}")
        }
        if !abbreviations.isEmpty {
            lines.append("  \"timeZoneAbbreviations\": {" + abbreviations.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)): \(jsonString($0.value))" }.joined(separator: ", ") + "}")
        }
        if !missing.isEmpty { lines.append("  \"missing\": [" + missing.map(jsonString).joined(separator: ", ") + "]") }
        return MappingDraft(json: "{\n" + lines.joined(separator: ",\n") + "\n}\n", tool: tool, todo: todo)
    }

    /// The pattern that reads every value: "" when they are ISO 8601 already, nil when no common pattern does.
    static func dateFormat(for values: [String]) -> String? {
        guard !values.isEmpty else { return nil }
        if values.allSatisfy({ if case .invalid = ISO8601Timestamp.parse($0) { return false } else { return true } }) { return "" }
        return fittingFormat(values, among: commonDateFormats, zone: TimeZone(identifier: "UTC"))
    }
}

/// A text as a JSON string literal.
func jsonString(_ text: String) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
    return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
}
