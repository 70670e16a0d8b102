import Foundation
import RidaAggregation
import RidaAssessment
import RidaSurvey

/// The quarterly report as one self-contained HTML page: inline CSS and SVG charts, no script, no external
/// font, style, image or link; Arabic and right to left by default, English on request; laid out for A4 paper.
///
/// A function of the snapshot alone, so a stored snapshot re-renders byte for byte. Mount it anywhere:
///
///     let snapshot = try await store.reportSnapshot(subject: subject, quarter: quarter, policy: policy, channels: channels, at: now)
///     let html = HTMLReport.render(snapshot, language: .ar, audience: .public)
public enum HTMLReport {
    /// How many comments the page lists; the workbook lists all the snapshot holds.
    public static let commentLimit = 50

    public static func render(_ snapshot: ReportSnapshot, language: Language = .ar, audience: ReportAudience = .quality) -> String {
        var page = Page(snapshot: snapshot, t: ReportText(language: language), audience: audience)
        return page.render()
    }
}

/// The score colours, 1 (very dissatisfied) to 5 (very satisfied): a diverging scale readable in grey print too.
let scoreColours = ["#b2182b", "#ef8a62", "#bdbdbd", "#67a9cf", "#2166ac"]

private struct Page {
    let snapshot: ReportSnapshot
    let t: ReportText
    let audience: ReportAudience
    var out = ""

    init(snapshot: ReportSnapshot, t: ReportText, audience: ReportAudience) {
        self.snapshot = snapshot
        self.t = t
        self.audience = audience
    }

    var report: QuarterlyReport { snapshot.report }
    var rtl: Bool { t.ar }
    var quality: Bool { audience == .quality }
    /// Whether the report spans several centres, so rows name their centre.
    var severalCentres: Bool { report.centres.count > 1 || snapshot.subject.kind != .centre }

