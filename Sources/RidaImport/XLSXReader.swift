import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import RidaSurvey
import ZIPFoundation

/// The cells of one sheet of an Excel workbook (Office Open XML, `.xlsx`): a ZIP archive of XML parts, read with
/// ZIPFoundation and Foundation's XML parser. Shared and inline strings, numbers, booleans, and dates stored as serial
/// numbers (1900 date system, or 1904 when the workbook says so) turned into ISO 8601 wall-clock times.
struct XLSXSheet {
    /// Each non-empty row, with its number as Excel shows it (1-based), and its cells by column (0-based).
    var rows: [(number: Int, cells: [String?])]
    /// The sheet's name.
    var name: String

    /// Reads the sheet called `sheet`, or the first one.
    init(data: Data, sheet wanted: String?, file: String) throws(ImportError) {
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw .notWorkbook(file: file, reason: "it is not a ZIP archive, as .xlsx files are")
        }
        func part(_ path: String) throws(ImportError) -> Data? {
            guard let entry = archive[path] else { return nil }
            var out = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { out.append($0) }
            } catch {
                throw .notWorkbook(file: file, reason: "its part \(path) cannot be unpacked")
            }
            return out
        }
        guard let workbookXML = try part("xl/workbook.xml") else {
            throw .notWorkbook(file: file, reason: "it has no xl/workbook.xml (it may be an .xls, .ods or .docx file)")
        }
        // The workbook: its sheets in order, their relationship ids, and the date system.
        var sheets: [(name: String, rid: String)] = []
        var date1904 = false
        XMLEvents.parse(workbookXML) { element, attributes in
            if element == "sheet", let name = attributes["name"] {
                sheets.append((name, attributes["r:id"] ?? attributes.first { $0.key.hasSuffix(":id") }?.value ?? ""))
            } else if element == "workbookPr", let value = attributes["date1904"] {
                date1904 = value == "1" || value.lowercased() == "true"
            }
        }
        var targets: [String: String] = [:]
        if let rels = try part("xl/_rels/workbook.xml.rels") {
            XMLEvents.parse(rels) { element, attributes in
                if element == "Relationship", let id = attributes["Id"], let target = attributes["Target"] { targets[id] = target }
            }
        }
        guard !sheets.isEmpty else { throw .notWorkbook(file: file, reason: "it has no sheets") }
        let chosen: (name: String, rid: String)
        if let wanted {
            guard let found = sheets.first(where: { $0.name == wanted }) else {
                throw .notWorkbook(file: file, reason: "it has no sheet named \"\(wanted)\" (its sheets: \(sheets.map(\.name).joined(separator: ", ")))")
            }
            chosen = found
        } else {
            chosen = sheets[0]
        }
        name = chosen.name
        var target = targets[chosen.rid] ?? "worksheets/sheet1.xml"
        target = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        guard let sheetXML = try part(target) else {
            throw .notWorkbook(file: file, reason: "the sheet \"\(chosen.name)\" is missing from the archive (\(target))")
        }

        // Shared strings: each <si> is the text of its <t> runs (phonetic runs left out).
        var shared: [String] = []
        if let strings = try part("xl/sharedStrings.xml") {
            var current = ""
            var inPhonetic = false
            XMLEvents.parse(strings, start: { element, _ in
                if element == "si" { current = "" } else if element == "rPh" { inPhonetic = true }
            }, end: { element, text in
                if element == "t", !inPhonetic { current += text } else if element == "rPh" { inPhonetic = false } else if element == "si" { shared.append(current) }
            })
        }

        // Styles: which cell formats show dates.
        var customFormats: [Int: String] = [:]
        var cellFormats: [Int] = []
        if let styles = try part("xl/styles.xml") {
            var inCellXfs = false
            XMLEvents.parse(styles, start: { element, attributes in
                if element == "numFmt", let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"] {
                    customFormats[id] = code
                } else if element == "cellXfs" {
                    inCellXfs = true
                } else if element == "xf", inCellXfs {
                    cellFormats.append(attributes["numFmtId"].flatMap(Int.init) ?? 0)
                }
            }, end: { element, _ in
                if element == "cellXfs" { inCellXfs = false }
            })
        }
        let dateStyles = Set(cellFormats.enumerated().filter { isDateFormat($0.element, custom: customFormats) }.map(\.offset))

        // The sheet's cells.
        var rows: [(number: Int, cells: [String?])] = []
        var rowNumber = 0
        var cells: [String?] = []
        var cellColumn = 0
        var cellType = "n"
        var cellStyle = 0
        var value: String?
        var inline = ""
        XMLEvents.parse(sheetXML, start: { element, attributes in
            switch element {
            case "row":
                rowNumber = attributes["r"].flatMap(Int.init) ?? rowNumber + 1
                cells = []
            case "c":
                cellColumn = attributes["r"].map(columnIndex) ?? cells.count
                cellType = attributes["t"] ?? "n"
                cellStyle = attributes["s"].flatMap(Int.init) ?? 0
                value = nil
                inline = ""
            default: break
            }
        }, end: { element, text in
            switch element {
            case "v": value = text
            case "t": inline += text
            case "c":
                var cell: String?
                switch cellType {
                case "s": cell = value.flatMap(Int.init).flatMap { $0 < shared.count ? shared[$0] : nil }
                case "inlineStr": cell = inline
                case "str", "e": cell = value
                case "b": cell = value.map { $0 == "1" ? "TRUE" : "FALSE" }
                default:
                    if let v = value, let number = Double(v) {
                        cell = dateStyles.contains(cellStyle) ? excelDate(number, date1904: date1904) : numberText(v, number)
                    } else {
                        cell = value
                    }
                }
                if let c = cell, !c.isEmpty {
                    if cells.count <= cellColumn { cells += [String?](repeating: nil, count: cellColumn + 1 - cells.count) }
                    cells[cellColumn] = c
                }
            case "row":
                if cells.contains(where: { $0 != nil }) { rows.append((rowNumber, cells)) }
            default: break
            }
        })
        self.rows = rows
    }
}

