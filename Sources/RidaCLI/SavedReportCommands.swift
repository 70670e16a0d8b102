import ArgumentParser
import Foundation
import RidaAssessment
import RidaReports
import RidaStore
import RidaSurvey

// Saved quarterly reports, their decisions and actions, and decline reasons: what framework 2's 3.2.2 and 3.2.3 read.
extension ReportCommand {
    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Save a quarterly report for a scope, as a draft.")

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
            try await runReportingErrors {
                let who = try evaluatorName(by)
                let db = try store.open(try store.settings(), create: true)
                defer { try? db.close() }
                let report = try await db.saveReport(scope: scope, quarter: Quarter(quarter)!, by: who, at: now())
                print("Report #\(report.id) saved for \(report.scope), \(report.quarter) (draft). Next: rida report decide \(report.id) --who … --what …; rida report submit \(report.id).")
            }
        }
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a saved report as submitted.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The report's number.")
        var id: Int64

        func run() async throws {
            try await setStatus(store, id, .submitted)
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a saved report as published.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The report's number.")
        var id: Int64

        func run() async throws {
            try await setStatus(store, id, .published)
        }
    }

    static func setStatus(_ store: StoreOptions, _ id: Int64, _ status: ReportStatus) async throws {
        try await runReportingErrors {
            let db = try store.open(try store.settings(), create: false)
            defer { try? db.close() }
            let report = try await db.setReportStatus(id, to: status, at: now())
            print("Report #\(report.id) (\(report.scope), \(report.quarter)) is \(report.status.rawValue).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the saved reports with their decisions and actions.")

        @OptionGroup var store: StoreOptions

        @Option(help: "Only this scope.")
        var scope: String?

        @Option(help: ArgumentHelp("Only this quarter.", valueName: "quarter"))
        var quarter: String?

        @Option(help: "text or json.")
        var format: OutputFormat = .text

        func validate() throws {
            if let quarter, Quarter(quarter) == nil { throw ValidationError(Quarter.spellingProblem(quarter)) }
        }

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open(try store.settings(), create: false)
                defer { try? db.close() }
                let reports = try await db.savedReports(scope: scope, quarter: quarter.flatMap(Quarter.init))
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
                    print("#\(r.id)  \(r.scope)  \(r.quarter)  \(r.status.rawValue)  saved \(r.savedAt.iso8601.prefix(10)) by \(r.savedBy)")
                    for a in r.actions {
                        print("    action #\(a.id) [\(a.status.rawValue)] \(a.who): \(a.what)" + (a.due.map { " (due \($0))" } ?? ""))
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

        @Option(help: "open or done.")
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
            try await runReportingErrors {
                let db = try store.open(try store.settings(), create: false)
                defer { try? db.close() }
                let action = try await db.addReportAction(ReportAction(report: id, who: who, what: what, due: due, status: status, recordedAt: now()))
                print("Action #\(action.id) recorded on report #\(id).")
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
            try await runReportingErrors {
                let who = try evaluatorName(by)
                let db = try store.open(try store.settings(), create: true)
                defer { try? db.close() }
                let stored = try await db.recordDecline(DeclineReason(scope: scope, channel: channel, quarter: Quarter(quarter)!,
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
            try await runReportingErrors {
                let db = try store.open(try store.settings(), create: false)
                defer { try? db.close() }
                let declines = try await db.declines(scope: scope)
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

extension ReportAction.Status: ExpressibleByArgument {}
