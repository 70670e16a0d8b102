import CXlsxWriter
import Foundation
import RidaAggregation
import RidaAssessment
import RidaSurvey

/// Why a rendering could not be made, in a sentence.
public struct ReportRenderingError: RidaFailure {
    public var description: String

    /// Rida could not write what it was asked for: not the caller's input.
    public var kind: FailureKind { .internalFailure }
    public var code: String { "rendering_failed" }

    public init(_ description: String) {
        self.description = description
    }
}

/// The quarterly report as an Excel workbook (through Debian's libxlsxwriter): sheets Summary, Channels, Questions,
/// Services, Counters, Trend, Themes and Comments, right to left in Arabic, numbers stored as numbers with formats
/// (shares as percentages), a frozen header row on every sheet. The public audience leaves out Counters and Comments,
/// and the example comments of Themes.
///
/// Every figure is the snapshot's (the figures of the JSON report), never recomputed.
public enum WorkbookReport {
    public static let sheetNames = ["Summary", "Channels", "Questions", "Services", "Counters", "Trend", "Themes", "Comments"]

    /// The workbook's bytes. `temporaryDirectory` holds the file while libxlsxwriter writes it.
    public static func render(
        _ snapshot: ReportSnapshot, language: Language = .ar, audience: ReportAudience = .quality,
        temporaryDirectory: URL = FileManager.default.temporaryDirectory
    ) throws -> Data {
        let path = temporaryDirectory.appendingPathComponent("rida-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let workbook = workbook_new(path) else {
            throw ReportRenderingError("The workbook cannot be written in \(temporaryDirectory.path): check that the folder is writable.")
        }
        var book = Book(workbook: workbook, t: ReportText(language: language))
        book.fill(snapshot, audience: audience)
        let result = workbook_close(workbook)
        guard result == LXW_NO_ERROR else {
            throw ReportRenderingError("The workbook could not be written: \(String(cString: lxw_strerror(result))).")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReportRenderingError("The workbook was written but cannot be read back from \(path).")
        }
        return data
    }
}

/// A cell of a row.
private enum Cell {
    case text(String)
    case integer(Int)
    /// A share, shown as a percentage.
    case share(Double?)
    /// A mean or a statistic, shown with two decimals.
    case decimal(Double?)
    case flag(Bool?)
    case blank
}

private struct Book {
    let workbook: UnsafeMutablePointer<lxw_workbook>
    let t: ReportText
    let header: UnsafeMutablePointer<lxw_format>
    let percent: UnsafeMutablePointer<lxw_format>
    let decimal: UnsafeMutablePointer<lxw_format>
    let integer: UnsafeMutablePointer<lxw_format>
    let wrap: UnsafeMutablePointer<lxw_format>
    let title: UnsafeMutablePointer<lxw_format>

    init(workbook: UnsafeMutablePointer<lxw_workbook>, t: ReportText) {
        self.workbook = workbook
        self.t = t
        header = workbook_add_format(workbook)
        format_set_bold(header)
        format_set_bg_color(header, 0xE8E8E8)
        format_set_text_wrap(header)
        percent = workbook_add_format(workbook)
        format_set_num_format(percent, "0.0%")
        decimal = workbook_add_format(workbook)
        format_set_num_format(decimal, "0.00")
        integer = workbook_add_format(workbook)
        format_set_num_format(integer, "0")
        wrap = workbook_add_format(workbook)
        format_set_text_wrap(wrap)
        title = workbook_add_format(workbook)
        format_set_bold(title)
        format_set_font_size(title, 14)
    }

    /// A sheet with its header row written and frozen, right to left in Arabic.
    func sheet(_ name: String, columns: [(String, Double)]) -> Sheet {
        let worksheet = workbook_add_worksheet(workbook, name)!
        if t.ar { worksheet_right_to_left(worksheet) }
        var sheet = Sheet(worksheet: worksheet, book: self)
        for (i, column) in columns.enumerated() {
            worksheet_set_column(worksheet, lxw_col_t(i), lxw_col_t(i), column.1, nil)
        }
        sheet.row(columns.map { .text($0.0) }, format: header)
        worksheet_freeze_panes(worksheet, 1, 0)
        return sheet
    }

