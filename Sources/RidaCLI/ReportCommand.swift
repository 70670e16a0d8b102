import ArgumentParser
import Foundation
import RidaAggregation
import RidaReports
import RidaStore
import RidaSurvey

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print a quarter's figures and thresholds per centre and channel; save quarterly reports and their actions.",
        discussion: """
            rida report --quarter 2026-Q1 prints the figures (the show subcommand, the default). Saved reports, their
            decisions and actions, and the reasons for declines feed framework 2's criteria 3.2.2 and 3.2.3.
            """,
        subcommands: [Show.self, Save.self, Submit.self, Publish.self, List.self, Decide.self, Decline.self, Declines.self],
        defaultSubcommand: Show.self
    )

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json, csv
    }
}

extension ReportCommand {
struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a quarter's figures and thresholds per centre and channel (the default).",
        discussion: "The JSON format is documented in docs/report-format.md. Figures are read from rollups kept as responses are stored."
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The quarter, as YEAR-Qn (for example 2026-Q1). Default: the latest with responses.", valueName: "quarter"))
    var quarter: String?

    @Option(help: "Only this centre.")
    var centre: String?

    @Option(help: "Only this channel.")
    var channel: String?

    @Option(help: "text, json or csv.")
    var format: ReportFormat = .text

    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var out: String?

    func validate() throws {
        if let quarter, Quarter(quarter) == nil {
            throw ValidationError(Quarter.spellingProblem(quarter))
        }
    }

    func run() async throws {
        try await runReportingErrors {
            let settings = try store.settings()
            let db = try store.open(settings, create: false)
            defer { try? db.close() }
            let chosen: Quarter
            if let quarter, let parsed = Quarter(quarter) {
                chosen = parsed
            } else if let latest = try await db.quartersWithResponses().last {
                chosen = latest
            } else {
                throw CLIError("The database \(store.databasePath) holds no responses yet: import some first (rida import FILE).", exitCode: 1)
            }
            if let channel, settings.channels.channel(channel) == nil {
                throw CLIError("\"\(channel)\" is not a channel of this deployment (known: \(settings.channels.channels.map(\.id).joined(separator: ", "))).")
            }
            let report = try await db.quarterlyReport(
                ReportScope(quarter: chosen, centre: centre, channel: channel), policy: settings.policy, channels: settings.channels)
            let text: String
            switch format {
            case .text: text = TextRendering.render(report, channels: settings.channels)
            case .json: text = try JSONRendering.render(report)
            case .csv: text = CSVRendering.render(report)
            }
            try emit(text, to: out)
        }
    }
}
}

/// Writes `text` to `path`, or to standard output when there is none.
func emit(_ text: String, to path: String?) throws {
    if let path {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CLIError("Cannot write \(path): check that its folder exists and is writable.")
        }
    } else {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
