import ArgumentParser
import Foundation
import RidaReports
import RidaStore
import RidaSurvey
import RidaUseCases

struct WidgetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "widgets",
        abstract: "Survey widgets for the entity's websites and apps: make, list, re-scope and revoke them.",
        discussion: """
            A widget puts the four questions on the entity's own pages, through Rida's embed.js or an iframe, in the \
            page's language. Its publishable key is written into those pages: all it can do is submit answers for its \
            centre, on its channels, from pages of the origins listed here (browsers refuse every other origin). Each \
            client address answers through a widget at most 20 times an hour.
            """,
        subcommands: [Create.self, List.self, Origins.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a widget and print the lines to put in the site's pages.")

        @OptionGroup var store: StoreOptions

        @Option(help: "The centre its answers are about.")
        var centre: String

        @Option(name: .customLong("channel"), help: "A channel its answers may be on, such as website or mobile_app; repeat for more (the first is the default).")
        var channels: [String] = []

        @Option(name: .customLong("origin"), help: "An origin whose pages show it, such as https://www.example.gov.bh; repeat for more.")
        var origins: [String] = []

        @Option(help: "Which site or app shows it, such as \"MOI website\".")
        var label: String

        @Option(help: ArgumentHelp("Where browsers reach rida serve, such as https://rida.example.bh (else invitations.baseURL).", valueName: "url"))
        var baseURL: String?

        func run() async throws {
            let settings = try store.settings()
            let base = try Settings.baseURL(baseURL ?? settings.invitationBaseURL, field: "--base-url")
            try await store.withStore(settings, create: true) { db in
                let widget = try await Widgets(store: db, validator: settings.validator, now: now)
                    .create(label: label, centre: centre, channels: channels, origins: origins)
                print("Widget #\(widget.id) \"\(widget.label)\": \(widget.centre) (\(widget.channels.joined(separator: ", "))), shown on \(widget.origins.joined(separator: ", ")).")
                print(WidgetsCommand.snippets(widget, base: base))
            }
        }
    }

    /// The lines a site puts in its pages: the script, or an iframe.
    static func snippets(_ widget: Widget, base: String?) -> String {
        let root = base ?? "https://RIDA-ADDRESS"
        var text = ""
        if base == nil { text += "(Replace RIDA-ADDRESS with where browsers reach rida serve, or give --base-url.)\n" }
        text += "Script, in the page's language:\n"
        text += "  <script src=\"\(root)/embed.js\" data-key=\"\(widget.key)\" data-channel=\"\(widget.channels[0])\" data-stage=\"after\" async></script>\n"
        text += "Or a frame (lang=ar or en):\n"
        text += "  <iframe src=\"\(root)/w/\(widget.key)?channel=\(widget.channels[0])&lang=ar\" title=\"استبيان رضا المتعاملين\" style=\"width:100%;height:60rem;border:0\"></iframe>\n"
        text += "The key \(widget.key) is publishable: it may be read by anyone, and only submits answers from the origins listed."
        return text
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the widgets: key, centre, channels, origins, status.")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let widgets = try await Widgets(store: db, validator: settings.validator, now: now).list()
                if widgets.isEmpty {
                    print("No widgets in \(store.databaseName): rida widgets create --centre C01 --channel website --origin https://www.example.gov.bh --label \"Website\" makes one.")
                    return
                }
                let rows = widgets.map { widget in
                    ["\(widget.id)", widget.label, widget.key, widget.centre, widget.channels.joined(separator: ", "),
                     widget.origins.joined(separator: " "), widget.revokedAt.map { "revoked \($0.iso8601)" } ?? "active"]
                }
                print(TextRendering.table(header: ["#", "Label", "Key", "Centre", "Channels", "Origins", "Status"], rows: rows), terminator: "")
            }
        }
    }

    struct Origins: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace the origins whose pages show a widget.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The widget's number (rida widgets list shows it).")
        var id: Int64

        @Option(name: .customLong("origin"), help: "An origin whose pages show it; repeat for more. The list replaces the widget's.")
        var origins: [String] = []

        func run() async throws {
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let widget = try await Widgets(store: db, validator: settings.validator, now: now).setOrigins(id, origins: origins)
                print("Widget #\(widget.id) is shown on \(widget.origins.joined(separator: ", ")). Browsers may keep the old list up to 10 minutes.")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a widget: its pages stop showing the questions, and nothing more is stored through it.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The widget's number.")
        var id: Int64

        func run() async throws {
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                try await Widgets(store: db, validator: settings.validator, now: now).revoke(id)
                print("Widget #\(id) is revoked.")
            }
        }
    }
}
