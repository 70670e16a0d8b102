import ArgumentParser
import Foundation
import RidaAssessment
import RidaReports
import RidaSurvey

struct CriteriaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "criteria",
        abstract: "The guide's criteria: framework 1 (headquarters, basic and advanced) and framework 2 (remote).",
        subcommands: [List.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the criteria, with their tier or binding flag and how each is decided.",
            discussion: "The catalogue is built into rida from catalogue/framework-1.json and framework-2.json (catalogue/README.md)."
        )

        @Option(help: "1 (headquarters) or 2 (remote); both when omitted.")
        var framework: Int?

        @Option(help: "basic or advanced (framework 1).")
        var tier: Tier?

        @OptionGroup var language: LanguageOption

        var lang: Language { language.lang }

        @OptionGroup var listing: ListingFormat

        var format: OutputFormat { listing.format }

        func validate() throws {
            if let framework, Framework(rawValue: framework) == nil { throw ValidationError("--framework must be 1 or 2.") }
        }

        func run() async throws {
            let frameworks = framework.flatMap(Framework.init(rawValue:)).map { [$0] } ?? Framework.allCases
            var criteria: [Criterion] = []
            for f in frameworks {
                criteria += Catalogue.standard[f].criteria.filter { tier == nil || $0.tier == tier }
            }
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(criteria), as: UTF8.self))
            case .text:
                var out = ""
                for f in frameworks {
                    let catalogue = Catalogue.standard[f]
                    let chosen = criteria.filter { $0.framework == f }
                    guard !chosen.isEmpty else { continue }
                    out += "\(lang == .ar ? "الإطار" : "Framework") \(f.rawValue): \(catalogue.name[lang]) — \(chosen.count) \(lang == .ar ? "معياراً" : "criteria")\n"
                    for category in catalogue.categories {
                        let inCategory = chosen.filter { $0.category == category.id }
                        guard !inCategory.isEmpty else { continue }
                        out += "\n\(category.id) \(category.name[lang])\n"
                        for sub in category.subcategories {
                            let lines = inCategory.filter { $0.subcategory == sub.id }
                            guard !lines.isEmpty else { continue }
                            out += "  \(sub.id) \(sub.name[lang])\n"
                            for c in lines {
                                let flag = c.tier.map { lang == .ar ? ($0 == .basic ? "أساسي" : "متقدم") : $0.rawValue }
                                    ?? (c.binding == true ? (lang == .ar ? "ملزم" : "binding") : (lang == .ar ? "غير ملزم" : "not binding"))
                                let decided = c.decidedBy == .data ? (lang == .ar ? "، من البيانات" : ", from data") : ""
                                out += "    \(c.id) [\(flag)\(decided)] \(c.text[lang])\n"
                            }
                        }
                    }
                    out += "\n"
                }
                print(out, terminator: "")
            }
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `--lang ar|en` (Arabic unless asked), the same option on the commands whose text is Arabic first.
struct LanguageOption: ParsableArguments {
    @Option(help: "ar or en.")
    var lang: Language = .ar
}

/// `--out FILE`, the same option on every command that writes a rendering to a file or to standard output.
struct OutputFile: ParsableArguments {
    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var out: String?
}

/// `--format text|json`, the same option on every command that lists or shows something as text or JSON.
struct ListingFormat: ParsableArguments {
    @Option(help: "text or json.")
    var format: OutputFormat = .text
}

extension Tier: ExpressibleByArgument {}

/// The evaluator's name: `--by`, else $RIDA_EVALUATOR.
func evaluatorName(_ by: String?) throws -> String {
    if let name = (by ?? ProcessInfo.processInfo.environment["RIDA_EVALUATOR"])?.trimmingCharacters(in: .whitespaces), !name.isEmpty {
        return name
    }
    throw CLIError("Say who you are: --by NAME (or set RIDA_EVALUATOR); every entry records its evaluator.")
}
