import ArgumentParser
import Foundation
import RidaReports
import RidaStore
import RidaSurvey
import RidaUseCases

struct MisuseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "misuse",
        abstract: "The responses the misuse rules set aside, and reinstating those that were real customers'.",
        discussion: """
            As each response sent with a key on a watched channel (misuse.channels, kiosk by default) is stored, the \
            rules read that key's responses by the device's own clock: by default a burst (more than 10 in 60 s), the same \
            answers without a comment repeated (5 in 120 s), one sent less than 4 s after the one before. A response flagged is \
            kept, out of every figure, threshold and verdict; the quarterly report counts them per channel and rule. \
            Reinstating counts them again, for good, and records who decided and why. Settings: docs/configuration.md.
            """,
        subcommands: [List.self, Reinstate.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the responses set aside, newest first.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var listing: ListingFormat

        @Option(help: "Only this centre's.")
        var centre: String?

        @Option(help: ArgumentHelp("Only this quarter's (YEAR-Qn).", valueName: "quarter"))
        var quarter: String?

        @Option(help: "At most this many.")
        var limit: Int = 200

        func run() async throws {
            let asked = try Quarter.option(quarter)
            guard (1...100_000).contains(limit) else { throw CLIError("--limit must be from 1 to 100000.") }
            let centre: String?
            do { centre = try Identifier.normalized(self.centre, field: "centre") } catch { throw CLIError("--centre \(self.centre ?? ""): \(error.reason).") }
            try await store.withStore(try store.settings(), create: false) { db in
                let responses = try await db.setAsideResponses(centre: centre, quarter: asked, limit: limit)
                if listing.format == .json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    print(String(decoding: try encoder.encode(responses), as: UTF8.self))
                    return
                }
                if responses.isEmpty {
                    print("No response is set aside" + (centre.map { " at \($0)" } ?? "") + (quarter.map { " in \($0)" } ?? "") + ".")
                    return
                }
                print(TextRendering.table(header: ["Submitted (device clock)", "Id", "Centre", "Channel", "Device", "Rule", "Ratings"],
                                          rows: responses.map { r in
                    [r.submittedAt.iso8601, r.id, r.centre, r.channel, r.source, r.rule.rawValue,
                     r.ratings.map { $0.map(String.init) ?? "-" }.joined(separator: " ")]
                }), terminator: "")
                print("Reinstate: rida misuse reinstate --id ID … or --source DEVICE --from TIME --through TIME, with --by and --reason.")
            }
        }
    }

    struct Reinstate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count set-aside responses again, for good: by id, or a device's whole burst.",
            discussion: "Recorded with who decided and why; the rollups and every report count them from then on."
        )

        @OptionGroup var store: StoreOptions

        @Option(name: .customLong("id"), help: "A response to reinstate (repeat for several).")
        var ids: [String] = []

        @Option(help: ArgumentHelp("The device of a burst, as the listing names it (key:7).", valueName: "device"))
        var source: String?

        @Option(help: ArgumentHelp("The burst's first instant by the device's clock (ISO 8601 with its offset).", valueName: "time"))
        var from: String?

        @Option(help: ArgumentHelp("The burst's last instant by the device's clock.", valueName: "time"))
        var through: String?

        @Option(help: "Who decides (else $RIDA_EVALUATOR).")
        var by: String?

        @Option(help: "Why these were real customers' responses.")
        var reason: String

        func run() async throws {
            let which: Reinstatement
            switch (ids.isEmpty, source, from, through) {
            case (false, nil, nil, nil):
                which = .ids(ids)
            case (true, let source?, let from?, let through?):
                guard case .instant(let start) = ISO8601Timestamp.parse(from) else { throw CLIError("--from \(from) is not an instant with its offset, such as 2026-02-01T10:00:00+03:00.") }
                guard case .instant(let end) = ISO8601Timestamp.parse(through) else { throw CLIError("--through \(through) is not an instant with its offset, such as 2026-02-01T10:05:00+03:00.") }
                which = .burst(source: source, from: start, through: end)
            default:
                throw CLIError("Say what to reinstate: --id ID (repeatable), or --source DEVICE --from TIME --through TIME; not both.")
            }
            let who = try evaluatorName(by)
            try await store.withStore(try store.settings(), create: false) { db in
                let reinstated = try await ReinstateResponses(store: db, now: now).run(which, by: who, reason: reason)
                if reinstated.isEmpty {
                    print("Nothing was reinstated: none of the responses selected is set aside (rida misuse list shows those that are).")
                } else {
                    print("Reinstated \(reinstated.count) response\(reinstated.count == 1 ? "" : "s"), counted from now on: \(reinstated.joined(separator: ", ")).")
                }
            }
        }
    }
}
