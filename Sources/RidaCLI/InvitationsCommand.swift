import ArgumentParser
import Foundation
import RidaImport
import RidaReports
import RidaStore
import RidaSurvey
import RidaUseCases

struct InvitationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invitations",
        abstract: "One-time links (and QR codes) for customers to rate a service on their own phone.",
        discussion: """
            Each invitation is one customer's: its link (BASE/s/TOKEN) opens the appendix-3 questionnaire with the \
            centre, channel, service and counter already known, in Arabic (English at a touch), and takes one answer. \
            The token, 128 random bits, is shown only when made and stored only as its SHA-256. Systems that serve \
            customers register invitations one by one with POST /v1/invitations; this command makes a batch for printed \
            receipts. BASE is --base-url, else invitations.baseURL in the configuration: the address customers reach \
            rida serve at.
            """,
        subcommands: [Create.self],
        defaultSubcommand: Create.self
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a batch of invitations: a CSV of their links, and QR codes with --qr.")

        @OptionGroup var store: StoreOptions

        @Option(help: "The centre the services are done at.")
        var centre: String

        @Option(help: "The channel (counter, website, …: survey.channels).")
        var channel: String

        @Option(help: "How many (1 to 1000).")
        var count: Int = 1

        @Option(help: "The service, when all are for one.")
        var service: String?

        @Option(help: "The counter, when all are for one.")
        var counter: String?

        @Option(help: "before, during or after the service (the guide's appendix 2).")
        var stage: String?

        @Option(help: ArgumentHelp("Days each stays open (1 to 90).", valueName: "days"))
        var expiresInDays: Int = Invitations.defaultExpiryDays

        @Option(help: ArgumentHelp("Where customers reach rida serve, such as https://rida.example.bh (else invitations.baseURL).", valueName: "url"))
        var baseURL: String?

        @Option(help: ArgumentHelp("The CSV of the links (id, centre, channel, service, counter, stage, expires_at, link).", valueName: "file"))
        var out: String

        @Option(help: ArgumentHelp("A folder to write each link's QR code into, as <id>.png and <id>.svg.", valueName: "folder"))
        var qr: String?

        @Option(help: "Who makes them (else $RIDA_EVALUATOR).")
        var by: String?

        func run() async throws {
            guard (1...Invitations.maximumBatch).contains(count) else { throw CLIError("--count must be from 1 to \(Invitations.maximumBatch).") }
            let settings = try store.settings()
            guard let base = try Settings.baseURL(baseURL ?? settings.invitationBaseURL, field: "--base-url") else {
                throw CLIError("Say where customers reach rida serve: --base-url https://rida.example.bh, or invitations.baseURL in the configuration.")
            }
            let who = try evaluatorName(by)
            if FileManager.default.fileExists(atPath: out) { throw CLIError("\(out) exists already: give another --out, or move it away.") }
            let request = InvitationRequest(centre: centre, channel: channel, service: service, counter: counter, stage: stage,
                                            expiresInDays: expiresInDays)
            let made = try await store.withStore(settings, create: false) { db in
                try await Invitations(store: db, validator: settings.validator, now: now)
                    .create(Array(repeating: request, count: count), by: who)
            }
            var csv = "\u{FEFF}" + CSVWriter.row(["id", "centre", "channel", "service", "counter", "stage", "expires_at", "link"])
            for item in made {
                let i = item.invitation
                csv += CSVWriter.row([String(i.id), i.centre, i.channel, i.service ?? "", i.counter ?? "", i.stage?.rawValue ?? "",
                                      i.expiresAt.iso8601, base + "/s/" + item.token])
            }
            try Data(csv.utf8).write(to: URL(fileURLWithPath: out), options: .withoutOverwriting)
            if let qr {
                try FileManager.default.createDirectory(atPath: qr, withIntermediateDirectories: true)
                for item in made {
                    let link = base + "/s/" + item.token
                    let code = try QRCode(link)
                    let name = URL(fileURLWithPath: qr).appendingPathComponent(String(item.invitation.id)).path
                    try Data(code.png()).write(to: URL(fileURLWithPath: name + ".png"))
                    try Data(code.svg(label: link).utf8).write(to: URL(fileURLWithPath: name + ".svg"))
                }
            }
            print("Made \(made.count) invitation\(made.count == 1 ? "" : "s") for \(made[0].invitation.centre) \(made[0].invitation.channel), open until "
                  + "\(made[0].invitation.expiresAt.iso8601): their links are in \(out)" + (qr.map { ", their QR codes in \($0)" } ?? "")
                  + ". Each link takes one answer; keep the file as you would keys.")
        }
    }
}