    mutating func fill(_ snapshot: ReportSnapshot, audience: ReportAudience) {
        var properties = lxw_doc_properties()
        properties.created = time_t(snapshot.takenAt.millisecondsSince1970 / 1000)
        _ = workbook_set_properties(workbook, &properties)
        summary(snapshot, audience: audience)
        channels(snapshot)
        questions(snapshot)
        breakdowns(snapshot.services, name: "Services", heading: t("الخدمة", "Service"), snapshot: snapshot)
        if audience == .quality {
            breakdowns(snapshot.counters, name: "Counters", heading: t("المنصة / القناة", "Counter / channel"), snapshot: snapshot)
        }
        trend(snapshot)
        themes(snapshot, audience: audience)
        if audience == .quality { comments(snapshot) }
    }

    func centreName(_ snapshot: ReportSnapshot, _ id: String) -> String { snapshot.subject.centreName(id, t.language) }

    func summary(_ snapshot: ReportSnapshot, audience: ReportAudience) {
        let report = snapshot.report
        var sheet = self.sheet("Summary", columns: [(t("البند", "Item"), 28), (t("القيمة", "Value"), 60)])
        let facts: [(String, Cell)] = [
            (t("التقرير", "Report"), .text(t.title(snapshot))),
            (t("النطاق", "Scope"), .text(t.subjectLine(snapshot.subject))),
            (t("الربع", "Quarter"), .text(report.quarter.description)),
            (t("الفترة", "Period"), .text(t.period(report.quarter))),
            (t("المنطقة الزمنية", "Time zone"), .text(report.timeZone)),
            (t("قراءة المعايير", "Reading of the thresholds"), .text(report.reading.rawValue)),
            (t("الحد الأدنى للعينة", "Minimum sample"), .integer(report.minimumResponses)),
            (t("حجب الخلايا دون", "Cells suppressed below"), .integer(Breakdown.defaultMinimumCell)),
            (t("عدد الردود", "Responses"), .integer(report.centres.reduce(0) { $0 + $1.responses })),
            (t("النسخة", "Version"), .text(audience == .quality ? t("فريق الجودة (داخلية)", "quality team (internal)") : t("للنشر", "for publication"))),
            (t("البيانات كما في", "Figures as of"), .text(snapshot.takenAt.iso8601)),
            (t("إصدار المحرك", "Engine version"), .text(snapshot.engineVersion)),
        ]
        for (label, value) in facts { sheet.row([.text(label), value]) }
        sheet.row([])
        sheet.row([.text(t("المركز (جميع القنوات)", "Centre (all channels)")), .text(t("الردود", "Responses")), .text(t("المتوسط", "Mean")),
                   .text(t("3 فأكثر", "≥3")), .text(t("4 فأكثر", "≥4"))] + t.thresholdNames.map { .text($0) }, format: header)
        for f in report.centres {
            sheet.row([.text(centreName(snapshot, f.centre)), .integer(f.responses), .decimal(f.mean), .share(f.share3), .share(f.share4),
                       .text(t.verdict(f.thresholds.atLeast3In80Percent, f.confidence.atLeast3In80Percent)),
                       .text(t.verdict(f.thresholds.atLeast4In80Percent, f.confidence.atLeast4In80Percent)),
                       .text(t.verdict(f.thresholds.meanAtLeast4, f.confidence.meanAtLeast4))])
        }
        // The responses the misuse rules set aside: kept, but in none of the figures (no rows when none was).
        if let setAside = report.setAside, !setAside.isEmpty {
            sheet.row([])
            sheet.row([.text(t("ردود استُبعدت بقواعد سوء الاستخدام", "Set aside by the misuse rules")), .text(t("القناة", "Channel")),
                       .text(t("القاعدة", "Rule")), .text(t("الردود", "Responses"))], format: header)
            for count in setAside {
                sheet.row([.text(centreName(snapshot, count.centre)), .text(snapshot.channelName(count.channel, t.language)),
                           .text(count.rule.rawValue), .integer(count.responses)])
            }
        }
        // The follow-up cases opened for the quarter's responses, counts only (no rows when none was).
        if let cases = report.cases, !cases.isEmpty {
            sheet.row([])
            sheet.row([.text(t("متابعة العملاء الذين طلبوا التواصل", "Follow-up cases")), .text(t("القناة", "Channel")),
                       .text(t("فُتحت", "Opened")), .text(t("أُنجزت في موعدها", "Resolved in time")), .text(t("متأخرة", "Late")),
                       .text(t("لم يحن موعدها", "Not yet due"))], format: header)
            for count in cases {
                sheet.row([.text(centreName(snapshot, count.centre)), .text(snapshot.channelName(count.channel, t.language)),
                           .integer(count.opened), .integer(count.inTime), .integer(count.late), .integer(count.pending)])
            }
        }
        // Each channel's responses beside the customers it served, as imported, and the rate (no rows when no count).
        if let reach = report.reach, !reach.isEmpty {
            sheet.row([])
            sheet.row([.text(t("نسبة الاستجابة", "Response rates")), .text(t("القناة", "Channel")), .text(t("الردود", "Responses")),
                       .text(t("العملاء الذين خُدموا", "Customers served")), .text(t("نسبة الاستجابة", "Response rate")),
                       .text(t("الدعوات المرسلة", "Invitations sent")), .text(t("فُتحت", "Opened")), .text(t("أُجيبت", "Answered")),
                       .text(t("نسبة الإجابة على الدعوات", "Invitations answered"))], format: header)
            for item in reach {
                sheet.row([.text(centreName(snapshot, item.centre)), .text(snapshot.channelName(item.channel, t.language)),
                           .integer(item.responses), item.customersServed.map { .integer($0) } ?? .blank, .share(item.responseRate?.value),
                           item.invitationsSent.map { .integer($0) } ?? .blank, item.invitationsOpened.map { .integer($0) } ?? .blank,
                           item.invitationsAnswered.map { .integer($0) } ?? .blank, .share(item.invitationRate?.value)])
            }
        }
    }

