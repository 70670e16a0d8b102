import ArgumentParser
import Foundation
import RidaStore
import RidaSurvey
import RidaUseCases

struct SignsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signs",
        abstract: "Printable QR signs (A6) for a centre's counters or channels, for customers to rate on their own phone.",
        discussion: """
            One sign per --counter (on --channel, counter by default), or, without counters, one per channel of the \
            centre. A sign is made the first time and the same sign is printed every time after. Its code leads to \
            BASE/q/TOKEN (BASE: --base-url, else invitations.baseURL), the appendix-3 questionnaire with the centre, \
            channel and counter known. The misuse rules read answers through a sign with the sign as their device; \
            a phone answers through one sign at most 3 times a day.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "The centre.")
    var centre: String

    @Option(help: "The channel of the counters, or the one channel to make a sign for.")
    var channel: String?

    @Option(name: .customLong("counter"), help: "A counter to make a sign for (repeat for several; 7, 8 or a range 1-12).")
    var counters: [String] = []

    @Option(help: ArgumentHelp("Where customers reach rida serve, such as https://rida.example.bh (else invitations.baseURL).", valueName: "url"))
    var baseURL: String?

    @Option(help: ArgumentHelp("The HTML file of the signs, to print on A6.", valueName: "file"))
    var out: String

    /// `1-12` as 1 … 12; anything else as it is.
    static func expand(_ counters: [String]) -> [String] {
        counters.flatMap { text -> [String] in
            let parts = text.split(separator: "-").map { Int($0) }
            if parts.count == 2, let first = parts[0], let last = parts[1], first <= last, last - first < 500 {
                return (first...last).map(String.init)
            }
            return [text]
        }
    }

    func run() async throws {
        let settings = try store.settings()
        guard let base = try Settings.baseURL(baseURL ?? settings.invitationBaseURL, field: "--base-url") else {
            throw CLIError("Say where customers reach rida serve: --base-url https://rida.example.bh, or invitations.baseURL in the configuration.")
        }
        let html = try await store.withStore(settings, create: false) { db in
            try await Signs(store: db, validator: settings.validator, now: now)
                .sheet(centre: centre, channel: channel, counters: Self.expand(counters), baseURL: base)
        }
        try Data(html.utf8).write(to: URL(fileURLWithPath: out))
        let count = html.components(separatedBy: "<section>").count - 1
        print("Wrote \(count) sign\(count == 1 ? "" : "s") to \(out): print it on A6, one sign a page.")
    }
}