    mutating func render() -> String {
        out.reserveCapacity(64 * 1024)
        head()
        header()
        summary()
        setAside()
        cases()
        reach()
        distributions()
        trends()
        breakdowns(snapshot.services, id: "services", title: t("التوزيع حسب الخدمة", "By service"), heading: t("الخدمة", "Service"))
        if quality {
            breakdowns(snapshot.counters, id: "counters", title: t("التوزيع حسب منصة تقديم الخدمة", "By counter"), heading: t("المنصة / القناة", "Counter / channel"))
        }
        themes()
        if quality { comments() }
        actions()
        method()
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    // MARK: Head and header

    mutating func head() {
        let title = "\(t.title(snapshot)) — \(t.subjectLine(snapshot.subject)) — \(report.quarter)"
        out += """
            <!DOCTYPE html>
            <html lang="\(t.language.rawValue)" dir="\(rtl ? "rtl" : "ltr")">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="Rida \(Escaping.html(snapshot.engineVersion))">
            <title>\(Escaping.html(title))</title>
            <style>
            \(css)
            </style>
            </head>
            <body>
            <main>

            """
    }

    mutating func header() {
        let version = quality ? t("نسخة فريق الجودة (داخلية)", "Quality team's version (internal)") : t("النسخة المعدّة للنشر", "Version for publication")
        out += "<header>\n<h1>\(Escaping.html(t.title(snapshot)))</h1>\n"
        out += "<p class=\"subtitle\">\(Escaping.html(t.subjectLine(snapshot.subject))) · <bdi>\(report.quarter)</bdi></p>\n<table class=\"facts\">\n"
        var facts: [(String, String)] = [
            (t("الفترة", "Period"), "\(t.period(report.quarter)) (\(report.timeZone))"),
            (t("القنوات", "Channels"), channelsCovered().map { snapshot.channelName($0, t.language) }.joined(separator: t("، ", ", "))),
            (t("عدد الردود", "Responses"), "\(report.centres.reduce(0) { $0 + $1.responses })"),
        ]
        if snapshot.subject.kind == .entity, !snapshot.subject.centres.isEmpty {
            facts.append((t("المراكز", "Centres"), snapshot.subject.centres.map { "\($0.name(t.language)) (\($0.id))" }.joined(separator: t("، ", ", "))))
        }
        facts.append((t("النسخة", "Version"), version))
        facts.append((t("البيانات كما في", "Figures as of"), snapshot.takenAt.iso8601))
        if let publication = snapshot.publication {
            var line = t("التقرير رقم", "Report #") + (rtl ? " " : "") + "\(publication.report), " + t("نُشر في", "published") + " " + String(publication.publishedAt.iso8601.prefix(10))
            if let replaces = publication.replaces {
                line += t("، وهو تصحيح يحل محل التقرير رقم ", "; a correction replacing report #") + "\(replaces)"
            }
            facts.append((t("النشر", "Publication"), line))
        }
        for (label, value) in facts {
            out += "<tr><th>\(Escaping.html(label))</th><td><bdi>\(Escaping.html(value))</bdi></td></tr>\n"
        }
        out += "</table>\n</header>\n"
    }

    func channelsCovered() -> [String] {
        var seen: [String] = []
        for group in report.groups where !seen.contains(group.channel ?? "") { seen.append(group.channel ?? "") }
        return seen
    }

    // MARK: Summary

    mutating func summary() {
        out += "<section id=\"summary\">\n<h2>\(Escaping.html(t("الخلاصة: المعايير لكل قناة", "Summary: the thresholds per channel")))</h2>\n"
        if report.groups.isEmpty {
            out += "<p>\(Escaping.html(t("لا توجد ردود في هذا الربع لهذا النطاق.", "No responses in this quarter for this scope.")))</p>\n</section>\n"
            return
        }
        for centre in report.centres {
            if severalCentres { out += "<h3>\(Escaping.html(snapshot.subject.centreName(centre.centre, t.language))) <bdi>(\(Escaping.html(centre.centre)))</bdi></h3>\n" }
            out += "<table class=\"figures\">\n<thead><tr>"
            let head = [t("القناة", "Channel"), t("الردود", "Responses"), t("المتوسط", "Mean"), t("3 فأكثر", "≥3"), t("4 فأكثر", "≥4")].map(Escaping.html)
                + t.thresholdNames.enumerated().map { "\(Escaping.html($0.element)) <small>(\(t.thresholdCriteria[$0.offset]))</small>" }
                + [t("التغير في 4 فأكثر", "Change in ≥4"), t("التغير في المتوسط", "Change in mean")].map(Escaping.html)
            for cell in head { out += "<th>\(cell)</th>" }
            out += "</tr></thead>\n<tbody>\n"
            for group in report.groups where group.centre == centre.centre { summaryRow(group, total: false) }
            summaryRow(centre, total: true)
            out += "</tbody>\n</table>\n"
        }
        let note = t(
            "تُحسم المعايير على الأعداد بدقة. «دون يقين»: فترة الثقة 95% تشمل الحد. السهم ▲ أو ▼ يظهر فقط حين يكون التغير في نسبة التقييمات 4 و5 عن الربع السابق ذا دلالة عند مستوى 95% (اختبار الفرق بين نسبتين)؛ ولا سهم حين لا يكون التغير ذا دلالة.",
            "Thresholds are decided exactly on counts. \u{201C}Not certain\u{201D}: the 95% interval includes the threshold. An arrow ▲ or ▼ is shown only where the change in the share of ratings 4–5 against the previous quarter is significant at 95% (two-proportion z test); no arrow means the change is not significant.")
        out += "<p class=\"note\">\(Escaping.html(note))</p>\n"
        out += "</section>\n"
    }

    /// The responses the misuse rules set aside, per centre, channel and rule (issue 16); no section when none was.
    mutating func setAside() {
        guard let counts = report.setAside, !counts.isEmpty else { return }
        let total = counts.reduce(0) { $0 + $1.responses }
        out += "<section id=\"set-aside\">\n<h2>\(Escaping.html(t("ردود استُبعدت بقواعد سوء الاستخدام", "Responses set aside by the misuse rules")))</h2>\n"
        out += "<p>\(Escaping.html(t("محفوظة ولكنها خارج كل الأرقام والمعايير أعلاه", "Kept, but in none of the figures and thresholds above"))): <bdi>\(total)</bdi></p>\n"
        out += "<table>\n<thead><tr><th>\(Escaping.html(t("المركز", "Centre")))</th><th>\(Escaping.html(t("القناة", "Channel")))</th><th>\(Escaping.html(t("القاعدة", "Rule")))</th><th>\(Escaping.html(t("الردود", "Responses")))</th></tr></thead>\n<tbody>\n"
        for count in counts {
            let rule: String
            switch count.rule {
            case .burst: rule = t("ردود كثيرة من جهاز واحد في وقت قصير", "too many responses from one device in a short time")
            case .identical: rule = t("الإجابات نفسها مكررة من جهاز واحد في وقت قصير", "the same answers repeated from one device in a short time")
            case .tooFast: rule = t("أُرسل أسرع مما يقرأ شخص الأسئلة", "given faster than a person can read the questions")
            }
            out += "<tr><td><bdi>\(Escaping.html(count.centre))</bdi></td><td>\(Escaping.html(snapshot.channelName(count.channel, t.language)))</td>"
            out += "<td>\(Escaping.html(rule))</td><td class=\"num\">\(count.responses)</td></tr>\n"
        }
        out += "</tbody>\n</table>\n</section>\n"
    }

    /// The follow-up cases opened for the quarter's responses, per centre and channel (issue 16); no section when none
    /// was. Counts only: who the customers are never leaves the cases.
    mutating func cases() {
        guard let counts = report.cases, !counts.isEmpty else { return }
        out += "<section id=\"cases\">\n<h2>\(Escaping.html(t("متابعة العملاء الذين طلبوا التواصل", "Follow-up of customers who asked to be contacted")))</h2>\n"
        if let asOf = report.casesAsOf {
            out += "<p>\(Escaping.html(t("حتى", "As of"))) <bdi>\(Escaping.html(asOf.iso8601))</bdi></p>\n"
        }
        out += "<table>\n<thead><tr><th>\(Escaping.html(t("المركز", "Centre")))</th><th>\(Escaping.html(t("القناة", "Channel")))</th>"
        out += "<th>\(Escaping.html(t("فُتحت", "Opened")))</th><th>\(Escaping.html(t("أُنجزت في موعدها", "Resolved in time")))</th>"
        out += "<th>\(Escaping.html(t("متأخرة", "Late")))</th><th>\(Escaping.html(t("لم يحن موعدها", "Not yet due")))</th></tr></thead>\n<tbody>\n"
        for count in counts {
            out += "<tr><td><bdi>\(Escaping.html(count.centre))</bdi></td><td>\(Escaping.html(snapshot.channelName(count.channel, t.language)))</td>"
            out += "<td class=\"num\">\(count.opened)</td><td class=\"num\">\(count.inTime)</td><td class=\"num\">\(count.late)</td>"
            out += "<td class=\"num\">\(count.pending)</td></tr>\n"
        }
        out += "</tbody>\n</table>\n"
        let note = t("في موعدها: أُنجزت أو أُغلقت دون تواصل قبل موعد الاستحقاق (بأيام العمل)؛ متأخرة: أُنجزت بعده أو ما زالت مفتوحة بعده.",
                     "In time: resolved, or closed without contact, by the due time (in working days); late: finished after it, or still open past it.")
        out += "<p class=\"note\">\(Escaping.html(note))</p>\n</section>\n"
    }

    /// Each channel's responses beside the customers it served (imported by the entity), with the response rate
    /// (issue 15 point 4); no section when no count was imported. Numbers in `<bdi>`, Western digits as elsewhere.
    mutating func reach() {
        guard let items = report.reach, !items.isEmpty else { return }
        out += "<section id=\"reach\">\n<h2>\(Escaping.html(t("نسبة الاستجابة", "Response rates")))</h2>\n<ul>\n"
        for item in items {
            func number(_ text: String) -> String { "<bdi>\(Escaping.html(text))</bdi>" }
            out += "<li><bdi>\(Escaping.html(item.centre))</bdi>\(Escaping.html(t("، ", ", ")))\(Escaping.html(snapshot.channelName(item.channel, t.language))): "
            let responses = number(ReportNumber.count(item.responses))
            let rate = item.responseRate.map { " (" + number($0.percentText + "%") + ")" } ?? ""
            if let served = item.customersServed.map({ number(ReportNumber.count($0)) }) {
                out += t.ar
                    ? "\(Escaping.html("عدد الردود")) \(responses) \(Escaping.html("من أصل")) \(served) \(Escaping.html("من العملاء الذين خدمتهم القناة"))\(rate)"
                    : "\(responses) \(Escaping.html(item.responses == 1 ? "response" : "responses")) from \(served) "
                        + "\(Escaping.html(item.customersServed == 1 ? "customer" : "customers")) served\(rate)"
            } else {
                out += t.ar ? "\(Escaping.html("عدد الردود")) \(responses)" : "\(responses) \(Escaping.html(item.responses == 1 ? "response" : "responses"))"
            }
            if let sent = item.invitationsSent, sent > 0 {
                let rate = item.invitationRate.map { " (" + number($0.percentText + "%") + ")" } ?? ""
                let opened = number(ReportNumber.count(item.invitationsOpened ?? 0)), answered = number(ReportNumber.count(item.invitationsAnswered ?? 0))
                out += Escaping.html(t("؛ ", "; "))
                out += t.ar
                    ? "\(Escaping.html("الدعوات المرسلة")) \(number(ReportNumber.count(sent)))\(Escaping.html("، فُتح منها")) \(opened)\(Escaping.html("، وأُجيب")) \(answered)\(rate)"
                    : "\(number(ReportNumber.count(sent))) \(Escaping.html(sent == 1 ? "invitation" : "invitations")) sent, \(opened) opened, \(answered) answered\(rate)"
            }
            out += "</li>\n"
        }
        out += "</ul>\n"
        let note = t("نسبة الاستجابة: عدد الردود مقسوماً على عدد العملاء الذين خدمتهم القناة في الربع، كما أدخلته الجهة؛ وللدعوات: ما أُجيب منها مقسوماً على ما أُرسل في الربع.",
                     "Response rate: the responses divided by the customers the channel served in the quarter, as the entity counted them; for invitations, those answered divided by those sent in the quarter.")
        out += "<p class=\"note\">\(Escaping.html(note))</p>\n</section>\n"
    }

    mutating func summaryRow(_ f: Figures, total: Bool) {
        let name = total ? t("جميع القنوات", "All channels") : snapshot.channelName(f.channel, t.language)
        out += "<tr\(total ? " class=\"total\"" : "")><th>\(Escaping.html(name))</th>"
        out += "<td class=\"num\">\(f.responses)</td>"
        out += "<td class=\"num\">\(ReportNumber.mean(f.mean))<small>\(ReportNumber.interval(f.meanInterval, percent: false))</small></td>"
        out += "<td class=\"num\">\(Escaping.html(ReportNumber.percent(f.share3)))</td>"
        out += "<td class=\"num\">\(Escaping.html(ReportNumber.percent(f.share4)))<small>\(Escaping.html(ReportNumber.interval(f.share4Interval, percent: true)))</small></td>"
        let verdicts: [(Bool?, Confidence)] = [
            (f.thresholds.atLeast3In80Percent, f.confidence.atLeast3In80Percent),
            (f.thresholds.atLeast4In80Percent, f.confidence.atLeast4In80Percent),
            (f.thresholds.meanAtLeast4, f.confidence.meanAtLeast4),
        ]
        for (met, confidence) in verdicts {
            out += "<td><span class=\"v \(confidence.rawValue)\">\(Escaping.html(t.verdict(met, confidence)))</span></td>"
        }
        out += "<td class=\"num\">\(change(f.change))</td>"
        out += "<td class=\"num\">\(Escaping.html(ReportNumber.signedMean(f.change?.mean)))</td></tr>\n"
    }