    func channels(_ snapshot: ReportSnapshot) {
        let names = [
            (t("رمز المركز", "Centre id"), 10.0), (t("المركز", "Centre"), 22), (t("رمز القناة", "Channel id"), 12), (t("القناة", "Channel"), 20),
            (t("الردود", "Responses"), 10), (t("التقييمات", "Ratings"), 10), (t("المتوسط", "Mean"), 9),
            (t("المتوسط: أدنى 95%", "Mean: 95% low"), 10), (t("المتوسط: أعلى 95%", "Mean: 95% high"), 10),
            (t("3 فأكثر", "≥3"), 9), (t("4 فأكثر", "≥4"), 9), (t("4 فأكثر: أدنى 95%", "≥4: 95% low"), 10), (t("4 فأكثر: أعلى 95%", "≥4: 95% high"), 10),
            (t.thresholdNames[0], 11), (t.thresholdNames[1], 11), (t.thresholdNames[2], 11),
            (t("الثقة: 3 فأكثر", "Confidence: 3+"), 16), (t("الثقة: 4 فأكثر", "Confidence: 4+"), 16), (t("الثقة: المتوسط", "Confidence: mean"), 16),
            (t("الربع السابق", "Previous quarter"), 10), (t("التغير في 4 فأكثر", "Change in ≥4"), 10), (t("z", "z"), 8),
            (t("تغير ذو دلالة (95%)", "Significant (95%)"), 11), (t("التغير في المتوسط", "Change in mean"), 10),
        ]
        var sheet = self.sheet("Channels", columns: names)
        for f in snapshot.report.groups {
            sheet.row([
                .text(f.centre), .text(centreName(snapshot, f.centre)), .text(f.channel ?? ""), .text(snapshot.channelName(f.channel, t.language)),
                .integer(f.responses), .integer(f.ratings), .decimal(f.mean), .decimal(f.meanInterval?.low), .decimal(f.meanInterval?.high),
                .share(f.share3), .share(f.share4), .share(f.share4Interval?.low), .share(f.share4Interval?.high),
                .flag(f.thresholds.atLeast3In80Percent), .flag(f.thresholds.atLeast4In80Percent), .flag(f.thresholds.meanAtLeast4),
                .text(t.verdict(f.thresholds.atLeast3In80Percent, f.confidence.atLeast3In80Percent)),
                .text(t.verdict(f.thresholds.atLeast4In80Percent, f.confidence.atLeast4In80Percent)),
                .text(t.verdict(f.thresholds.meanAtLeast4, f.confidence.meanAtLeast4)),
                f.change.map { .text($0.previousQuarter.description) } ?? .blank,
                .share(f.change?.share4), .decimal(f.change?.share4Test?.z), .flag(f.change?.share4Test?.significant), .decimal(f.change?.mean),
            ])
        }
    }

