import RidaSurvey

// The centre registry: government entities, centres (who runs them, the entities serving there, the guide's
// exclusions) and the registry as a whole. The store keeps it (`RegistryStore`).

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
    /// `channels`: channels the deployment does not have, and channels of the other kind (a headquarters centre serves
    /// headquarters channels, a remote centre remote ones: framework 1 counts the first, framework 2 the second).
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

/// The registry of entities and centres, and what it still lacks.
public struct Registry: Sendable {
    public var entities: [Entity]
    public var centres: [Centre]

    public init(entities: [Entity], centres: [Centre]) {
        self.entities = entities
        self.centres = centres
    }

    /// What to complete, each a problem and the step that completes it (the command line names its command):
    /// centres lacking their entity, kind or channels; entities without their remote centre.
    public var gaps: [(problem: Problem, next: NextStep)] {
        var gaps: [(problem: Problem, next: NextStep)] = []
        for centre in centres where !centre.missing.isEmpty {
            gaps.append((Problem(reason: "centre \(centre.id) needs its \(centre.missing.joined(separator: ", "))"), .completeCentre(centre.id)))
        }
        for entity in entities where !centres.contains(where: { $0.entity == entity.id && $0.kind == .remote }) {
            gaps.append((Problem(reason: "entity \(entity.id) has no remote centre (each entity has exactly one)"), .registerRemoteCentre(entity: entity.id)))
        }
        return gaps
    }
}
