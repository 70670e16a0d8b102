import RidaSurvey

/// A government entity: framework 2 assesses it through its one remote centre.
public struct Entity: Codable, Sendable, Hashable {
    public var id: String
    public var nameAr: String?
    public var nameEn: String?

    public init(id: String, nameAr: String? = nil, nameEn: String? = nil) {
        self.id = id
        self.nameAr = nameAr
        self.nameEn = nameEn
    }

    public func name(_ language: Language) -> String {
        (language == .ar ? nameAr ?? nameEn : nameEn ?? nameAr) ?? id
    }
}

/// Whether a centre is a headquarters (framework 1) or an entity's remote service centre (framework 2).
public enum CentreKind: String, Codable, Sendable, CaseIterable {
    case headquarters
    case remote
}

/// Who runs a centre (guide-notes decision 15). A centre run by the private sector or by civil society is assessed
/// entity by entity: «أما في حالة كون المركز يدار من قبل القطاع الخاص أو إحدى مؤسسات المجتمع المدني فإن كل جهة حكومية
/// تقدم خدماتها عبر هذا المقر تقيّم على حدة».
public enum CentreOperator: String, Codable, Sendable, CaseIterable {
    case government
    case privateSector = "private"
    case civilSociety = "civil-society"

    /// Whether each government entity serving at the centre is assessed on its own.
    public var assessesEntitiesSeparately: Bool { self != .government }
}

/// Why the guide leaves a centre out of its assessment (guide-notes decision 15).
public enum CentreExclusion: String, Codable, Sendable, CaseIterable {
    case health
    case financial
    case education
    case temporary

    /// The guide's own words for the exclusion (its section on the scope of the evaluation).
    public var guideText: String {
        switch self {
        case .temporary:
            "«واستثنى من ذلك المراكز التي يتم تشكيلها لتقديم خدمات حكومية مؤقتة ولفتره وجيزه»"
        case .health, .financial, .education:
            "«ويستثنى من التقييم بحسب الدليل مراكز خدمة العملاء الحكومية التابعة للقطاع الصحي، المالي والمصرفي، والتعليمي التي تخضع للتقييم الدوري من قبل جهات متخصصة في مجال عملها وتعمل بحسب اشتراطات وسياسات تنظيمية خاصة»"
        }
    }

    /// The exclusion in English, for the sentence that refuses an assessment.
    public var summary: String {
        switch self {
        case .health: "a health-sector centre"
        case .financial: "a financial or banking centre"
        case .education: "an education-sector centre"
        case .temporary: "a temporary centre, set up for a short time"
        }
    }
}

/// A service centre, as the registry knows it.
public struct Centre: Codable, Sendable, Hashable {
    public var id: String
    /// Nil for a centre first seen in an import, until someone says which entity it belongs to.
    public var entity: String?
    public var nameAr: String?
    public var nameEn: String?
    /// Nil for a centre first seen in an import, until someone says.
    public var kind: CentreKind?
    /// The channels the centre serves, by channel id.
    public var channels: [String]
    /// Who runs it; nil where the registry has not been told (a government entity, its `entity`, is then assumed).
    public var `operator`: CentreOperator?
    /// The government entities serving at the centre, by entity id: each is assessed on its own when the centre is run
    /// by the private sector or civil society.
    public var servingEntities: [String]
    /// Why the guide leaves the centre out of its assessment, if it does.
    public var exclusion: CentreExclusion?

    public init(id: String, entity: String? = nil, nameAr: String? = nil, nameEn: String? = nil,
                kind: CentreKind? = nil, channels: [String] = [], operator: CentreOperator? = nil,
                servingEntities: [String] = [], exclusion: CentreExclusion? = nil) {
        self.id = id
        self.entity = entity
        self.nameAr = nameAr
        self.nameEn = nameEn
        self.kind = kind
        self.channels = channels
        self.operator = `operator`
        self.servingEntities = servingEntities
        self.exclusion = exclusion
    }