    func questions(_ snapshot: ReportSnapshot) {
        var columns = [(t("رمز المركز", "Centre id"), 10.0), (t("رمز القناة", "Channel id"), 12), (t("القناة", "Channel"), 20),
                       (t("السؤال", "Question"), 6), (t("نص السؤال", "Question text"), 28), (t("الإجابات", "Answers"), 9), (t("المتوسط", "Mean"), 9)]
        columns += (1...5).map { ("\($0): " + t.scoreLabel($0), 12.0) }
        var sheet = self.sheet("Questions", columns: columns)
        for f in snapshot.report.groups {
            for q in 0..<SurveyResponse.ratedQuestionCount {
                guard let question = f.questions["q\(q + 1)"] else { continue }
                sheet.row([.text(f.centre), .text(f.channel ?? ""), .text(snapshot.channelName(f.channel, t.language)), .text("q\(q + 1)"),
                           .text(t.question(q)), .integer(question.answers), .decimal(question.mean)] + question.counts.map { .integer($0) })
            }
        }
    }

    func breakdowns(_ breakdowns: [Breakdown], name: String, heading: String, snapshot: ReportSnapshot) {
        var sheet = self.sheet(name, columns: [
            (t("رمز المركز", "Centre id"), 10), (t("المركز", "Centre"), 22), (heading, 28), (t("الردود", "Responses"), 10),
            (t("المتوسط", "Mean"), 9), (t("3 فأكثر", "≥3"), 9), (t("4 فأكثر", "≥4"), 9), (t.thresholdNames[1], 11),
            (t("ملاحظة", "Note"), 40),
        ])
        for breakdown in breakdowns {
            for row in breakdown.rows {
                let start: [Cell] = [.text(breakdown.centre), .text(centreName(snapshot, breakdown.centre)), .text(row.value)]
                if let f = row.figures {
                    sheet.row(start + [.integer(f.responses), .decimal(f.mean), .share(f.share3), .share(f.share4),
                                       .text(t.verdict(f.thresholds.atLeast4In80Percent, f.confidence.atLeast4In80Percent))])
                } else {
                    sheet.row(start + [.blank, .blank, .blank, .blank, .blank,
                                       .text(t("محجوب: أقل من \(breakdown.minimumCell) رداً هنا أو في خلية مجاورة",
                                               "suppressed: fewer than \(breakdown.minimumCell) responses here or in a neighbouring cell"))])
                }
            }
        }
    }

    func trend(_ snapshot: ReportSnapshot) {
        var sheet = self.sheet("Trend", columns: [
            (t("رمز القناة", "Channel id"), 12), (t("القناة", "Channel"), 20), (t("الربع", "Quarter"), 10), (t("الردود", "Responses"), 10),
            (t("المتوسط", "Mean"), 9), (t("3 فأكثر", "≥3"), 9), (t("4 فأكثر", "≥4"), 9), (t("التغير في 4 فأكثر", "Change in ≥4"), 10),
            (t("z", "z"), 8), (t("تغير ذو دلالة (95%)", "Significant (95%)"), 11), (t("الاتجاه", "Direction"), 9),
        ])
        for series in snapshot.trend {
            for point in series.points {
                sheet.row([.text(series.channel ?? "all"), .text(snapshot.channelName(series.channel, t.language)), .text(point.quarter.description),
                           .integer(point.responses), .decimal(point.mean), .share(point.share3), .share(point.share4),
                           .share(point.change?.share4), .decimal(point.change?.share4Test?.z), .flag(point.change?.share4Test?.significant),
                           ChangeArrow.share4(point.change).map { .text($0) } ?? .blank])
            }
        }
    }

