import ArgumentParser
import Foundation
import RidaImport

struct MappingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mapping",
        abstract: "Mapping files for other systems' exports (docs/mapping.md).",
        subcommands: [Draft.self]
    )

    struct Draft: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draft a mapping from an export's header and first rows: its date column, format and zone, its rating-like columns, TODO for the rest.",
            discussion: """
                Recognises Typeform, Google Forms, Qualtrics, SurveyMonkey, LimeSurvey, KoboToolbox and Microsoft Forms exports \
                (CSV or .xlsx). The draft loads as it is: check what it would store with \
                rida import FILE --mapping draft.json --check, then settle its TODO notes (in "description").
                """
        )

        @Argument(help: ArgumentHelp("The export (CSV or .xlsx).", valueName: "file"))
        var file: String

        @Option(name: .shortAndLong, help: ArgumentHelp("Write the draft here instead of standard output.", valueName: "file"))
        var output: String?

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CLIError("\(file) cannot be read: check its path.")
            }
            let draft = try MappingDraft.draft(data, name: (file as NSString).lastPathComponent)
            if let output {
                try emit(draft.json, to: output)
                printStatus("Mapping drafted in \(output)" + (draft.tool.map { " (a \($0) export)" } ?? "") + "; still to settle:")
                for item in draft.todo { printStatus("  - " + item) }
            } else {
                print(draft.json, terminator: "")
            }
        }
    }
}
