import ArgumentParser
import Foundation
import RidaAggregation
import RidaReports
import RidaStore
import RidaSurvey
import RidaUseCases

extension CaseStatus: ExpressibleByArgument {}

struct CasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "Follow-up cases: customers who rated low or wrote a watched term and asked to be contacted.",
        discussion: """
            A response opens a case when the customer ticked "you may contact me" and gave a phone or e-mail, and rated \
            at or below cases.score (2 by default) on any question, or wrote one of the centre's cases.terms. A case is \
            due at the end of the cases.dueWorkingDays-th working day (3 by default; weekend and holidays in \
            cases.weekend and cases.holidays). It goes open → contacted → resolved, or is closed without contact with a \
            reason. Contacts are erased cases.retentionDays (30) days after a case is finished; every rida cases command \
            erases what is due first. Settings: docs/configuration.md.
            """,
        subcommands: [List.self, Show.self, Assign.self, Update.self, Erase.self],
        defaultSubcommand: List.self
    )

    static func useCase(_ db: any FollowUpStore, _ settings: Settings) -> FollowUpCases {
        FollowUpCases(store: db, retentionDays: settings.followUp.retentionDays, now: now)
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func contact(_ c: FollowUpCase) -> String {
        if c.erasedAt != nil { return "erased" }
        return [c.contact?.phone, c.contact?.email].compactMap { $0 }.joined(separator: ", ")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the cases, newest first.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var listing: ListingFormat

        @Option(help: "Only this centre's.")
        var centre: String?

        @Option(help: "Only cases in this status: open, contacted, resolved or closed.")
        var status: CaseStatus?

        @Option(help: "Only this owner's.")
        var owner: String?

        @Option(help: ArgumentHelp("Only cases of this quarter's responses (YEAR-Qn).", valueName: "quarter"))
        var quarter: String?

        @Option(help: "At most this many (1 to 10000).")
        var limit: Int = 200

        func run() async throws {
            var query = CaseQuery(status: status, owner: owner, limit: limit)
            query.quarter = try Quarter.option(quarter)
            do { query.centre = try Identifier.normalized(centre, field: "centre") } catch { throw CLIError("--centre \(centre ?? ""): \(error.reason).") }
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let cases = try await CasesCommand.useCase(db, settings).list(query)
                if listing.format == .json {
                    print(try CasesCommand.json(cases))
                    return
                }
                if cases.isEmpty {
                    print("No follow-up case" + (centre.map { " at \($0)" } ?? "") + (status.map { " \($0.rawValue)" } ?? "") + ".")
                    return
                }
                let time = now()
                print(TextRendering.table(header: ["Case", "Centre", "Channel", "Status", "Owner", "Due", "Contact", "Why"],
                                          rows: cases.map { c in
                    [String(c.id), c.centre, c.channel, c.status.rawValue + (c.isLate(at: time) ? " (late)" : ""), c.owner ?? "-",
                     c.dueAt.iso8601, CasesCommand.contact(c), c.reason]
                }), terminator: "")
                print("Details: rida cases show CASE. Work a case: rida cases assign CASE OWNER; rida cases update CASE --status contacted|resolved|closed --note TEXT.")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a case with everything done to it.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var listing: ListingFormat

        @Argument(help: "The case number.")
        var id: Int64

        struct Shown: Encodable {
            var `case`: FollowUpCase
            var events: [CaseEvent]
        }

        func run() async throws {
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let found = try await CasesCommand.useCase(db, settings).show(id)
                if listing.format == .json {
                    print(try CasesCommand.json(Shown(case: found.case, events: found.events)))
                    return
                }
                let c = found.case
                var lines = [
                    "Case \(c.id): \(c.status.rawValue)\(c.isLate(at: now()) ? ", late" : "")",
                    "Response \(c.responseID), centre \(c.centre), channel \(c.channel), quarter \(c.quarter)",
                    "Why: \(c.reason)",
                    "Opened \(c.openedAt.iso8601), due \(c.dueAt.iso8601)" + (c.finishedAt.map { ", finished \($0.iso8601)" } ?? ""),
                    "Owner: \(c.owner ?? "nobody yet")",
                    "Contact: \(c.erasedAt.map { "erased \($0.iso8601) (retention over)" } ?? CasesCommand.contact(c))",
                ]
                if let reason = c.closeReason { lines.append("Closed without contact: \(reason)") }
                lines.append("History:")
                for event in found.events {
                    lines.append("  \(event.at.iso8601)  \(event.who): \(event.action)" + (event.detail.map { ": \($0)" } ?? ""))
                }
                print(lines.joined(separator: "\n"))
            }
        }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a case an owner.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The case number.")
        var id: Int64

        @Argument(help: "Who follows it up.")
        var owner: String

        @Option(help: "Who assigns it (else $RIDA_EVALUATOR).")
        var by: String?

        @Option(help: "A note kept with the case.")
        var note: String?

        func run() async throws {
            let who = try evaluatorName(by)
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let c = try await CasesCommand.useCase(db, settings).update(id, CaseChange(owner: owner, note: note), by: who)
                print("Case \(c.id) is \(c.owner ?? "nobody")'s, \(c.status.rawValue), due \(c.dueAt.iso8601).")
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a case along (contacted, resolved, closed) or add a note.",
            discussion: "Closing without contact (--status closed) needs --reason. A resolved or closed case stays so; notes may still be added.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The case number.")
        var id: Int64

        @Option(help: "contacted, resolved or closed.")
        var status: CaseStatus?

        @Option(help: "A note kept with the case (what was said, what was done). Write no contact details in it.")
        var note: String?

        @Option(help: "Why the case is closed without contact.")
        var reason: String?

        @Option(help: "Who does it (else $RIDA_EVALUATOR).")
        var by: String?

        func validate() throws {
            if status == .open { throw ValidationError("--status open: a case opens by itself; give contacted, resolved or closed.") }
        }

        func run() async throws {
            let who = try evaluatorName(by)
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let c = try await CasesCommand.useCase(db, settings).update(id, CaseChange(status: status, note: note, closeReason: reason), by: who)
                print("Case \(c.id) is \(c.status.rawValue)" + (c.finishedAt.map { ", finished \($0.iso8601)" + (c.isLate(at: $0) ? " (late)" : " (in time)") } ?? "") + ".")
            }
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase now the contacts whose retention is over (rida serve does it every hour).")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let erased = try await CasesCommand.useCase(db, settings).eraseExpired()
                print(erased == 0 ? "No contact was due to be erased." : "Erased the contacts of \(erased) finished case\(erased == 1 ? "" : "s").")
            }
        }
    }
}
