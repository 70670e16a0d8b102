import ArgumentParser
import Foundation
import RidaReports
import RidaSurvey

struct SurveyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "survey",
        abstract: "Show the guide's questionnaires, or check one a centre wrote.",
        subcommands: [Show.self, Validate.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a questionnaire: appendix-3 (the customer survey) or appendix-4.")

        @Argument(help: "appendix-3, appendix-4, or a definition file.")
        var id: String = "appendix-3"

        @OptionGroup var language: LanguageOption

        var lang: Language { language.lang }

        @Option(help: "text or json.")
        var format: Format = .text

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        func run() async throws {
            let questionnaire: Questionnaire
            let json: String
            if let builtIn = BuiltInSurvey.named(id) {
                questionnaire = builtIn.questionnaire
                json = builtIn.definition
            } else if let data = FileManager.default.contents(atPath: id) {
                let (loaded, problems) = Questionnaire.validate(data)
                guard let loaded else {
                    throw CLIError("\(id) is not a valid survey definition:\n" + problems.map { "  " + $0.description }.joined(separator: "\n"))
                }
                questionnaire = loaded
                json = String(decoding: data, as: UTF8.self)
            } else {
                throw CLIError("There is no survey \"\(id)\": use appendix-3, appendix-4 or the path of a definition file.")
            }
            switch format {
            case .json: print(json)
            case .text: print(QuestionnaireRendering.text(questionnaire, language: lang), terminator: "")
            }
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a survey definition: lists every problem at once.",
            discussion: "Extra questions are allowed; the four standard rated questions (q1 employee, q2 and q3 service, q4 channel) must be present."
        )

        @Argument(help: "The definition file (JSON, shaped like surveys/appendix-3.json).")
        var file: String

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CLIError("\(file) cannot be read: check its path.")
            }
            let (questionnaire, problems) = Questionnaire.validate(data)
            if let questionnaire {
                print("\(file): valid — \(questionnaire.id) version \(questionnaire.version), \(questionnaire.questions.count) questions (\(questionnaire.ratedQuestions.count) rated).")
                return
            }
            print("\(file): \(problems.count) problem\(problems.count == 1 ? "" : "s")")
            for problem in problems { print("  " + problem.description) }
            throw ExitCode(1)
        }
    }
}

extension Language: ExpressibleByArgument {}
