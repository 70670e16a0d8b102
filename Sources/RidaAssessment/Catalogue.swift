import Foundation
import RidaSurvey

/// The guide's two frameworks of criteria.
public enum Framework: Int, Codable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Framework 1: a service centre's headquarters (المقر), assessed centre by centre.
    case headquarters = 1
    /// Framework 2: a government entity's remote service centre (عن بعد), assessed entity by entity.
    case remote = 2

    public var description: String { "\(rawValue)" }

    public static func < (lhs: Framework, rhs: Framework) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Framework 1's two tiers: basic criteria give the silver shield, all criteria the gold one.
public enum Tier: String, Codable, Sendable, CaseIterable {
    case basic
    case advanced
}

/// How a criterion is decided: computed from the data Rida holds, or recorded by an evaluator from evidence.
public enum DecidedBy: String, Codable, Sendable {
    case data
    case evidence
}

/// One criterion of the guide, as the catalogue carries it.
public struct Criterion: Codable, Sendable, Hashable, Identifiable {
    /// `category.subcategory.n`, such as `2.3.2`.
    public var id: String
    public var framework: Framework
    public var category: String
    public var subcategory: String
    /// Framework 1 only.
    public var tier: Tier?
    /// Framework 2 only: false for the starred criteria (3.3.3, 3.3.4) and 2.3.5.
    public var binding: Bool?
    /// The guide's Arabic words and an English rendering.
    public var text: LocalizedText
    public var decidedBy: DecidedBy
    /// What the catalogue says about the text (mended extraction damage, differing copies), in English.
    public var note: String?
    /// For the few criteria whose whole text is conditional (framework 1's 2.1.1 and 2.1.3, framework 2's 3.1.1):
    /// the condition, in the guide's words. Only these may be recorded not applicable (guide-notes decision 12).
    public var condition: LocalizedText?

    /// Whether the criterion may be recorded not applicable: only when its whole text is conditional.
    public var mayBeNotApplicable: Bool { condition != nil }

    /// Whether the criterion counts towards the framework's top classification:
    /// every criterion of framework 1, the binding ones of framework 2.
    public var counts: Bool { binding ?? true }
}

/// A subcategory: a numbered group of criteria inside a category.
public struct Subcategory: Codable, Sendable, Hashable {
    public var id: String
    public var name: LocalizedText
    public var criteria: [Criterion]
}

/// A category of a framework.
public struct Category: Codable, Sendable, Hashable {
    public var id: String
    public var name: LocalizedText
    public var subcategories: [Subcategory]
}

/// One framework's criteria, in the guide's order.
public struct FrameworkCatalogue: Sendable, Hashable {
    public var framework: Framework
    public var name: LocalizedText
    public var categories: [Category]

    /// Every criterion, in the guide's order.
    public var criteria: [Criterion] { categories.flatMap { $0.subcategories.flatMap(\.criteria) } }

    /// The criterion with `id`, if the framework has it.
    public func criterion(_ id: String) -> Criterion? {
        for category in categories {
            for sub in category.subcategories {
                if let found = sub.criteria.first(where: { $0.id == id }) { return found }
            }
        }
        return nil
    }

    /// The subcategory with `id`.
    public func subcategory(_ id: String) -> Subcategory? {
        categories.lazy.flatMap(\.subcategories).first { $0.id == id }
    }

    /// Reads a framework file (`catalogue/framework-N.json`).
    public static func decode(_ data: Data) throws -> FrameworkCatalogue {
        let file = try JSONDecoder().decode(CatalogueFile.self, from: data)
        guard let framework = Framework(rawValue: file.framework) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "framework \(file.framework) is not 1 or 2"))
        }
        let categories = file.categories.map { category in
            Category(id: category.id, name: category.name, subcategories: category.subcategories.map { sub in
                Subcategory(id: sub.id, name: sub.name, criteria: sub.criteria.map { c in
                    Criterion(id: c.id, framework: framework, category: category.id, subcategory: sub.id,
                              tier: c.tier, binding: c.binding, text: c.text, decidedBy: c.decidedBy, note: c.note?["en"],
                              condition: c.condition)
                })
            })
        }
        return FrameworkCatalogue(framework: framework, name: file.name, categories: categories)
    }
}

/// The guide's catalogue: both frameworks, as built into Rida from `catalogue/`.
public struct Catalogue: Sendable, Hashable {
    public var frameworks: [FrameworkCatalogue]

    public init(frameworks: [FrameworkCatalogue]) {
        self.frameworks = frameworks
    }

    /// The framework's criteria.
    public subscript(_ framework: Framework) -> FrameworkCatalogue {
        frameworks.first { $0.framework == framework }!
    }

    /// The catalogue shipped with Rida (`catalogue/framework-1.json` and `framework-2.json`, embedded).
    public static let standard: Catalogue = {
        do {
            return Catalogue(frameworks: [
                try FrameworkCatalogue.decode(Data(StandardCatalogue.framework1.utf8)),
                try FrameworkCatalogue.decode(Data(StandardCatalogue.framework2.utf8)),
            ])
        } catch {
            preconditionFailure("the embedded catalogue does not decode: \(error); run scripts/embed-catalogue")
        }
    }()
}

/// The shape of a `catalogue/framework-N.json` file.
private struct CatalogueFile: Decodable {
    struct CriterionEntry: Decodable {
        var id: String
        var tier: Tier?
        var binding: Bool?
        var text: LocalizedText
        var decidedBy: DecidedBy
        var note: [String: String]?
        var condition: LocalizedText?
    }
    struct SubcategoryEntry: Decodable {
        var id: String
        var name: LocalizedText
        var criteria: [CriterionEntry]
    }
    struct CategoryEntry: Decodable {
        var id: String
        var name: LocalizedText
        var subcategories: [SubcategoryEntry]
    }
    var framework: Int
    var name: LocalizedText
    var categories: [CategoryEntry]
}
