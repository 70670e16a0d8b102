import ArgumentParser
import Foundation
import RidaAssessment
import RidaReports
import RidaStore
import RidaSurvey
import RidaUseCases

// Saved quarterly reports, their decisions and actions, and decline reasons: what framework 2's 3.2.2 and 3.2.3 read.
extension ReportCommand {
    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Save a quarterly report for a scope, as a draft: its figures, trends, breakdowns and comments are taken now.")

        @OptionGroup var store: StoreOptions

        @Option(help: ArgumentHelp("The quarter, as YEAR-Qn.", valueName: "quarter"))
        var quarter: String

        @Option(help: "What it covers: an entity, a centre, or all.")
        var scope: String = "all"

        @Option(help: "Who saves it (default: $RIDA_EVALUATOR).")
        var by: String?

        func validate() throws {
            if Quarter(quarter) == nil { throw ValidationError(Quarter.spellingProblem(quarter)) }
        }

        func run() async throws {
            let who = try evaluatorName(by)
            let settings = try store.settings()
            try await store.withStore(settings, create: true) { db in
                let saved = try await ReportCommand.savedReports(db, settings).save(scope: scope, quarter: Quarter(quarter)!, by: who)
                let (report, content) = (saved.report, saved.content)
                print("Report #\(report.id) saved for \(report.scope), \(report.quarter) (draft, content SHA-256 \(content.sha256)). Next: rida report decide \(report.id) --who … --what …; rida report submit \(report.id).")
            }
        }
    }

    /// The saved-report use cases over `db`, for the deployment `settings` describes.
    static func savedReports(_ db: any RidaStorage, _ settings: Settings) -> SavedReports {
        SavedReports(store: db, policy: settings.policy, channels: settings.channels, now: now,
                     themes: CommentThemes(store: db, lexicon: settings.lexicon, channels: settings.channels))
    }

    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a draft's figures again (responses imported since it was saved).")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The report's number.")
        var id: Int64

        func run() async throws {
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let taken = try await ReportCommand.savedReports(db, settings).refresh(id)
                let (report, content) = (taken.report, taken.content)
                print("Report #\(id) (\(report.scope), \(report.quarter)) taken again: content SHA-256 \(content.sha256).")
            }
        }
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a saved report as submitted.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The report's number.")
        var id: Int64

        func run() async throws {
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let report = try await ReportCommand.savedReports(db, settings).submit(id)
                print("Report #\(report.id) (\(report.scope), \(report.quarter)) is \(report.status.rawValue).")
            }
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a saved report and freeze it.",
            discussion: """
                The content taken when it was saved, with the decisions and actions recorded so far, is frozen with the engine \
                version, the published page (the public version, in Arabic) and the SHA-256 of each. It never changes after: \
                a correction is a new report (rida report correct).
                """)

        @OptionGroup var store: StoreOptions

        @Argument(help: "The report's number.")
        var id: Int64

        func run() async throws {
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let frozen = try await ReportCommand.savedReports(db, settings).publish(id)
                let published = frozen.report
                print("Report #\(published.id) (\(published.scope), \(published.quarter)) is published and frozen.")
                print("  content SHA-256 \(frozen.content.sha256)")
                print("  page SHA-256    \(frozen.page.sha256) (rida report render \(id) --out FILE.html writes it)")
                print("  engine          \(frozen.content.engineVersion)")
            }
        }
    }

    struct Correct: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a correction of a published report: a new draft, taken now, that replaces it once published.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The published report's number.")
        var id: Int64

        @Option(help: "Who saves it (default: $RIDA_EVALUATOR).")
        var by: String?

        func run() async throws {
            let who = try evaluatorName(by)
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let report = try await ReportCommand.savedReports(db, settings).correct(id, by: who).report
                print("Report #\(report.id) saved as a draft correcting #\(id) (\(report.scope), \(report.quarter)). Next: rida report submit \(report.id); rida report publish \(report.id).")
            }
        }
    }

    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a saved report from its stored content: the published page as it was published, or another rendering of it.",
            discussion: "Without options, a published report's page is written byte for byte as stored. Other formats are rendered from the stored content.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The report's number.")
        var id: Int64

        @Option(help: "html, xlsx or json (the stored content).")
        var format: RenderFormat = .html

        @OptionGroup var language: LanguageOption

        var lang: Language { language.lang }

        @Option(help: "quality or public (default: public for a published report, else quality).")
        var audience: ReportAudience?

        @OptionGroup var output: OutputFile

        var out: String? { output.out }

        enum RenderFormat: String, ExpressibleByArgument, CaseIterable { case html, xlsx, json }

        func run() async throws {
            let settings = try store.settings()
            try await store.withReadStore(settings) { db in
                let rendering = try await ReportCommand.savedReports(db, settings).render(
                    id, format: SavedReports.RenderFormat(rawValue: format.rawValue)!, language: lang, audience: audience)
                // The stored content is written with a final newline, as a text file ends.
                try emit(data: rendering.document.bytes + (format == .json ? Data("\n".utf8) : Data()), to: out)
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a saved report: its content's SHA-256 recomputed, and its published page re-rendered byte for byte.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The report's number.")
        var id: Int64

        func run() async throws {
            let settings = try store.settings()
            try await store.withReadStore(settings) { db in
                let check: ReportFreezing.Verification, content: ReportContent, page: PublishedPage?
                do {
                    (check, content, page) = try await ReportCommand.savedReports(db, settings).verify(id)
                } catch let error as UseCaseError where error.code == "no_content" {
                    throw CLIError(error.description, exitCode: 1)
                }
                print("content SHA-256 \(check.contentSha256): \(check.contentMatches ? "matches the stored one" : "DIFFERS from the stored \(content.sha256)")")
                if let pageSha = check.pageSha256, let page {
                    print("page re-rendered with engine \(RidaEngine.version) (stored by \(content.engineVersion)), SHA-256 \(pageSha): "
                        + (check.pageMatches == true ? "byte for byte the published page" : "DIFFERS from the published page (\(page.sha256))"))
                } else {
                    print("not published: no page to compare")
                }
                if !check.holds { throw ExitCode(1) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the saved reports with their decisions and actions.")

        @OptionGroup var store: StoreOptions

        @Option(help: "Only this scope.")
        var scope: String?

        @Option(help: ArgumentHelp("Only this quarter.", valueName: "quarter"))
        var quarter: String?

        @OptionGroup var listing: ListingFormat

        var format: OutputFormat { listing.format }

        func validate() throws {
            if let quarter, Quarter(quarter) == nil { throw ValidationError(Quarter.spellingProblem(quarter)) }
        }

        func run() async throws {
            let settings = try store.settings()
            try await store.withReadStore(settings) { db in
                let reports = try await ReportCommand.savedReports(db, settings).list(scope: scope, quarter: quarter.flatMap(Quarter.init))
                if format == .json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    print(String(decoding: try encoder.encode(reports), as: UTF8.self))
                    return
                }
                if reports.isEmpty {
                    print("No saved reports: rida report save --quarter 2026-Q1 --scope E01.")
                    return
                }
                for r in reports {
                    var line = "#\(r.id)  \(r.scope)  \(r.quarter)  \(r.status.rawValue)  saved \(r.savedAt.iso8601.prefix(10)) by \(r.savedBy)"
                    if let replaces = r.replaces { line += "  corrects #\(replaces)" }
                    if let later = r.replacedBy { line += "  replaced by #\(later)" }
                    print(line)
                    if let sha = r.contentSha256 { print("    content SHA-256 \(sha)" + (r.engineVersion.map { ", engine \($0)" } ?? "")) }
                    if let sha = r.pageSha256 { print("    page SHA-256    \(sha)") }
                    for a in r.actions {
                        var line = "    action #\(a.id) [\(a.status.rawValue)] \(a.who): \(a.what)" + (a.due.map { " (due \($0))" } ?? "")
                        if let changed = a.statusChangedAt {
                            line += "; \(a.status.rawValue) since \(changed.iso8601.prefix(10))" + (a.statusChangedBy.map { " (\($0))" } ?? "")
                                + (a.statusNote.map { ": \($0)" } ?? "")
                        }
                        if let copied = a.copiedFrom { line += "; carried over from action #\(copied)" }
                        print(line)
                    }
                }
            }
        }
    }

    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a decision or action taken after a saved report: who does what, by when.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The report's number.")
        var id: Int64

        @Option(help: "Who is responsible.")
        var who: String

        @Option(help: "The decision or action.")
        var what: String

        @Option(help: ArgumentHelp("The due date, YYYY-MM-DD.", valueName: "date"))
        var due: String?

        @Option(help: "open, in-progress, done or dropped.")
        var status: ReportAction.Status = .open

        func validate() throws {
            if let due {
                let parts = due.split(separator: "-").compactMap { Int($0) }
                guard parts.count == 3, CivilDate(year: parts[0], month: parts[1], day: parts[2]).isValid, due.count == 10 else {
                    throw ValidationError("--due must be a date written YYYY-MM-DD.")
                }
            }
            if who.trimmingCharacters(in: .whitespaces).isEmpty || what.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--who and --what must not be empty.")
            }
        }

        func run() async throws {
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let action = try await ReportCommand.savedReports(db, settings).decide(ReportAction(report: id, who: who, what: what, due: due, status: status, recordedAt: now()))
                print("Action #\(action.id) recorded on report #\(id).")
            }
        }
    }

    struct Act: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "action",
            abstract: "Record where a decision or action stands: in progress, done, dropped (with why), or open again.",
            discussion: "The earlier statuses are kept; rida report list shows the latest, and --history every one.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The report's number.")
        var report: Int64

        @Argument(help: "The action's number (rida report list shows it).")
        var action: Int64

        @Option(help: "open, in-progress, done or dropped.")
        var status: ReportAction.Status?

        @Option(help: "What was done, or why it was dropped (required for dropped).")
        var note: String?

        @Option(help: "Who records it (default: $RIDA_EVALUATOR).")
        var by: String?

        @Flag(help: "Print every status the action has had instead of recording one.")
        var history = false

        func validate() throws {
            if history == (status != nil) { throw ValidationError("Give --status to record one, or --history to list them.") }
        }

        func run() async throws {
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                if history {
                    for entry in try await ReportCommand.savedReports(db, settings).actionHistory(action) {
                        print("\(entry.at.iso8601)  \(entry.status.rawValue)  \(entry.who)" + (entry.note.map { ": \($0)" } ?? ""))
                    }
                    return
                }
                let who = try evaluatorName(by)
                let updated = try await ReportCommand.savedReports(db, settings).setActionStatus(report: report, action: action, to: status!, note: note, by: who)
                print("Action #\(updated.id) on report #\(report) is now \(updated.status.rawValue).")
            }
        }
    }

    struct Decline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the reason satisfaction declined in a quarter (framework 2, 3.2.3).",
            discussion: "Without --channel, the reason covers every channel of the scope in that quarter."
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "The entity (or centre) whose satisfaction declined.")
        var scope: String

        @Option(help: "The channel; every channel when omitted.")
        var channel: String?

        @Option(help: ArgumentHelp("The quarter the decline was seen in, YEAR-Qn.", valueName: "quarter"))
        var quarter: String

        @Option(help: "Why it declined.")
        var reason: String

        @Option(help: "Who records it (default: $RIDA_EVALUATOR).")
        var by: String?

        func validate() throws {
            if Quarter(quarter) == nil { throw ValidationError(Quarter.spellingProblem(quarter)) }
        }

        func run() async throws {
            let who = try evaluatorName(by)
            let settings = try store.settings()
            try await store.withStore(settings, create: true) { db in
                let stored = try await ReportCommand.savedReports(db, settings).recordDecline(DeclineReason(scope: scope, channel: channel, quarter: Quarter(quarter)!,
                                                                      reason: reason, who: who, at: now()))
                print("Decline reason #\(stored.id) recorded for \(scope)\(channel.map { ", \($0)" } ?? ""), \(quarter).")
            }
        }
    }

    struct Declines: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the reasons recorded for declines.")

        @OptionGroup var store: StoreOptions

        @Option(help: "Only this scope.")
        var scope: String?

        func run() async throws {
            let settings = try store.settings()
            try await store.withReadStore(settings) { db in
                let declines = try await ReportCommand.savedReports(db, settings).declines(scope: scope)
                if declines.isEmpty {
                    print("No decline reasons recorded.")
                    return
                }
                print(TextRendering.table(header: ["#", "Scope", "Channel", "Quarter", "Reason", "By", "When"], rows: declines.map { d in
                    ["\(d.id)", d.scope, d.channel ?? "all", d.quarter.description, d.reason, d.who, String(d.at.iso8601.prefix(10))]
                }), terminator: "")
            }
        }
    }
}

extension ReportAction.Status: ExpressibleByArgument {
    public init?(argument: String) { self.init(text: argument) }
    public static var allValueStrings: [String] { ["open", "in-progress", "done", "dropped"] }
}
extension ReportAudience: ExpressibleByArgument {}