    /// The change of the share of ratings 4–5, with its arrow only when significant.
    func change(_ change: Change?) -> String {
        guard let change, change.share4 != nil else { return "–" }
        var cell = "<bdi>\(Escaping.html(ReportNumber.points(change.share4)))</bdi>"
        if let arrow = ChangeArrow.share4(change) {
            let up = arrow == "▲"
            let label = up ? t("ارتفاع ذو دلالة", "significant rise") : t("انخفاض ذو دلالة", "significant fall")
            cell += " <span class=\"arrow \(up ? "up" : "down")\" title=\"\(Escaping.html(label))\">\(arrow)</span>"
        }
        return cell
    }

    // MARK: Distributions

    mutating func distributions() {
        guard !report.groups.isEmpty else { return }
        out += "<section id=\"distributions\">\n<h2>\(Escaping.html(t("توزيع التقييمات لكل قناة", "The scores given, per channel")))</h2>\n"
        out += "<p class=\"legend\">"
        for score in 1...5 {
            out += "<span><i style=\"background:\(scoreColours[score - 1])\"></i>\(score) \(Escaping.html(t.scoreLabel(score)))</span> "
        }
        out += "</p>\n"
        for group in report.groups {
            var heading = snapshot.channelName(group.channel, t.language)
            if severalCentres { heading = snapshot.subject.centreName(group.centre, t.language) + " — " + heading }
            out += "<div class=\"dist\">\n<h3>\(Escaping.html(heading)) <small>(\(Escaping.html(t("عدد الردود", "responses"))): \(group.responses))</small></h3>\n"
            out += "<table class=\"bars\">\n<thead><tr><th>\(Escaping.html(t("السؤال", "Question")))</th><th>\(Escaping.html(t("التوزيع", "Distribution")))</th><th>\(Escaping.html(t("4 و5", "4–5")))</th><th>\(Escaping.html(t("المتوسط", "Mean")))</th><th>\(Escaping.html(t("الإجابات", "Answers")))</th></tr></thead>\n<tbody>\n"
            for q in 0..<SurveyResponse.ratedQuestionCount {
                guard let question = group.questions["q\(q + 1)"] else { continue }
                let top = question.answers > 0 ? Double(question.counts[3] + question.counts[4]) / Double(question.answers) : nil
                out += "<tr><th>\(Escaping.html(t.question(q)))</th><td>\(stackedBar(question, label: t.question(q)))</td>"
                out += "<td class=\"num\">\(Escaping.html(ReportNumber.percent(top)))</td><td class=\"num\">\(ReportNumber.mean(question.mean))</td><td class=\"num\">\(question.answers)</td></tr>\n"
            }
            out += "</tbody>\n</table>\n</div>\n"
        }
        out += "</section>\n"
    }