/// Whether a number format shows a date or time: Excel's built-in date formats, or a custom code with date or time parts.
func isDateFormat(_ id: Int, custom: [Int: String]) -> Bool {
    if (14...22).contains(id) || (27...36).contains(id) || (45...47).contains(id) || (50...58).contains(id) { return true }
    guard let code = custom[id] else { return false }
    // Leave out quoted text, escaped characters and [colours]/[conditions] before looking for date parts.
    var plain = ""
    var quoted = false, bracketed = false, escaped = false
    for c in code {
        if escaped { escaped = false; continue }
        if c == "\\" { escaped = true; continue }
        if c == "\"" { quoted.toggle(); continue }
        if !quoted, c == "[" { bracketed = true; continue }
        if bracketed { if c == "]" { bracketed = false }; continue }
        if !quoted { plain.append(c) }
    }
    let lower = plain.lowercased()
    return lower.contains("y") || lower.contains("d") || lower.contains("h") || lower.contains("ss")
}

/// An Excel serial date as an ISO 8601 wall-clock time, to the second: days since 1899-12-30 (the 1900 system, whose
/// phantom 29 February 1900 only shifts serials before March 1900), or since 1904-01-01.
func excelDate(_ serial: Double, date1904: Bool) -> String {
    let days = serial + (date1904 ? 1462 : 0) - 25569  // 25569: 1970-01-01 in the 1900 system
    let seconds = Int64((days * 86400).rounded())
    let civil = CivilDate(daysSince1970: seconds.floorDivided(by: 86400))
    let rest = Int(seconds - Int64(seconds.floorDivided(by: 86400)) * 86400)
    let time = String(format: "%02d:%02d:%02d", rest / 3600, rest / 60 % 60, rest % 60)
    return civil.iso8601 + "T" + time
}

private extension Int64 {
    func floorDivided(by d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}

/// A number cell as text: whole numbers without a decimal point ("5", not "5.0").
func numberText(_ raw: String, _ number: Double) -> String {
    if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
    return raw
}

/// The 0-based column of a cell reference such as `B7` or `AA12`.
func columnIndex(_ reference: String) -> Int {
    var index = 0
    for scalar in reference.unicodeScalars {
        guard (65...90).contains(scalar.value) || (97...122).contains(scalar.value) else { break }
        index = index * 26 + Int((scalar.value & ~0x20) - 64)
    }
    return index - 1
}

/// Foundation's event parser with closures: each start tag with its attributes, each end tag with the text it held.
final class XMLEvents: NSObject, XMLParserDelegate {
    private let start: (String, [String: String]) -> Void
    private let end: (String, String) -> Void
    private var text = ""

    private init(start: @escaping (String, [String: String]) -> Void, end: @escaping (String, String) -> Void) {
        self.start = start
        self.end = end
    }

    static func parse(_ data: Data, start: @escaping (String, [String: String]) -> Void, end: @escaping (String, String) -> Void = { _, _ in }) {
        let parser = XMLParser(data: data)
        let delegate = XMLEvents(start: start, end: end)
        parser.delegate = delegate
        _ = parser.parse()
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        text = ""
        start(localName(elementName), attributes)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        end(localName(elementName), text)
        text = ""
    }

    private func localName(_ name: String) -> String {
        name.firstIndex(of: ":").map { String(name[name.index(after: $0)...]) } ?? name
    }
}

/// The rows of a workbook's sheet: the first non-empty row is the header; row numbers are Excel's.
struct XLSXRows: RowStream {
    let rows: [(number: Int, cells: [String?])]
    var position: Int
    let plan: RowPlan
    let header: [String]?
    var ignoredColumns: [String] { plan.ignoredColumns }
    var progress: Double { rows.isEmpty ? 1 : Double(position) / Double(rows.count) }

    init(data: Data, mapping: ImportMapping?, fields: FieldSet = .responses, zone: DeploymentZone, file: String) throws(ImportError) {
        let sheet = try XLSXSheet(data: data, sheet: mapping?.sheet, file: file)
        guard let first = sheet.rows.first else { throw .empty(file: file) }
        rows = sheet.rows
        let names = first.cells.map { ($0 ?? "").trimmingCharacters(in: .whitespaces) }
        header = names
        plan = try RowPlan(header: names, mapping: mapping, fields: fields, zone: zone, file: file, checkHeader: true, lenientDates: true)
        // Rows after the header that are not data, counted as Excel shows them.
        let skipped = max(0, mapping?.skipRows ?? 0)
        position = 1
        while position < rows.count, rows[position].number <= first.number + skipped { position += 1 }
    }

    mutating func next() -> SourceRow? {
        guard position < rows.count else { return nil }
        let row = rows[position]
        position += 1
        var values = row.cells
        if values.count < plan.columnCount { values += [String?](repeating: nil, count: plan.columnCount - values.count) }
        var problems: [Problem] = []
        if values.count > plan.columnCount, values[plan.columnCount...].contains(where: { $0 != nil }) {
            problems.append(Problem(line: row.number, reason: "has cells beyond the header's \(plan.columnCount) columns"))
        }
        return SourceRow(line: row.number, values: values, problems: problems, original: Array(values.prefix(max(plan.columnCount, 1))))
    }
}