    /// Whether the guide assesses each entity serving at the centre on its own (a centre run by the private sector or
    /// civil society) rather than the centre once.
    public var assessesEntitiesSeparately: Bool { `operator`?.assessesEntitiesSeparately ?? false }

    /// What is wrong with who runs the centre and who serves there, every problem at once (none
    /// names one field: each is about how the centre's fields go together).
    public var operatorProblems: [Problem] {
        var problems: [Problem] = []
        if assessesEntitiesSeparately {
            if kind == .remote {
                problems.append(Problem(reason: "\(id) is a remote centre: an entity's remote centre is its own, and only a headquarters centre run by the private sector or civil society is assessed entity by entity"))
            }
            if servingEntities.isEmpty {
                problems.append(Problem(reason: "\(id) is run by \(`operator`?.rawValue ?? "?"): it needs the government entities serving there (--serves E01,E02), each assessed on its own"))
            }
        }
        let repeated = Dictionary(grouping: servingEntities, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        if !repeated.isEmpty { problems.append(Problem(reason: "\(id) lists \(repeated.joined(separator: ", ")) more than once among the entities serving there")) }
        return problems
    }

    /// What the registry still needs to know about this centre.
    public var missing: [String] {
        var missing: [String] = []
        if entity == nil { missing.append("entity") }
        if kind == nil { missing.append("kind") }
        if channels.isEmpty { missing.append("channels") }
        return missing
    }

    public func name(_ language: Language) -> String {
        (language == .ar ? nameAr ?? nameEn : nameEn ?? nameAr) ?? id
    }

    /// What is wrong with the centre's channels for this deployment, every problem at once, each about the field
    /// `channels`: channels the deployment does not have, and channels of the other kind (a headquarters centre serves headquarters channels, a remote centre
    /// remote ones: framework 1 counts the first, framework 2 the second).
    public func channelProblems(in catalog: ChannelCatalog) -> [Problem] {
        var problems: [Problem] = []
        let unknown = channels.filter { catalog.channel($0) == nil }
        if !unknown.isEmpty {
            let known = catalog.channels.map(\.id).joined(separator: ", ")
            problems.append(Problem(field: "channels", reason: "\(unknown.joined(separator: ", ")) \(unknown.count == 1 ? "is not a channel" : "are not channels") of this deployment (known: \(known))"))
        }
        if let kind {
            let wanted: ChannelKind = kind == .headquarters ? .headquarters : .remote
            let other = channels.filter { catalog.channel($0).map { $0.kind != wanted } ?? false }
            if !other.isEmpty {
                let fitting = catalog.channels.filter { $0.kind == wanted }.map(\.id).joined(separator: ", ")
                problems.append(Problem(field: "channels", reason: "\(id) is a \(kind.rawValue) centre but \(other.joined(separator: ", ")) \(other.count == 1 ? "is a channel" : "are channels") of the other kind (\(kind.rawValue) channels: \(fitting))"))
            }
        }
        return problems
    }
}

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

/// The registry of entities and centres, and what it still lacks.
public struct Registry: Sendable {
    public var entities: [Entity]
    public var centres: [Centre]

    public init(entities: [Entity], centres: [Centre]) {
        self.entities = entities
        self.centres = centres
    }

    /// What to complete, one sentence each: centres lacking their entity, kind or channels; entities without their remote centre.
    public var problems: [String] {
        var problems: [String] = []
        for centre in centres where !centre.missing.isEmpty {
            problems.append("centre \(centre.id) needs its \(centre.missing.joined(separator: ", ")): rida centres add \(centre.id) --entity … --kind … --channels …")
        }
        for entity in entities where !centres.contains(where: { $0.entity == entity.id && $0.kind == .remote }) {
            problems.append("entity \(entity.id) has no remote centre (each entity has exactly one): rida centres add ID --entity \(entity.id) --kind remote --channels …")
        }
        return problems
    }
}