    /// One question's five scores as a bar of 100 units, score 1 at the reading start.
    func stackedBar(_ question: QuestionFigures, label: String) -> String {
        let width = 200.0
        var svg = "<svg class=\"bar\" viewBox=\"0 0 200 14\" width=\"200\" height=\"14\" role=\"img\" aria-label=\"\(Escaping.html(label))\">"
        guard question.answers > 0 else { return svg + "<rect class=\"empty\" x=\"0\" y=\"0\" width=\"200\" height=\"14\" fill=\"#f0f0f0\"/></svg>" }
        var offset = 0.0
        for score in 0..<5 where question.counts[score] > 0 {
            let w = width * Double(question.counts[score]) / Double(question.answers)
            let x = rtl ? width - offset - w : offset
            let share = ReportNumber.percent(Double(question.counts[score]) / Double(question.answers))
            svg += "<rect class=\"s\(score + 1)\" x=\"\(coordinate(x))\" y=\"0\" width=\"\(coordinate(w))\" height=\"14\" fill=\"\(scoreColours[score])\">"
            svg += "<title>\(score + 1): \(question.counts[score]) (\(Escaping.html(share)))</title></rect>"
            offset += w
        }
        return svg + "</svg>"
    }

    // MARK: Trends

    mutating func trends() {
        guard snapshot.trend.contains(where: { $0.points.contains { $0.responses > 0 } }) else { return }
        let quarters = snapshot.trend.first?.points.map(\.quarter) ?? []
        out += "<section id=\"trends\">\n<h2>\(Escaping.html(t("الاتجاه خلال آخر ثمانية أرباع", "Trends over the last eight quarters")))</h2>\n"
        let note = t(
            "لكل قناة: نسبة التقييمات 4 و5 (الخط المتقطع: 80%) والمتوسط (الخط المتقطع: 4). السهم في الجدول يعني تغيراً ذا دلالة عند 95% عن الربع السابق.",
            "Per channel: the share of ratings 4–5 (dashed line: 80%) and the mean (dashed line: 4). An arrow in the table marks a change against the quarter before that is significant at 95%.")
        out += "<p class=\"note\">\(Escaping.html(note))</p>\n"
        for series in snapshot.trend {
            let name = snapshot.channelName(series.channel, t.language)
            out += "<div class=\"trend\">\n<h3>\(Escaping.html(name))</h3>\n<div class=\"charts\">\n"
            out += lineChart(series.points.map(\.share4), quarters: quarters, range: (0, 1), ticks: [(0, "0%"), (0.5, "50%"), (0.8, "80%"), (1, "100%")],
                             reference: 0.8, label: t("نسبة 4 و5", "Share of 4–5") + " — " + name, kind: "share")
            out += lineChart(series.points.map(\.mean), quarters: quarters, range: (1, 5), ticks: [(1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")],
                             reference: 4, label: t("المتوسط", "Mean") + " — " + name, kind: "mean")
            out += "</div>\n<table class=\"trend-table\">\n<thead><tr><th></th>"
            for quarter in quarters { out += "<th><bdi>\(quarter)</bdi></th>" }
            out += "</tr></thead>\n<tbody>\n<tr><th>\(Escaping.html(t("الردود", "Responses")))</th>"
            for point in series.points { out += "<td class=\"num\">\(point.responses)</td>" }
            out += "</tr>\n<tr><th>\(Escaping.html(t("4 و5", "4–5")))</th>"
            for point in series.points {
                let arrow = ChangeArrow.share4(point.change).map { " <span class=\"arrow \($0 == "▲" ? "up" : "down")\">\($0)</span>" } ?? ""
                out += "<td class=\"num\">\(Escaping.html(ReportNumber.percent(point.share4)))\(arrow)</td>"
            }
            out += "</tr>\n<tr><th>\(Escaping.html(t("المتوسط", "Mean")))</th>"
            for point in series.points { out += "<td class=\"num\">\(ReportNumber.mean(point.mean))</td>" }
            out += "</tr>\n</tbody>\n</table>\n</div>\n"
        }
        out += "</section>\n"
    }

    /// A line chart of one figure over the quarters; quarters without a value break the line. Time runs in the
    /// reading direction: right to left in Arabic.
    func lineChart(_ values: [Double?], quarters: [Quarter], range: (Double, Double), ticks: [(Double, String)],
                   reference: Double, label: String, kind: String) -> String {
        let width = 320.0, height = 150.0
        let inner = 34.0, outer = 10.0, top = 10.0, bottom = 26.0
        let plotWidth = width - inner - outer
        let plotHeight = height - top - bottom
        let step = values.count > 1 ? plotWidth / Double(values.count - 1) : 0
        func x(_ i: Int) -> Double { rtl ? width - inner - Double(i) * step : inner + Double(i) * step }
        func y(_ v: Double) -> Double { top + plotHeight * (1 - (v - range.0) / (range.1 - range.0)) }
        var svg = "<svg class=\"line \(kind)\" viewBox=\"0 0 320 150\" width=\"320\" height=\"150\" role=\"img\" aria-label=\"\(Escaping.html(label))\">"
        svg += "<title>\(Escaping.html(label))</title>"
        let axisX = rtl ? width - inner : inner
        let plotStart = coordinate(rtl ? outer : inner), plotEnd = coordinate(rtl ? width - inner : width - outer)
        for (value, text) in ticks {
            let yy = coordinate(y(value))
            svg += "<line class=\"grid\" x1=\"\(plotStart)\" y1=\"\(yy)\" x2=\"\(plotEnd)\" y2=\"\(yy)\" stroke=\"#e3e3e3\" stroke-width=\"0.6\"/>"
            let labelX = rtl ? axisX + 4 : axisX - 4
            svg += "<text x=\"\(coordinate(labelX))\" y=\"\(coordinate(y(value) + 3))\" text-anchor=\"\(rtl ? "start" : "end")\" font-size=\"8\" fill=\"#555\">\(Escaping.html(text))</text>"
        }
        let ry = coordinate(y(reference))
        svg += "<line class=\"reference\" x1=\"\(plotStart)\" y1=\"\(ry)\" x2=\"\(plotEnd)\" y2=\"\(ry)\" stroke=\"#9b1111\" stroke-width=\"0.8\" stroke-dasharray=\"3 2\"/>"
        for (i, quarter) in quarters.enumerated() {
            svg += "<text x=\"\(coordinate(x(i)))\" y=\"\(coordinate(height - bottom + 12))\" text-anchor=\"middle\" font-size=\"7\" fill=\"#555\">Q\(quarter.number)</text>"
            if i == 0 || quarter.number == 1 {
                svg += "<text x=\"\(coordinate(x(i)))\" y=\"\(coordinate(height - bottom + 21))\" text-anchor=\"middle\" font-size=\"7\" fill=\"#555\">\(quarter.year)</text>"
            }
        }
        var runs: [[(Int, Double)]] = []
        var current: [(Int, Double)] = []
        for (i, value) in values.enumerated() {
            if let value {
                current.append((i, value))
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        for run in runs {
            if run.count > 1 {
                let points = run.map { "\(coordinate(x($0.0))),\(coordinate(y($0.1)))" }.joined(separator: " ")
                svg += "<polyline class=\"series\" points=\"\(points)\" fill=\"none\" stroke=\"#2166ac\" stroke-width=\"1.8\"/>"
            }
            for (i, value) in run {
                let shown = kind == "share" ? ReportNumber.percent(value) : ReportNumber.mean(value)
                svg += "<circle class=\"point\" cx=\"\(coordinate(x(i)))\" cy=\"\(coordinate(y(value)))\" r=\"2.4\" fill=\"#2166ac\"><title>\(quarters[i]): \(Escaping.html(shown))</title></circle>"
            }
        }
        return svg + "</svg>\n"
    }

    // MARK: Breakdowns

    mutating func breakdowns(_ breakdowns: [Breakdown], id: String, title: String, heading: String) {
        out += "<section id=\"\(id)\">\n<h2>\(Escaping.html(title))</h2>\n"
        if breakdowns.isEmpty {
            out += "<p>\(Escaping.html(t("لم يذكر أي رد هذه المعلومة في هذا الربع.", "No response named one in this quarter.")))</p>\n</section>\n"
            return
        }
        for breakdown in breakdowns {
            if severalCentres { out += "<h3>\(Escaping.html(snapshot.subject.centreName(breakdown.centre, t.language))) <bdi>(\(Escaping.html(breakdown.centre)))</bdi></h3>\n" }
            out += "<table class=\"figures breakdown\">\n<thead><tr><th>\(Escaping.html(heading))</th><th>\(Escaping.html(t("الردود", "Responses")))</th><th>\(Escaping.html(t("المتوسط", "Mean")))</th><th>\(Escaping.html(t("3 فأكثر", "≥3")))</th><th>\(Escaping.html(t("4 فأكثر", "≥4")))</th><th>\(Escaping.html(t.thresholdNames[1]))</th></tr></thead>\n<tbody>\n"
            for row in breakdown.rows {
                out += "<tr><th><bdi>\(Escaping.html(row.value))</bdi></th>"
                if let f = row.figures {
                    out += "<td class=\"num\">\(f.responses)</td><td class=\"num\">\(ReportNumber.mean(f.mean))</td>"
                    out += "<td class=\"num\">\(Escaping.html(ReportNumber.percent(f.share3)))</td><td class=\"num\">\(Escaping.html(ReportNumber.percent(f.share4)))</td>"
                    out += "<td><span class=\"v \(f.confidence.atLeast4In80Percent.rawValue)\">\(Escaping.html(t.verdict(f.thresholds.atLeast4In80Percent, f.confidence.atLeast4In80Percent)))</span></td></tr>\n"
                } else {
                    out += "<td class=\"suppressed\" colspan=\"5\">\(Escaping.html(suppressedText(breakdown.minimumCell)))</td></tr>\n"
                }
            }
            out += "</tbody>\n</table>\n"
        }
        if id == "counters", report.channel != nil {
            let all = t("يشمل التوزيع حسب المنصة جميع قنوات المركز: رقم المنصة يدل على نقطة خدمة بعينها.",
                        "The breakdown by counter covers every channel of the centre: a counter names one point of service.")
            out += "<p class=\"note\">\(Escaping.html(all))</p>\n"
        }
        let note = t(
            "تُحجب الخلايا التي تقل ردودها عن \(Breakdown.defaultMinimumCell) حمايةً للموظفين والمتعاملين، وحين تُحجب خلية واحدة تُحجب معها أصغر خلية أخرى حتى لا تُستنتج من الفرق.",
            "Cells with fewer than \(Breakdown.defaultMinimumCell) responses are suppressed to protect staff and customers; when only one cell would be, the next smallest is suppressed too, so it cannot be found by subtraction.")
        out += "<p class=\"note\">\(Escaping.html(note))</p>\n"
        out += "</section>\n"
    }

    func suppressedText(_ minimum: Int) -> String {
        t("محجوب (أقل من \(minimum) رداً هنا أو في خلية مجاورة)", "suppressed (fewer than \(minimum) responses here or in a neighbouring cell)")
    }

    // MARK: Comments

    mutating func comments() {
        let digest = snapshot.comments
        out += "<section id=\"comments\">\n<h2>\(Escaping.html(t("ملاحظات المتعاملين", "Customers' comments")))</h2>\n"
        if digest.total == 0 {
            out += "<p>\(Escaping.html(t("لا توجد ملاحظات في هذا الربع.", "No comments in this quarter.")))</p>\n</section>\n"
            return
        }
        out += "<table class=\"figures counts\">\n<thead><tr><th>\(Escaping.html(t("القناة", "Channel")))</th><th>\(Escaping.html(t("الملاحظات", "Comments")))</th><th>\(Escaping.html(t("مع تقييم منخفض", "With low ratings")))</th></tr></thead>\n<tbody>\n"
        for count in digest.counts {
            out += "<tr><th>\(Escaping.html(snapshot.channelName(count.channel, t.language)))</th><td class=\"num\">\(count.comments)</td><td class=\"num\">\(count.lowRated)</td></tr>\n"
        }
        out += "<tr class=\"total\"><th>\(Escaping.html(t("المجموع", "Total")))</th><td class=\"num\">\(digest.total)</td><td class=\"num\">\(digest.lowRated)</td></tr>\n</tbody>\n</table>\n"
        let note = t(
            "التقييم المنخفض: متوسط تقييمات الرد أقل من 3. تظهر الملاحظات ذات التقييم المنخفض أولاً.",
            "Low ratings: the response's ratings average below 3. Comments with low ratings come first.")
        out += "<p class=\"note\">\(Escaping.html(note))</p>\n<ol class=\"comments\">\n"
        for entry in digest.entries.prefix(HTMLReport.commentLimit) {
            var meta = [snapshot.channelName(entry.channel, t.language), entry.day, t("المتوسط ", "mean ") + ReportNumber.mean(entry.mean)]
            if severalCentres { meta.insert(snapshot.subject.centreName(entry.centre, t.language), at: 0) }
            if let service = entry.service { meta.append(service) }
            out += "<li\(entry.lowRated ? " class=\"low\"" : "")><p class=\"meta\"><bdi>\(Escaping.html(meta.joined(separator: " · ")))</bdi></p><p dir=\"auto\">\(Escaping.html(entry.text))</p></li>\n"
        }
        out += "</ol>\n"
        let shown = min(digest.entries.count, HTMLReport.commentLimit)
        if digest.total > shown {
            let more = t("تعرض الصفحة \(shown) من \(digest.total) ملاحظة؛ يعرض المصنف \(digest.entries.count) منها.",
                         "The page shows \(shown) of \(digest.total) comments; the workbook lists \(digest.entries.count) of them.")
            out += "<p class=\"note\">\(Escaping.html(more))</p>\n"
        }
        out += "</section>\n"
    }

    // MARK: Themes

    /// The comments grouped into themes: counts and low ratings for every audience (figures), examples only in the
    /// quality team's version (comments are never in the public one).
    mutating func themes() {
        guard let digest = snapshot.themes else { return }
        out += "<section id=\"themes\">\n<h2>\(Escaping.html(t("موضوعات الملاحظات", "Comment themes")))</h2>\n"
        if digest.all.comments == 0 {
            out += "<p>\(Escaping.html(t("لا توجد ملاحظات في هذا الربع.", "No comments in this quarter.")))</p>\n</section>\n"
            return
        }
        let groups = digest.channels.count > 1 ? [digest.all] + digest.channels : [digest.all]
        for group in groups {
            // With one channel, every channel together is that channel: named so.
            let channel = group.channel ?? (digest.channels.count == 1 ? digest.channels[0].channel : nil)
            let name = snapshot.channelName(channel, t.language)
            out += "<h3>\(Escaping.html(name)) <small>(\(Escaping.html(t("الملاحظات", "comments"))): \(group.comments))</small></h3>\n"
            out += "<table class=\"figures themes\">\n<thead><tr><th>\(Escaping.html(t("الموضوع", "Theme")))</th><th>\(Escaping.html(t("الملاحظات", "Comments")))</th>"
            out += "<th>\(Escaping.html(t("مع تقييم منخفض", "With low ratings")))</th><th>\(Escaping.html(t("نسبة التقييم المنخفض", "Share with low ratings")))</th></tr></thead>\n<tbody>\n"
            var rows = group.themes.map { (theme: $0.theme, name: $0.label[t.language], comments: $0.comments, low: $0.lowRated) }
            rows.append((theme: "unmatched", name: t("بلا موضوع", "No theme"), comments: group.unmatched, low: group.unmatchedLowRated))
            for row in rows {
                let share = row.comments > 0 ? ReportNumber.percent(Double(row.low) / Double(row.comments)) : "–"
                out += "<tr data-theme=\"\(Escaping.html(row.theme))\"><th>\(Escaping.html(row.name))</th><td class=\"num\">\(row.comments)</td><td class=\"num\">\(row.low)</td>"
                out += "<td class=\"num\">\(Escaping.html(share))</td></tr>\n"
            }
            out += "</tbody>\n</table>\n"
        }
        if quality {
            for theme in digest.all.themes where !theme.examples.isEmpty {
                out += "<h3>\(Escaping.html(theme.label[t.language])) <small>\(Escaping.html(t("أمثلة", "examples")))</small></h3>\n<ol class=\"comments examples\" data-theme=\"\(Escaping.html(theme.theme))\">\n"
                for entry in theme.examples {
                    var meta = [snapshot.channelName(entry.channel, t.language), entry.day, t("المتوسط ", "mean ") + ReportNumber.mean(entry.mean)]
                    if severalCentres { meta.insert(snapshot.subject.centreName(entry.centre, t.language), at: 0) }
                    out += "<li\(entry.lowRated ? " class=\"low\"" : "")><p class=\"meta\"><bdi>\(Escaping.html(meta.joined(separator: " · ")))</bdi></p><p dir=\"auto\">\(Escaping.html(entry.text))</p></li>\n"
                }
                out += "</ol>\n"
            }
        }
        let note = t(
            "تُصنَّف الملاحظات بمعجم «\(digest.lexicon)» من الكلمات العربية والإنجليزية، بعد توحيد الكتابة (دون تشكيل أو تطويل أو اختلاف في صور الهمزة). قد تقع الملاحظة الواحدة في أكثر من موضوع، وتُعدّ الملاحظات التي لا تقع في أي موضوع في «بلا موضوع». التقييم المنخفض: متوسط تقييمات الرد أقل من 3.",
            "Comments are grouped by the \u{201C}\(digest.lexicon)\u{201D} lexicon of Arabic and English terms, after folding spellings (no diacritics, tatweel or hamza variants). A comment may fall in several themes; comments in none are counted under \u{201C}No theme\u{201D}. Low ratings: the response's ratings average below 3.")
        out += "<p class=\"note\">\(Escaping.html(note))</p>\n</section>\n"
    }

    // MARK: Actions

    mutating func actions() {
        guard !snapshot.actions.isEmpty else { return }
        out += "<section id=\"actions\">\n<h2>\(Escaping.html(t("القرارات والإجراءات المتخذة بعد التقرير", "Decisions and actions taken after the report")))</h2>\n"
        out += "<table class=\"figures\">\n<thead><tr><th>#</th>"
        if quality { out += "<th>\(Escaping.html(t("المسؤول", "Who")))</th>" }
        out += "<th>\(Escaping.html(t("القرار أو الإجراء", "Decision or action")))</th><th>\(Escaping.html(t("الموعد", "Due")))</th><th>\(Escaping.html(t("الحالة", "Status")))</th></tr></thead>\n<tbody>\n"
        for (i, action) in snapshot.actions.enumerated() {
            out += "<tr><td class=\"num\">\(i + 1)</td>"
            if quality { out += "<td>\(Escaping.html(action.who))</td>" }
            out += "<td dir=\"auto\">\(Escaping.html(action.what))</td><td><bdi>\(Escaping.html(action.due ?? "–"))</bdi></td><td>\(Escaping.html(t.actionStatus(action.status)))</td></tr>\n"
        }
        out += "</tbody>\n</table>\n</section>\n"
    }

    // MARK: Method

    mutating func method() {
        let responses = report.centres.reduce(0) { $0 + $1.responses }
        let reading = report.reading == .ratings
            ? t("قراءة التقييمات: يتحقق «3 (أو 4) فأكثر في 80%» حين تكون 80% على الأقل من جميع التقييمات المعطاة للأسئلة 1–4 في الربع 3 (أو 4) فأكثر.",
                "The ratings reading: \u{201C}at least 3 (or 4) in 80%\u{201D} is met when at least 80% of all the ratings given to questions 1–4 in the quarter are 3 (or 4) or more.")
            : t("قراءة الأسئلة: يتحقق «3 (أو 4) فأكثر في 80%» حين يكون متوسط 80% على الأقل من الأسئلة المقيّمة 3 (أو 4) فأكثر.",
                "The questions reading: \u{201C}at least 3 (or 4) in 80%\u{201D} is met when at least 80% of the rated questions have a mean of 3 (or 4) or more.")
        let items = [
            t("الفترة: \(t.period(report.quarter)) بتوقيت \(report.timeZone)؛ الربع هو الربع الميلادي بهذا التوقيت.",
              "Period: \(t.period(report.quarter)) in \(report.timeZone) time; quarters are calendar quarters in that zone."),
            t("القنوات: \(channelsCovered().map { snapshot.channelName($0, t.language) }.joined(separator: "، ")). عدد الردود: \(responses).",
              "Channels: \(channelsCovered().map { snapshot.channelName($0, t.language) }.joined(separator: ", ")). Responses: \(responses)."),
            t("الاستبيان: الملحق 3 من الدليل (2023)؛ الأسئلة 1–4 على مقياس من 1 (غير راضٍ جداً) إلى 5 (راضٍ جداً).",
              "Questionnaire: the guide's appendix 3 (2023); questions 1–4 on a scale of 1 (very dissatisfied) to 5 (very satisfied)."),
            reading,
            t("المعيار «المتوسط 4 فأكثر» (3.2.5): متوسط جميع التقييمات في القناة 4 فأكثر.",
              "\u{201C}Mean at least 4\u{201D} (3.2.5): the mean of all the ratings on the channel is 4 or more."),
            t("فترات الثقة 95%: فترة ويلسون للنسب، والتقريب الطبيعي للمتوسط. «دون يقين» حين تشمل الفترة الحد.",
              "95% intervals: the Wilson score interval for shares, the normal approximation for the mean. \u{201C}Not certain\u{201D} when the interval includes the threshold."),
            t("الحد الأدنى للعينة: \(report.minimumResponses) رداً؛ دونه لا يُحكم على المعيار («ردود غير كافية»).",
              "Minimum sample: \(report.minimumResponses) responses; below it a threshold is not judged (\u{201C}too few responses\u{201D})."),
            t("التغير عن الربع السابق: اختبار z المجمّع للفرق بين نسبتين؛ ذو دلالة حين |z| ≥ 1.96 (95%).",
              "Change against the previous quarter: the pooled two-proportion z test; significant when |z| ≥ 1.96 (95%)."),
            t("حجب الخلايا الصغيرة: أقل من \(Breakdown.defaultMinimumCell) ردود في التوزيع حسب الخدمة أو المنصة.",
              "Small cells: fewer than \(Breakdown.defaultMinimumCell) responses in a breakdown by service or counter are suppressed."),
        ]
        out += "<section id=\"method\">\n<h2>\(Escaping.html(t("المنهجية", "Method")))</h2>\n<ul>\n"
        for item in items { out += "<li>\(Escaping.html(item))</li>\n" }
        out += "</ul>\n<p class=\"engine\"><bdi>Rida \(Escaping.html(snapshot.engineVersion))</bdi></p>\n</section>\n"
    }

    // MARK: Style

    var css: String {
        """
        @page { size: A4; margin: 14mm 12mm; }
        html { font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "DejaVu Sans", "Arial", sans-serif; font-size: 10.5pt; color: #111; }
        body { margin: 0; }
        main { margin: 0 auto; max-width: 186mm; padding: 8mm 0; }
        h1 { font-size: 17pt; margin: 0 0 1mm; }
        h2 { font-size: 13.5pt; margin: 7mm 0 2mm; border-bottom: 2px solid #444; break-after: avoid; }
        h3 { font-size: 11pt; margin: 4mm 0 1mm; break-after: avoid; }
        .subtitle { margin: 0 0 3mm; font-size: 12pt; color: #333; }
        table { border-collapse: collapse; }
        table.facts th { text-align: start; font-weight: 600; padding: 0.4mm 0; padding-inline-end: 4mm; vertical-align: top; }
        table.facts td { padding: 0.4mm 0; }
        table.figures { width: 100%; margin: 1mm 0 2mm; }
        table.figures th, table.figures td { border: 1px solid #bbb; padding: 0.8mm 1.2mm; text-align: start; vertical-align: top; }
        table.figures thead th { background: #ececec; font-weight: 600; font-size: 9pt; }
        table.figures tr.total th, table.figures tr.total td { background: #f6f6f6; font-weight: 600; }
        table.figures tr { break-inside: avoid; }
        table td.num, table.figures td.num { direction: ltr; text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        td small, th small { display: block; color: #666; font-size: 7.5pt; font-weight: normal; }
        td.suppressed { color: #666; font-style: italic; }
        .v { display: inline-block; padding: 0 1.2mm; border-radius: 1mm; font-size: 8.5pt; white-space: nowrap; }
        .v.met { background: #dcefe0; color: #0a5c1f; }
        .v.notMet { background: #f6dcdc; color: #9b1111; }
        .v.inconclusive { background: #fbf0cf; color: #6b4e00; }
        .v.tooFewResponses { background: #eee; color: #555; }
        .arrow { font-weight: bold; }
        .arrow.up { color: #0a5c1f; } .arrow.down { color: #9b1111; }
        .note { font-size: 8.5pt; color: #444; }
        .legend span { margin-inline-end: 3mm; font-size: 8.5pt; white-space: nowrap; }
        .legend i { display: inline-block; width: 3mm; height: 3mm; margin-inline-end: 1mm; vertical-align: middle; }
        .dist, .trend { break-inside: avoid; }
        table.bars { width: 100%; margin-bottom: 2mm; }
        table.bars th, table.bars td { padding: 0.3mm 1mm; text-align: start; font-size: 9pt; }
        table.bars thead th { color: #555; font-weight: 600; border-bottom: 1px solid #ccc; }
        svg.bar { display: block; width: 70mm; height: 4.5mm; }
        .charts { display: flex; gap: 4mm; flex-wrap: wrap; }
        svg.line { width: 88mm; height: auto; border: 1px solid #eee; }
        table.trend-table { margin: 1mm 0 3mm; font-size: 8pt; }
        table.trend-table th, table.trend-table td { border: 1px solid #ddd; padding: 0.3mm 1mm; }
        ol.comments { padding-inline-start: 6mm; }
        ol.comments li { margin-bottom: 1.5mm; break-inside: avoid; }
        ol.comments li.low { border-inline-start: 1mm solid #b2182b; padding-inline-start: 1.5mm; }
        ol.comments p { margin: 0; }
        ol.comments p.meta { font-size: 8pt; color: #555; }
        .engine { font-size: 8pt; color: #666; }
        @media print { main { padding: 0; max-width: none; } h2 { break-before: auto; } }
        """
    }
}

/// A coordinate with at most two decimals and no trailing zeros, so the SVG is short and stable.
func coordinate(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    var text = String(format: "%.2f", rounded)
    while text.hasSuffix("0") { text.removeLast() }
    return text
}
