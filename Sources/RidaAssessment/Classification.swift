import RidaSurvey

/// The guide's classifications (tables 3 and 4).
public enum Shield: String, Codable, Sendable, CaseIterable {
    /// Framework 1, second class: every basic criterion met.
    case silver
    /// Framework 1, first class: every criterion, basic and advanced, met.
    case gold
    /// Framework 2, first class: every binding criterion met.
    case remoteService

    public var name: LocalizedText {
        switch self {
        case .silver: LocalizedText(ar: "الدرع الفضي (الفئة الثانية)", en: "silver shield (second class)")
        case .gold: LocalizedText(ar: "الدرع الذهبي (الفئة الأولى)", en: "gold shield (first class)")
        case .remoteService: LocalizedText(ar: "درع الخدمة عن بعد (الفئة الأولى)", en: "remote-service shield (first class)")
        }
    }

    /// The criteria a shield requires.
    public func requires(_ criterion: Criterion) -> Bool {
        switch self {
        case .silver: criterion.tier == .basic
        case .gold: true
        case .remoteService: criterion.binding == true
        }
    }

    /// The shields of a framework, lowest first.
    public static func ladder(_ framework: Framework) -> [Shield] {
        framework == .headquarters ? [.silver, .gold] : [.remoteService]
    }
}

/// Where a unit stands: the shield reached, and what stands between it and the next.
///
/// A criterion counts as satisfied when it is met or not applicable (a reason is always recorded for the latter);
/// not met and pending criteria block every shield that requires them.
public struct Classification: Codable, Sendable, Hashable {
    /// One shield's tally.
    public struct Standing: Codable, Sendable, Hashable {
        public var shield: Shield
        /// How many criteria the shield requires.
        public var required: Int
        public var met: Int
        public var notApplicable: Int
        /// The criteria that block it, by id.
        public var notMet: [String]
        public var pending: [String]

        public var reached: Bool { notMet.isEmpty && pending.isEmpty }
        public var satisfied: Int { met + notApplicable }

        /// The tally with not applicable counted apart: `93 met and 1 not applicable of 94`.
        public var tally: String {
            "\(met) met" + (notApplicable > 0 ? " and \(notApplicable) not applicable" : "") + " of \(required)"
        }

        /// The same in Arabic: `93 مستوفى و1 لا ينطبق من 94`.
        public var tallyAr: String {
            "\(met) مستوفى" + (notApplicable > 0 ? " و\(notApplicable) لا ينطبق" : "") + " من \(required)"
        }
    }

    public var framework: Framework
    /// The highest shield reached; nil when none is.
    public var reached: Shield?
    /// The next shield up, nil when the top one is reached.
    public var next: Shield?
    /// Every shield of the framework, lowest first.
    public var standings: [Standing]
    /// True while the assessment is open: its data verdicts are provisional, and so is the shield.
    public var provisional: Bool

    public init(framework: Framework, verdicts: [(Criterion, Verdict)], provisional: Bool = false) {
        self.framework = framework
        self.provisional = provisional
        standings = Shield.ladder(framework).map { shield in
            var standing = Standing(shield: shield, required: 0, met: 0, notApplicable: 0, notMet: [], pending: [])
            for (criterion, verdict) in verdicts where shield.requires(criterion) {
                standing.required += 1
                switch verdict {
                case .met: standing.met += 1
                case .notApplicable: standing.notApplicable += 1
                case .notMet: standing.notMet.append(criterion.id)
                case .pending: standing.pending.append(criterion.id)
                }
            }
            return standing
        }
        // The ladder is cumulative: gold requires everything silver does.
        reached = standings.prefix { $0.reached }.last?.shield
        next = standings.first { !$0.reached }?.shield
    }

    public func standing(_ shield: Shield) -> Standing? { standings.first { $0.shield == shield } }
}
