import RidaSurvey

/// When a response opens a follow-up case (issue 16 point 1): a rating at or below `score`, or a comment holding one of
/// the centre's terms, from a customer who agreed to be contacted and said how. Set in the `cases.*` settings.
///
/// ```swift
/// let policy = FollowUpPolicy(score: 2, terms: ["*": ["rude", "وقح"]])
/// policy.reason(for: response)   // "rated 2 or lower", "the comment says \"rude\"", or nil: no case
/// ```
public struct FollowUpPolicy: Sendable {
    /// A rating of this or lower, on any of q1 to q4, opens a case; 0 opens none for ratings.
    public var score: Int
    /// Terms, by centre id (`*` for every centre), that open a case when a comment holds one, matched as comment themes
    /// are (`ThemeText`: whole words, Arabic without diacritics, tatweel or hamza forms, English stems).
    public var terms: [String: [String]] {
        didSet { matchers = Self.matchers(terms) }
    }
    /// Working days from the day a case opens to the end of the day it is due.
    public var dueWorkingDays: Int
    /// The deployment's weekend and holidays.
    public var calendar: WorkingCalendar
    /// Days a finished case keeps the customer's contact details before they are erased.
    public var retentionDays: Int

    private var matchers: [String: ThemeMatcher]

    public init(score: Int = 2, terms: [String: [String]] = [:], dueWorkingDays: Int = 3,
                calendar: WorkingCalendar = WorkingCalendar(), retentionDays: Int = 30) {
        self.score = score
        self.terms = terms
        self.dueWorkingDays = dueWorkingDays
        self.calendar = calendar
        self.retentionDays = retentionDays
        matchers = Self.matchers(terms)
    }

    private static func matchers(_ terms: [String: [String]]) -> [String: ThemeMatcher] {
        terms.mapValues { list in
            ThemeMatcher(ThemeLexicon(name: "cases.terms", themes: list.map {
                Theme(id: $0, label: LocalizedText(ar: $0, en: $0), arabicTerms: [$0], englishTerms: [])
            }))
        }
    }

    /// Why `response` opens a case, or nil when it does not: it opens one only when the customer agreed to be contacted.
    public func reason(for response: SurveyResponse) -> String? {
        guard response.contact != nil else { return nil }
        if score > 0, response.ratings.contains(where: { ($0 ?? .max) <= score }) {
            return "rated \(score) or lower"
        }
        if let comment = response.comment {
            for centre in [response.centre, "*"] {
                if let term = matchers[centre]?.themes(of: comment).first { return "the comment says \"\(term)\"" }
            }
        }
        return nil
    }

    /// When a case opened at `opened` is due: the end of the `dueWorkingDays`-th working day after the day it opened,
    /// in the deployment's zone.
    public func due(openedAt opened: Instant, zone: DeploymentZone) -> Instant {
        calendar.endOfWorkingDay(dueWorkingDays, after: zone.date(at: opened), zone: zone)
    }

    /// The instant before which a finished case's contact details are erased, at `now`.
    public func erasureCutoff(at now: Instant) -> Instant {
        Instant(millisecondsSince1970: now.millisecondsSince1970 - Int64(retentionDays) * 86_400_000)
    }
}

/// The days nobody works: a weekend (Friday and Saturday in Bahrain) and the deployment's holidays.
public struct WorkingCalendar: Sendable, Hashable {
    /// Days of the week off, 0 for Sunday to 6 for Saturday.
    public var weekend: Set<Int>
    public var holidays: Set<CivilDate>

    public init(weekend: Set<Int> = [5, 6], holidays: Set<CivilDate> = []) {
        self.weekend = weekend
        self.holidays = holidays
    }

    /// The names the `cases.weekend` setting uses, Sunday first.
    public static let dayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    /// 0 for Sunday to 6 for Saturday (1 January 1970 was a Thursday).
    public static func weekday(_ date: CivilDate) -> Int {
        Int(((date.daysSince1970 + 4) % 7 + 7) % 7)
    }

    public func isWorkingDay(_ date: CivilDate) -> Bool {
        !weekend.contains(Self.weekday(date)) && !holidays.contains(date)
    }

    /// The end (the next day's midnight) of the `count`-th working day after `date`, in `zone`. With no working day
    /// in a year (a calendar set wrong), a year after `date`.
    public func endOfWorkingDay(_ count: Int, after date: CivilDate, zone: DeploymentZone) -> Instant {
        var day = date.daysSince1970
        var left = max(count, 0)
        var steps = 0
        while left > 0, steps < 366 {
            day += 1
            steps += 1
            if isWorkingDay(CivilDate(daysSince1970: day)) { left -= 1 }
        }
        return zone.startOfDay(CivilDate(daysSince1970: day + 1))
    }
}

