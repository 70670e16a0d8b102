import RidaSurvey

/// What the forms describe besides the criteria, in the evaluation team's words (guide-notes decision 16): appendix 5's
/// descriptive evaluation («التقييم الوصفي … نقاط القوة والجوانب التي تحتاج إلى تطوير») and appendix 6's excellence in the
/// channels the entity adopted and the services offered through them («جوانب التميز في القنوات … بالإضافة إلى الخدمات التي تقدم من خلالها»).
public enum DescriptionItem: String, Codable, Sendable, CaseIterable {
    /// Appendix 5: the centre's strengths.
    case strengths
    /// Appendix 5: the aspects that need development.
    case development
    /// Appendix 6: the excellence of the channels the entity adopted.
    case channelStrengths
    /// Appendix 6: the services offered through them.
    case services

    /// The framework whose form carries the item.
    public var framework: Framework {
        switch self {
        case .strengths, .development: .headquarters
        case .channelStrengths, .services: .remote
        }
    }

    public var name: LocalizedText {
        switch self {
        case .strengths: LocalizedText(ar: "نقاط القوة", en: "Strengths")
        case .development: LocalizedText(ar: "الجوانب التي تحتاج إلى تطوير", en: "Areas to develop")
        case .channelStrengths: LocalizedText(ar: "جوانب التميز في القنوات المعتمدة", en: "Excellence of the channels adopted")
        case .services: LocalizedText(ar: "الخدمات التي تقدم من خلالها", en: "Services offered through them")
        }
    }

    /// The spelling on the command line, in a checklist's criterion column and in the HTTP body.
    public var spelling: String {
        switch self {
        case .strengths: "strengths"
        case .development: "areas-to-develop"
        case .channelStrengths: "channel-strengths"
        case .services: "services"
        }
    }

    /// Reads `strengths`, `areas-to-develop` (or `development`), `channel-strengths`, `services`.
    public init?(text: String) {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-")
        switch key {
        case "strengths": self = .strengths
        case "areas-to-develop", "development", "areastodevelop": self = .development
        case "channel-strengths", "channelstrengths": self = .channelStrengths
        case "services": self = .services
        default: return nil
        }
    }

    /// The items of a framework's form.
    public static func of(_ framework: Framework) -> [DescriptionItem] { allCases.filter { $0.framework == framework } }
}

/// One recorded text of the descriptive evaluation; the latest per item counts, and none is ever changed.
public struct DescriptionEntry: Codable, Sendable, Hashable {
    public var sequence: Int64
    public var assessment: String
    public var item: DescriptionItem
    public var text: String
    public var evaluator: String
    public var at: Instant

    public init(sequence: Int64 = 0, assessment: String, item: DescriptionItem, text: String, evaluator: String, at: Instant) {
        self.sequence = sequence
        self.assessment = assessment
        self.item = item
        self.text = text
        self.evaluator = evaluator
        self.at = at
    }

    /// What is wrong with the entry for an assessment of `framework`, every problem at once: the item, its text, its
    /// evaluator.
    public func problems(framework: Framework) -> [Problem] {
        var problems: [Problem] = []
        if item.framework != framework {
            let items = DescriptionItem.of(framework).map(\.spelling).joined(separator: ", ")
            problems.append(Problem(field: item.spelling, reason: "is on the other framework's form: framework \(framework)'s form describes \(items)"))
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append(Problem(field: item.spelling, reason: "the text is empty")) }
        if evaluator.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(Problem(field: item.spelling, reason: "the evaluator's name is missing")) }
        return problems
    }
}
