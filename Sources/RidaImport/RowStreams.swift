import Foundation
import RidaSurvey

/// One row of a source, its values aligned with the plan's columns.
struct SourceRow {
    var line: Int
    var values: [String?]
    /// Problems found before any field was read (a broken quote, bytes that are not UTF-8, bad JSON).
    var problems: [Problem]
    /// What to write back in a rejects file.
    var original: [String?]
}

protocol RowStream {
    var plan: RowPlan { get }
    var header: [String]? { get }
    var ignoredColumns: [String] { get }
    var progress: Double { get }
    mutating func next() -> SourceRow?
}

/// CSV rows: the first record is the header.
struct CSVRows: RowStream {
    var reader: CSVReader
    let plan: RowPlan
    let header: [String]?
    var ignoredColumns: [String] { plan.ignoredColumns }
    var progress: Double { reader.progress }

    init(bytes: [UInt8], delimiter: UInt8?, mapping: ImportMapping?, fields: FieldSet = .responses, zone: DeploymentZone,
         file: String) throws(ImportError) {
        let chosen = delimiter ?? Self.sniffDelimiter(bytes)
        reader = CSVReader(bytes: bytes, delimiter: chosen)
        let first: CSVRecord?
        do {
            first = try reader.next()
        } catch {
            throw .notCSV(file: file, reason: "its first line has an unbalanced quote")
        }
        guard let first else { throw .empty(file: file) }
        let names = first.fields.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces) }
        if names.count == 1, !fields.names.contains(names[0].lowercased()), mapping?.fields.values.contains(where: { $0.column == names[0] }) != true {
            let found = names[0].count > 60 ? String(names[0].prefix(60)) + "…" : names[0]
            let reason = delimiter == nil
                ? "its first line (\"\(found)\") has no commas, semicolons or tabs between column names; "
                    + "export the file as CSV with its header, or give the delimiter it uses in a mapping (\"delimiter\": \"|\")"
                : "its first line (\"\(found)\") has no \"\(Character(Unicode.Scalar(chosen)))\" between column names; "
                    + "check the mapping's \"delimiter\" (leave it out and Rida finds commas, semicolons or tabs)"
            throw .notCSV(file: file, reason: reason)
        }
        header = names
        plan = try RowPlan(header: names, mapping: mapping, fields: fields, zone: zone, file: file, checkHeader: true)
        // Rows after the header that are not data: Qualtrics' question texts and import ids, SurveyMonkey's answer labels.
        for _ in 0..<max(0, mapping?.skipRows ?? 0) {
            guard (try? reader.next()) != nil else { break }
        }
    }

    /// The delimiter the first line uses most: comma, semicolon or tab (outside quotes); a comma when none.
    static func sniffDelimiter(_ bytes: [UInt8]) -> UInt8 {
        let candidates: [UInt8] = [0x2C, 0x3B, 0x09]  // in this order on a tie
        var counts = [0, 0, 0]
        var quoted = false
        for b in bytes.prefix(1 << 20) {
            if b == 0x22 { quoted.toggle(); continue }
            if quoted { continue }
            if b == 0x0A { break }
            if let k = candidates.firstIndex(of: b) { counts[k] += 1 }
        }
        var best = 0
        for k in 1..<3 where counts[k] > counts[best] { best = k }
        return candidates[best]
    }

    mutating func next() -> SourceRow? {
        let record: CSVRecord?
        do {
            record = try reader.next()
        } catch {
            let problem = error.problem
            return SourceRow(line: problem.line ?? reader.line, values: [], problems: [problem], original: [])
        }
        guard let record else { return nil }
        var values: [String?] = []
        values.reserveCapacity(record.fields.count)
        var problems: [Problem] = []
        for (i, field) in record.fields.enumerated() {
            if field.isEmpty {
                values.append(nil)
            } else if let text = String(validating: field, as: UTF8.self) {
                values.append(text)
            } else {
                values.append(nil)
                let column = header.flatMap { i < $0.count ? $0[i] : nil } ?? "column \(i + 1)"
                problems.append(Problem(line: record.line, field: column, reason: "is not UTF-8 text; save the file as UTF-8"))
            }
        }
        if record.fields.count != plan.columnCount {
            problems.append(Problem(line: record.line, reason: "has \(record.fields.count) fields where the header has \(plan.columnCount)"))
        }
        return SourceRow(line: record.line, values: values, problems: problems, original: values)
    }
}

/// JSON Lines: one object a line, with Rida's field names (or the mapping's) as keys.
struct JSONLinesRows: RowStream {
    let bytes: [UInt8]
    var position: Int
    var line = 0
    let plan: RowPlan
    let columns: [String]
    var header: [String]? { nil }
    var ignoredColumns: [String] { [] }
    var progress: Double { bytes.isEmpty ? 1 : Double(position) / Double(bytes.count) }

    init(bytes: [UInt8], mapping: ImportMapping?, fields: FieldSet = .responses, zone: DeploymentZone, file: String) {
        self.bytes = bytes
        self.position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let columns = mapping.map { Array(Set($0.columnsRead)).sorted() } ?? fields.names
        self.columns = columns
        // Keys are looked up by name, so a missing one is a row problem, not a header problem.
        self.plan = try! RowPlan(header: columns, mapping: mapping, fields: fields, zone: zone, file: file, checkHeader: false)
    }

    mutating func next() -> SourceRow? {
        while position < bytes.count {
            let start = position
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            position = end + 1
            line += 1
            var slice = bytes[start..<end]
            if slice.last == 0x0D { slice = slice.dropLast() }
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let text = String(decoding: slice, as: UTF8.self)
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(slice))
            } catch {
                return SourceRow(line: line, values: [], problems: [Problem(line: line, reason: "is not a JSON object (malformed JSON)")], original: [text])
            }
            guard let dict = object as? [String: Any] else {
                return SourceRow(line: line, values: [], problems: [Problem(line: line, reason: "is JSON but not an object; each line holds one response object")], original: [text])
            }
            var values: [String?] = []
            var problems: [Problem] = []
            for column in columns {
                switch jsonText(dict[column]) {
                case .success(let value): values.append(value)
                case .failure(let problem):
                    values.append(nil)
                    problems.append(Problem(line: line, field: column, reason: problem.reason))
                }
            }
            return SourceRow(line: line, values: values, problems: problems, original: [text])
        }
        return nil
    }
}

/// A JSON value as the text a field holds: strings as they are, whole numbers without a point.
/// The failure is a sentence saying why the value cannot be a field.
func jsonText(_ value: Any?) -> Result<String?, JSONFieldProblem> {
    switch value {
    case nil, is NSNull: return .success(nil)
    case let string as String: return .success(string)
    case let number as NSNumber:
        if isJSONBoolean(number) { return .failure(JSONFieldProblem(reason: "must be a number or a text, not true or false")) }
        let double = number.doubleValue
        if double == double.rounded(), abs(double) < 1e15 { return .success(String(Int64(double))) }
        return .success(String(double))
    default:
        return .failure(JSONFieldProblem(reason: "must be a text or a number, not a list or an object"))
    }
}

struct JSONFieldProblem: Error {
    var reason: String
}

/// Whether an NSNumber that JSONSerialization produced is a boolean.
func isJSONBoolean(_ number: NSNumber) -> Bool {
    let type = String(cString: number.objCType)
    return type == "c" || type == "B"
}