    /// One row per channel (every channel together first) and theme, then the comments in no theme; the examples
    /// only for the quality team. Only the header row when the snapshot was taken without themes.
    func themes(_ snapshot: ReportSnapshot, audience: ReportAudience) {
        var columns: [(String, Double)] = [
            (t("رمز القناة", "Channel id"), 12), (t("القناة", "Channel"), 18), (t("رمز الموضوع", "Theme id"), 14), (t("الموضوع", "Theme"), 24),
            (t("الملاحظات", "Comments"), 10), (t("مع تقييم منخفض", "With low ratings"), 10), (t("نسبة التقييم المنخفض", "Share with low ratings"), 10),
        ]
        if audience == .quality {
            columns += (1...ThemeDigest.exampleLimit).map { (t("مثال \($0)", "Example \($0)"), 50) }
        }
        var sheet = self.sheet("Themes", columns: columns)
        guard let digest = snapshot.themes else { return }
        for group in [digest.all] + digest.channels {
            let id = group.channel ?? "all"
            let name = group.channel == nil ? t("جميع القنوات", "All channels") : snapshot.channelName(group.channel, t.language)
            func share(_ low: Int, _ comments: Int) -> Cell { comments > 0 ? .share(Double(low) / Double(comments)) : .blank }
            for theme in group.themes {
                var cells: [Cell] = [.text(id), .text(name), .text(theme.theme), .text(theme.label[t.language]), .integer(theme.comments),
                                     .integer(theme.lowRated), share(theme.lowRated, theme.comments)]
                if audience == .quality {
                    cells += (0..<ThemeDigest.exampleLimit).map { $0 < theme.examples.count ? .text(theme.examples[$0].text) : .blank }
                }
                sheet.row(cells, textFormat: wrap)
            }
            sheet.row([.text(id), .text(name), .text("unmatched"), .text(t("بلا موضوع", "No theme")), .integer(group.unmatched),
                       .integer(group.unmatchedLowRated), share(group.unmatchedLowRated, group.unmatched)], textFormat: wrap)
        }
    }

    func comments(_ snapshot: ReportSnapshot) {
        var sheet = self.sheet("Comments", columns: [
            (t("رمز المركز", "Centre id"), 10), (t("رمز القناة", "Channel id"), 12), (t("القناة", "Channel"), 18), (t("اليوم", "Day"), 11),
            (t("الخدمة", "Service"), 22), (t("متوسط التقييم", "Mean rating"), 9), (t("تقييم منخفض", "Low rating"), 9), (t("الملاحظة", "Comment"), 70),
        ])
        for entry in snapshot.comments.entries {
            sheet.row([.text(entry.centre), .text(entry.channel), .text(snapshot.channelName(entry.channel, t.language)), .text(entry.day),
                       entry.service.map { .text($0) } ?? .blank, .decimal(entry.mean), .flag(entry.lowRated), .text(entry.text)], textFormat: wrap)
        }
    }
}

private struct Sheet {
    let worksheet: UnsafeMutablePointer<lxw_worksheet>
    let book: Book
    var next: lxw_row_t = 0

    init(worksheet: UnsafeMutablePointer<lxw_worksheet>, book: Book) {
        self.worksheet = worksheet
        self.book = book
    }

    mutating func row(_ cells: [Cell], format: UnsafeMutablePointer<lxw_format>? = nil, textFormat: UnsafeMutablePointer<lxw_format>? = nil) {
        for (i, cell) in cells.enumerated() {
            let column = lxw_col_t(i)
            switch cell {
            case .text(let value): _ = worksheet_write_string(worksheet, next, column, value, format ?? textFormat)
            case .integer(let value): _ = worksheet_write_number(worksheet, next, column, Double(value), format ?? book.integer)
            case .share(let value?): _ = worksheet_write_number(worksheet, next, column, value, format ?? book.percent)
            case .decimal(let value?): _ = worksheet_write_number(worksheet, next, column, value, format ?? book.decimal)
            case .flag(let value?): _ = worksheet_write_boolean(worksheet, next, column, value ? 1 : 0, format)
            case .share(nil), .decimal(nil), .flag(nil), .blank: break
            }
        }
        next += 1
    }
}
