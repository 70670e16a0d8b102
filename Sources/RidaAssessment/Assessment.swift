import RidaSurvey

/// One assessment: a unit (a centre for framework 1, an entity for framework 2) against a framework, in a cycle (a year),
/// over an assessment period of quarters (by default the cycle's four; guide-notes decision 13).
public struct Assessment: Codable, Sendable, Hashable {
    /// When and by whom an assessment was closed, and the quarters its computed verdicts were frozen on.
    public struct Closing: Codable, Sendable, Hashable {
        public var at: Instant
        public var by: String
        /// The quarters of the period that had ended when it was closed: the ones its frozen verdicts rest on.
        public var quarters: [Quarter]

        public init(at: Instant, by: String, quarters: [Quarter]) {
            self.at = at
            self.by = by
            self.quarters = quarters
        }
    }

    /// `unit-cycle`, such as `C01-2026`.
    public var id: String
    public var framework: Framework
    /// The centre's id (framework 1) or the entity's (framework 2); for one entity serving at a centre run by the
    /// private sector or civil society, `centre@entity` (`C07@E03`), each such entity being assessed on its own.
    public var unit: String
    /// Framework 1 at a centre run by the private sector or civil society: the government entity assessed there, whose
    /// responses alone the assessment reads (guide-notes decision 15). Nil otherwise.
    public var entity: String?
    public var cycle: Int
    /// The assessment period's first and last quarters: the cycle's Q1 to Q4 unless another span was given at opening
    /// (the committee's plan, «الفترات الزمنية المشمولة ضمن دورة التقييم»).
    public var firstQuarter: Quarter
    public var lastQuarter: Quarter
    public var openedAt: Instant
    public var openedBy: String
    /// Nil while the assessment is open: its computed verdicts are provisional until it is closed.
    public var closing: Closing?

    public init(framework: Framework, unit: String, cycle: Int, openedAt: Instant, openedBy: String,
                period: ClosedRange<Quarter>? = nil, entity: String? = nil) {
        let unit = entity.map { Assessment.unit(centre: unit, entity: $0) } ?? unit
        self.id = Assessment.id(unit: unit, cycle: cycle)
        self.framework = framework
        self.unit = unit
        self.entity = entity
        self.cycle = cycle
        self.firstQuarter = period?.lowerBound ?? Quarter(year: cycle, number: 1)
        self.lastQuarter = period?.upperBound ?? Quarter(year: cycle, number: 4)
        self.openedAt = openedAt
        self.openedBy = openedBy
    }

    public static func id(unit: String, cycle: Int) -> String { "\(unit)-\(cycle)" }

    /// The unit of one entity serving at a centre assessed entity by entity.
    public static func unit(centre: String, entity: String) -> String { "\(centre)@\(entity)" }

    /// The centre a framework-1 assessment is of (its unit, without the entity); for framework 2, the entity.
    public var centre: String {
        guard let entity, unit.hasSuffix("@" + entity) else { return unit }
        return String(unit.dropLast(entity.count + 1))
    }

    /// Why a span of quarters cannot be an assessment period of `cycle`, if it cannot: it must run forwards, hold at
    /// most eight quarters, and include a quarter of the cycle.
    public static func periodProblem(_ period: ClosedRange<Quarter>, cycle: Int) -> String? {
        let length = (period.upperBound.year - period.lowerBound.year) * 4 + period.upperBound.number - period.lowerBound.number + 1
        if length > 8 { return "the period \(period.lowerBound)–\(period.upperBound) holds \(length) quarters; an assessment period holds at most eight" }
        if period.lowerBound.year > cycle || period.upperBound.year < cycle {
            return "the period \(period.lowerBound)–\(period.upperBound) holds no quarter of the cycle \(cycle)"
        }
        return nil
    }

    /// The quarters of the assessment period, in order.
    public var quarters: [Quarter] {
        var all: [Quarter] = []
        var quarter = firstQuarter
        while quarter <= lastQuarter {
            all.append(quarter)
            quarter = quarter.next
        }
        return all
    }

    /// The period in words: `2026-Q1–2026-Q4`.
    public var period: String { "\(firstQuarter)–\(lastQuarter)" }

    /// Whether the period is the cycle's four quarters.
    public var isWholeCycle: Bool { firstQuarter == Quarter(year: cycle, number: 1) && lastQuarter == Quarter(year: cycle, number: 4) }

    /// The quarters of the period that have ended at `now`: the ones the data rules look at. Once the assessment is
    /// closed, the quarters it was closed on.
    public func endedQuarters(at now: Instant, zone: DeploymentZone) -> [Quarter] {
        if let closing { return closing.quarters }
        return quarters.filter { zone.interval(of: $0).upperBound <= now }
    }

    /// Whether the assessment is closed: its computed verdicts are final.
    public var isClosed: Bool { closing != nil }
}
