import Foundation
import RidaAggregation
import RidaAssessment
import RidaSurvey

/// Who a rendered quarterly report is for.
public enum ReportAudience: String, Codable, Sendable, CaseIterable {
    /// The quality team: everything, comments and counter-level detail included.
    case quality
    /// The publishable version (framework 1, 2.3.4; framework 2, 3.2.6): the period, the method and the results
    /// per channel; no comments, no counter-level detail, no names of who acts.
    case `public`
}

/// The words and number formats the report's renderings (HTML, workbook) share, in Arabic and English.
struct ReportText {
    let language: Language

    var ar: Bool { language == .ar }

    func callAsFunction(_ arabic: String, _ english: String) -> String { ar ? arabic : english }

    /// Short names of q1 to q4, for tables and charts (the questions in full are in the methodology).
    func question(_ index: Int) -> String {
        let names = ar
            ? ["الموظف", "إنجاز الخدمة في الوقت المحدد", "دقة إنجاز الخدمة", "سهولة الوصول إلى القناة"]
            : ["Employee", "Service on time", "Service accuracy", "Channel access"]
        return names[index]
    }

    func scoreLabel(_ score: Int) -> String {
        Questionnaire.appendix3.scale.label(score)?[language] ?? "\(score)"
    }

    func title(_ snapshot: ReportSnapshot) -> String {
        self("تقرير قياس رضا المتعاملين الربعي", "Quarterly customer-satisfaction report")
    }

    func subjectLine(_ subject: ReportSubject) -> String {
        let id = subject.id ?? ""
        switch subject.kind {
        case .all: return self("جميع المراكز", "All centres")
        case .centre: return subject.name.map { "\($0[language]) (\(id))" } ?? self("المركز", "Centre") + " " + id
        case .entity: return subject.name.map { "\($0[language]) (\(id))" } ?? self("الجهة", "Entity") + " " + id
        }
    }

    /// `2026-01-01 – 2026-03-31`.
    func period(_ quarter: Quarter) -> String {
        let last = CivilDate(daysSince1970: quarter.next.firstDay.daysSince1970 - 1)
        return "\(quarter.firstDay.iso8601) – \(last.iso8601)"
    }

    func verdict(_ met: Bool?, _ confidence: Confidence) -> String {
        switch confidence {
        case .met: return self("متحقق", "met")
        case .notMet: return self("غير متحقق", "not met")
        case .inconclusive: return met == true ? self("متحقق، دون يقين", "met, not certain") : self("غير متحقق، دون يقين", "not met, not certain")
        case .tooFewResponses: return self("ردود غير كافية", "too few responses")
        }
    }

    var thresholdNames: [String] {
        [self("3 فأكثر في 80%", "3+ in 80%"), self("4 فأكثر في 80%", "4+ in 80%"), self("المتوسط 4 فأكثر", "mean ≥ 4")]
    }

    var thresholdCriteria: [String] { ["2.3.2", "2.3.3", "3.2.5"] }

    func status(_ status: ReportStatus) -> String {
        switch status {
        case .draft: return self("مسودة", "draft")
        case .submitted: return self("مقدّم", "submitted")
        case .published: return self("منشور", "published")
        }
    }

    func actionStatus(_ status: ReportAction.Status) -> String {
        switch status {
        case .open: self("قائم", "open")
        case .inProgress: self("قيد التنفيذ", "in progress")
        case .done: self("منجز", "done")
        case .dropped: self("أُلغي", "dropped")
        }
    }
}

/// Number formats: Western digits in both languages, a point for decimals, as the guide's own tables write them.
enum ReportNumber {
    /// A count with a comma between thousands, `5,130`: Western digits, as the other numbers.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// A channel's reach in a sentence: "412 responses from 5,130 customers served (8.0%)"; without a rate when no
    /// customer was counted.
    static func reach(_ item: ChannelReach) -> String {
        let responses = "\(count(item.responses)) \(item.responses == 1 ? "response" : "responses")"
        var text = responses
        if let served = item.customersServed {
            let rate = item.responseRate.map { " (\($0.percentText)%)" } ?? ""
            text += " from \(count(served)) \(served == 1 ? "customer" : "customers") served\(rate)"
        }
        if let invitations = invitations(item) { text += "; " + invitations }
        return text
    }

    /// "500 invitations sent, 210 opened, 160 answered (32.0%)", or nil when none was sent.
    static func invitations(_ item: ChannelReach) -> String? {
        guard let sent = item.invitationsSent, sent > 0 else { return nil }
        let rate = item.invitationRate.map { " (\($0.percentText)%)" } ?? ""
        return "\(count(sent)) invitation\(sent == 1 ? "" : "s") sent, \(count(item.invitationsOpened ?? 0)) opened, "
            + "\(count(item.invitationsAnswered ?? 0)) answered\(rate)"
    }
    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.1f%%", $0 * 100) } ?? "–"
    }

    static func mean(_ value: Double?) -> String {
        value.map { String(format: "%.2f", $0) } ?? "–"
    }

    /// A change of a share, in percentage points: `+3.2`.
    static func points(_ value: Double?) -> String {
        value.map { String(format: "%+.1f", $0 * 100) } ?? "–"
    }

    static func signedMean(_ value: Double?) -> String {
        value.map { String(format: "%+.2f", $0) } ?? "–"
    }

    static func interval(_ interval: Interval?, percent: Bool) -> String {
        guard let interval else { return "" }
        return percent
            ? String(format: "%.1f–%.1f%%", interval.low * 100, interval.high * 100)
            : String(format: "%.2f–%.2f", interval.low, interval.high)
    }

    static func integer(_ value: Int) -> String { "\(value)" }
}

/// The direction of a significant change, or none.
enum ChangeArrow {
    /// ▲ or ▼ when the two-proportion test of the share of ratings 4–5 is significant at 95%; nil otherwise.
    static func share4(_ change: Change?) -> String? {
        guard let test = change?.share4Test, test.significant else { return nil }
        return test.z > 0 ? "▲" : "▼"
    }
}
