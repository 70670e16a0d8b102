import ArgumentParser
import Foundation
import RidaAggregation
import RidaAssessment
import RidaReports
import RidaStore
import RidaSurvey
import RidaUseCases

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print a quarter's figures and thresholds per centre and channel; save quarterly reports and their actions.",
        discussion: """
            rida report --quarter 2026-Q1 prints the figures (the show subcommand, the default). Saved reports, their \
            decisions and actions, and the reasons for declines feed framework 2's criteria 3.2.2 and 3.2.3.
            """,
        subcommands: [Show.self, Save.self, Refresh.self, Submit.self, Publish.self, Correct.self, Render.self, Verify.self, List.self,
                      Decide.self, Act.self, Decline.self, Declines.self],
        defaultSubcommand: Show.self
    )
}

extension ReportCommand {
struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a quarter's figures and thresholds per centre and channel (the default); or the full report as HTML or a workbook.",
        discussion: """
            The JSON format is documented in docs/report-format.md. Figures are read from rollups kept as responses are stored. \
            --format html writes one self-contained page (Arabic, right to left, unless --lang en; prints on A4); \
            --format xlsx a workbook. --public leaves out comments and counter-level detail: the version to publish. \
            --themes prints the comment themes instead (a lexicon of Arabic and English terms, themes/README.md; the \
            themes.lexicon setting names a deployment's own); the HTML page and the workbook have a themes section.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The quarter, as YEAR-Qn (for example 2026-Q1). Default: the latest with responses.", valueName: "quarter"))
    var quarter: String?

    @Option(help: "Only this centre.")
    var centre: String?

    @Option(help: "Only this entity's centres (from the registry).")
    var entity: String?

    @Option(help: "Only this channel.")
    var channel: String?

    @Option(help: "text, json, csv, html or xlsx.")
    var format: ReportRequest.Format = .text

    @Option(help: "ar or en: the language of the HTML page and the workbook.")
    var lang: Language = .ar

    @Flag(name: .customLong("public"), help: "The publishable version (HTML, xlsx): no comments, no counter-level detail.")
    var publicVersion = false

    @Flag(help: "The comment themes instead of the figures (text, json or csv): per channel, each theme's comments, those with low ratings, and examples.")
    var themes = false

    @OptionGroup var output: OutputFile

    var out: String? { output.out }

    func validate() throws {
        if format == .xlsx, out == nil, isTerminal(1) {
            throw ValidationError("A workbook is binary: give --out FILE.xlsx (or redirect standard output).")
        }
    }

    /// One call into `ShowReport`: the request is checked before the database is opened, so a misspelt quarter
    /// needs no database to be refused.
    func run() async throws {
        let settings = try store.settings()
        let request = ReportRequest(quarter: quarter, centre: centre, entity: entity, channel: channel, format: format,
                                    language: lang, audience: publicVersion ? .public : .quality, themes: themes)
        try request.check(channels: settings.channels)
        let report = try await store.withReadStore(settings) { db in
            let themes = CommentThemes(store: db, lexicon: settings.lexicon, channels: settings.channels)
            return try await ShowReport(store: db, policy: settings.policy, channels: settings.channels, now: now, themes: themes)
                .run(request)
        }
        try emit(data: report.bytes, to: out)
    }
}
}

extension ReportRequest.Format: ExpressibleByArgument {}

/// Writes `text` to `path`, or to standard output when there is none.
func emit(_ text: String, to path: String?) throws {
    try emit(data: Data(text.utf8), to: path)
}

/// Writes `data` to `path`, or to standard output when there is none.
func emit(data: Data, to path: String?) throws {
    if let path {
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CLIError("Cannot write \(path): check that its folder exists and is writable.")
        }
    } else {
        FileHandle.standardOutput.write(data)
    }
}
