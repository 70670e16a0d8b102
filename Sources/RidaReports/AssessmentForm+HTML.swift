import RidaAssessment
import RidaSurvey

extension AssessmentForm {
    /// The form as one self-contained HTML page: Arabic and right to left by default, English on request,
    /// laid out for A4 paper when printed (no scripts, no external fonts, styles, or images).
    public func html(_ language: Language) -> String {
        let ar = language == .ar
        let a = sheet.assessment
        var out = """
            <!DOCTYPE html>
            <html lang="\(language.rawValue)" dir="\(ar ? "rtl" : "ltr")">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Escaping.html(title[language])) — \(Escaping.html(a.id))</title>
            <style>
            \(Self.css)
            </style>
            </head>
            <body>
            <header>
            <h1>\(Escaping.html(title[language]))</h1>
            <table class="facts">

            """
        for (label, value) in header(language) {
            out += "<tr><th>\(Escaping.html(label))</th><td><bdi>\(Escaping.html(value))</bdi></td></tr>\n"
        }
        out += "</table>\n<div class=\"standing\">\n"
        for line in Self.standing(sheet.classification, language) { out += "<p>\(Escaping.html(line))</p>\n" }
        out += "</div>\n"
        let heading = a.framework == .headquarters ? (ar ? "التقييم الوصفي" : "Descriptive evaluation") : (ar ? "القنوات والخدمات" : "Channels and services")
        out += "<section class=\"descriptive\">\n<h2>\(Escaping.html(heading))</h2>\n<table class=\"facts\">\n"
        for (title, text) in descriptive(language) { out += "<tr><th>\(Escaping.html(title))</th><td>\(Escaping.html(text))</td></tr>\n" }
        out += "</table>\n</section>\n</header>\n<main>\n"
        let columns = ar ? ("#", "المعيار", "مستوفى؟", "الملاحظات") : ("#", "Criterion", "Met?", "Notes")
        for (index, part) in parts.enumerated() {
            out += "<section class=\"part\(index > 0 ? " next" : "")\">\n<h2>\(Escaping.html(part.title[language]))</h2>\n"
            for category in part.categories {
                out += "<h3>\(Escaping.html(category.id)) \(Escaping.html(category.name[language]))</h3>\n"
                for sub in category.subcategories {
                    out += """
                        <table class="criteria">
                        <caption>\(Escaping.html(sub.id)): \(Escaping.html(sub.name[language]))</caption>
                        <colgroup><col class="n"><col class="c"><col class="m"><col class="o"></colgroup>
                        <thead><tr><th>\(columns.0)</th><th>\(columns.1)</th><th>\(columns.2)</th><th>\(columns.3)</th></tr></thead>
                        <tbody>

                        """
                    for line in sub.lines { out += row(line, language, starred: false) }
                    out += "</tbody>\n</table>\n"
                }
            }
            let result = part.result
            out += """
                <table class="result">
                <tr><th>\(Escaping.html(resultLine(result, language)))</th></tr>
                <tr><td>\(Escaping.html(result.rule[language]))</td></tr>
                </table>
                </section>

                """
        }
        if !nonBinding.isEmpty {
            out += "<section class=\"part\">\n<h2>\(Escaping.html(ar ? "معايير غير ملزمة (لا تحتسب)" : "Non-binding criteria (not counted)"))</h2>\n"
            out += "<table class=\"criteria\">\n<colgroup><col class=\"n\"><col class=\"c\"><col class=\"m\"><col class=\"o\"></colgroup>\n"
            out += "<thead><tr><th>\(columns.0)</th><th>\(columns.1)</th><th>\(columns.2)</th><th>\(columns.3)</th></tr></thead>\n<tbody>\n"
            for line in nonBinding { out += row(line, language, starred: true) }
            out += "</tbody>\n</table>\n</section>\n"
        }
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    func row(_ line: AssessmentSheet.Line, _ language: Language, starred: Bool) -> String {
        let notes = Self.notes(line, language).map { "<p>\(Escaping.html($0))</p>" }.joined()
        let id = Escaping.html(line.criterion.id) + (starred ? "*" : "")
        let data = line.criterion.decidedBy == .data ? " class=\"data\"" : ""
        return "<tr\(data)><td class=\"n\"><bdi>\(id)</bdi></td><td>\(Escaping.html(line.criterion.text[language]))</td>"
            + "<td class=\"m \(line.verdict.rawValue)\">\(Escaping.html(Self.mark(line.verdict, language)))</td><td class=\"o\">\(notes)</td></tr>\n"
    }

    static let css = """
        @page { size: A4; margin: 14mm 12mm; }
        html { font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "DejaVu Sans", "Arial", sans-serif; font-size: 11pt; color: #111; }
        body { margin: 0 auto; max-width: 186mm; padding: 8mm 0; }
        h1 { font-size: 16pt; margin: 0 0 4mm; }
        h2 { font-size: 14pt; margin: 6mm 0 2mm; border-bottom: 2px solid #444; }
        h3 { font-size: 12pt; margin: 4mm 0 1mm; break-after: avoid; }
        table { border-collapse: collapse; width: 100%; }
        table.facts th { text-align: start; font-weight: 600; padding: 0.5mm 0 0.5mm 3mm; width: 30%; }
        table.facts td { padding: 0.5mm 0; }
        .standing { margin: 3mm 0; padding: 2mm 3mm; border: 1px solid #888; background: #f4f4f4; }
        .standing p { margin: 0.5mm 0; }
        table.criteria { margin: 1mm 0 3mm; table-layout: fixed; }
        table.criteria caption { text-align: start; font-weight: 600; padding: 1mm 0; }
        table.criteria th, table.criteria td { border: 1px solid #999; padding: 1mm 1.5mm; vertical-align: top; text-align: start; }
        table.criteria thead { display: table-header-group; background: #e8e8e8; }
        table.criteria tr { break-inside: avoid; }
        col.n { width: 10%; } col.c { width: 48%; } col.m { width: 13%; } col.o { width: 29%; }
        td.n { white-space: nowrap; }
        td.m { font-weight: 600; }
        td.m.met { color: #0a5c1f; } td.m.notMet { color: #9b1111; } td.m.pending { color: #7a5a00; } td.m.notApplicable { color: #444; }
        td.o { font-size: 9pt; } td.o p { margin: 0 0 0.8mm; }
        tr.data td:first-child { font-weight: 600; }
        table.result { margin: 3mm 0; border: 2px solid #444; }
        table.result th, table.result td { padding: 1.5mm 2mm; text-align: start; }
        table.result th { background: #e8e8e8; }
        section.next { break-before: page; }
        @media print { body { padding: 0; max-width: none; } .standing { background: none; } }
        """
}
