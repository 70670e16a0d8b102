import Foundation
import RidaSurvey

/// Date patterns survey tools and spreadsheets commonly write, tried when a mapping's `dateFormat` misreads a file
/// and by `rida mapping draft` to recognise a date column.
let commonDateFormats = [
    "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy/MM/dd HH:mm:ss", "yyyy/MM/dd h:mm:ss a",
    "yyyy/MM/dd h:mm:ss a zzz", "dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm", "MM/dd/yyyy HH:mm:ss", "MM/dd/yyyy HH:mm",
    "MM/dd/yyyy hh:mm:ss a", "M/d/yyyy H:mm:ss", "M/d/yyyy H:mm", "M/d/yyyy h:mm:ss a", "M/d/yyyy h:mm a", "M/d/yy H:mm:ss",
    "M/d/yy H:mm", "M/d/yy h:mm a", "d/M/yyyy H:mm:ss", "d/M/yyyy H:mm", "d/M/yy H:mm", "dd.MM.yyyy HH:mm:ss",
    "dd.MM.yyyy HH:mm", "yyyy-MM-dd", "dd/MM/yyyy", "MM/dd/yyyy", "M/d/yyyy", "M/d/yy",
]

/// The first of `candidates` that reads every one of `values`, preferring one that also writes each back as it was
/// (so that `M/d/yyyy` does not read "1/6/18" as the year 18). Nil when none reads them all.
func fittingFormat(_ values: [String], among candidates: [String], zone: TimeZone?,
                   read: (DateFormatter, String) -> Date? = { $0.date(from: $1) }) -> String? {
    guard !values.isEmpty else { return nil }
    var loose: String?
    for candidate in candidates {
        let formatter = makeDateFormatter(candidate, zone: zone)
        var exact = true
        var all = true
        for value in values {
            guard let date = read(formatter, value) else { all = false; break }
            if exact, formatter.string(from: date) != value { exact = false }
        }
        if all, exact { return candidate }
        if all, loose == nil { loose = candidate }
    }
    return loose
}

/// `format` with its numeric day and month fields swapped: `yyyy-dd-MM` → `yyyy-MM-dd`. Nil when it has not both.
func swappingDayAndMonth(_ format: String) -> String? {
    var out = ""
    var hasDay = false, hasMonth = false
    var quoted = false
    var chars = Array(format)[...]
    while let c = chars.first {
        if c == "'" { quoted.toggle(); out.append(c); chars = chars.dropFirst(); continue }
        let run = chars.prefix { $0 == c }
        chars = chars.dropFirst(run.count)
        if !quoted, c == "d", run.count <= 2 { out += String(repeating: "M", count: run.count); hasDay = true }
        else if !quoted, c == "M", run.count <= 2 { out += String(repeating: "d", count: run.count); hasMonth = true }
        else { out += String(run) }
    }
    return hasDay && hasMonth ? out : nil
}

extension Importer {
    /// Refuses a file whose dates the mapping's `dateFormat` misreads, before anything is stored: when some rows read
    /// only with day and month swapped, or some do not read at all, while another common order reads every row.
    func checkDateOrder(_ stream: any RowStream, file: String) throws(ImportError) {
        let plan = stream.plan
        let dated = plan.fields.filter { $0.dateFormatter != nil }
        guard !dated.isEmpty else { return }
        var texts = [[String]](repeating: [], count: dated.count)
        var copy = stream  // a value: reading it leaves the import's own stream at its start
        while let row = copy.next() {
            guard row.problems.isEmpty else { continue }
            for (k, field) in dated.enumerated() {
                guard let raw = plan.sourceValue(field, row.values)?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { continue }
                if plan.lenientDates, plan.isoText(raw) != nil { continue }
                texts[k].append(raw)
            }
        }
        for (k, field) in dated.enumerated() {
            let given = field.dateFormatter!
            func read(_ formatter: DateFormatter, _ text: String) -> Date? {
                let (rest, offset) = plan.strippingAbbreviation(text)
                guard let offset else { return formatter.date(from: text) }
                let f = formatter.copy() as! DateFormatter
                f.dateFormat = formatter.dateFormat.replacingOccurrences(of: " zzzz", with: "").replacingOccurrences(of: " zzz", with: "")
                    .replacingOccurrences(of: " z", with: "")
                f.timeZone = SourceZone(offset)?.timeZone
                return f.date(from: rest)
            }
            let readings = texts[k].map { read(given, $0) }
            let unparsed = readings.filter { $0 == nil }.count
            guard unparsed > 0 else { continue }
            let format = given.dateFormat ?? ""
            let swap = swappingDayAndMonth(format)
            let candidates = ([swap].compactMap { $0 } + commonDateFormats).filter { $0 != format }
            // The swapped order first: it is the likeliest slip, and names the rows read the wrong way round.
            let fits = swap.flatMap { fittingFormat(texts[k], among: [$0], zone: given.timeZone, read: read) }
                ?? fittingFormat(texts[k], among: candidates, zone: given.timeZone, read: read)
            if let fits {
                let other = makeDateFormatter(fits, zone: given.timeZone)
                let swapped = zip(readings, texts[k]).filter { reading, text in reading != nil && reading != read(other, text) }.count
                throw .dateOrder(file: file, field: field.name, format: format, fits: fits, swapped: swapped, unparsed: unparsed)
            }
        }
    }
}