/// Where a case stands. Open → contacted → resolved, or closed without contact (with a reason); resolved and closed end
/// it.
public enum CaseStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case open
    case contacted
    case resolved
    case closed

    public var isFinished: Bool { self == .resolved || self == .closed }

    /// Whether a case may move from `self` to `next`.
    public func allows(_ next: CaseStatus) -> Bool {
        switch (self, next) {
        case (.open, .contacted), (.open, .resolved), (.open, .closed), (.contacted, .resolved), (.contacted, .closed): true
        default: false
        }
    }
}

/// A follow-up case: a customer who was unhappy, or said something the centre watches for, and asked to be contacted.
public struct FollowUpCase: Sendable, Hashable, Codable {
    public var id: Int64
    public var responseID: String
    public var centre: String
    public var channel: String
    /// The quarter of the response, which the report counts the case in.
    public var quarter: Quarter
    /// Why it opened (`FollowUpPolicy.reason(for:)`).
    public var reason: String
    public var openedAt: Instant
    public var dueAt: Instant
    public var status: CaseStatus
    public var owner: String?
    /// When it was resolved or closed.
    public var finishedAt: Instant?
    /// Why it was closed without contact.
    public var closeReason: String?
    /// The customer's contact details: nil once erased (`erasedAt`). Shown only to whoever follows the case up.
    public var contact: FollowUpContact?
    public var erasedAt: Instant?

    public init(id: Int64, responseID: String, centre: String, channel: String, quarter: Quarter, reason: String,
                openedAt: Instant, dueAt: Instant, status: CaseStatus = .open, owner: String? = nil,
                finishedAt: Instant? = nil, closeReason: String? = nil, contact: FollowUpContact? = nil, erasedAt: Instant? = nil) {
        self.id = id
        self.responseID = responseID
        self.centre = centre
        self.channel = channel
        self.quarter = quarter
        self.reason = reason
        self.openedAt = openedAt
        self.dueAt = dueAt
        self.status = status
        self.owner = owner
        self.finishedAt = finishedAt
        self.closeReason = closeReason
        self.contact = contact
        self.erasedAt = erasedAt
    }

    /// Whether it is late at `now`: finished after its due time, or not finished and past it.
    public func isLate(at now: Instant) -> Bool {
        if let finishedAt { return finishedAt > dueAt }
        return now > dueAt
    }
}

/// One thing done to a case, kept for good: who, when, what changed, and their note.
public struct CaseEvent: Sendable, Hashable, Codable {
    public var at: Instant
    public var who: String
    /// `opened`, `assigned`, a status (`contacted`, `resolved`, `closed`), `note` or `erased`.
    public var action: String
    public var detail: String?

    public init(at: Instant, who: String, action: String, detail: String?) {
        self.at = at
        self.who = who
        self.action = action
        self.detail = detail
    }
}

/// A change to a case: any of a new owner, a new status, a note. Closing needs `closeReason`.
public struct CaseChange: Sendable, Hashable {
    public var owner: String?
    public var status: CaseStatus?
    public var note: String?
    public var closeReason: String?

    public init(owner: String? = nil, status: CaseStatus? = nil, note: String? = nil, closeReason: String? = nil) {
        self.owner = owner
        self.status = status
        self.note = note
        self.closeReason = closeReason
    }
}

/// Which cases to list.
public struct CaseQuery: Sendable, Hashable {
    public var centre: String?
    public var status: CaseStatus?
    public var owner: String?
    public var quarter: Quarter?
    public var limit: Int

    public init(centre: String? = nil, status: CaseStatus? = nil, owner: String? = nil, quarter: Quarter? = nil, limit: Int = 200) {
        self.centre = centre
        self.status = status
        self.owner = owner
        self.quarter = quarter
        self.limit = limit
    }
}

/// A quarter's cases of one centre and channel, as the report shows them at `asOf`.
public struct CaseCount: Sendable, Hashable, Codable {
    public var centre: String
    public var channel: String
    public var opened: Int
    /// Resolved, or closed without contact, by their due time.
    public var inTime: Int
    /// Finished after their due time, or still unfinished past it.
    public var late: Int
    /// Not finished and not due yet.
    public var pending: Int

    public init(centre: String, channel: String, opened: Int, inTime: Int, late: Int, pending: Int) {
        self.centre = centre
        self.channel = channel
        self.opened = opened
        self.inTime = inTime
        self.late = late
        self.pending = pending
    }
}
