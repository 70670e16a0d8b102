import ArgumentParser
import Foundation
import Logging
import RidaDemo
import RidaHTTP
import RidaPostgres
import RidaReports
import RidaStore
import RidaSurvey

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API, the kiosk page and the live display.",
        discussion: """
            Kiosks, call-centre platforms and web channels submit responses over HTTP with an API key \
            (rida keys create); the API is described at /v1/openapi.json. SIGTERM or SIGINT (Ctrl-C) stops \
            the service after the requests in flight are answered, and closes the database.

            --demo builds the demo database (rida-demo.sqlite) if it is not there, adds today's and this week's \
            responses and keeps new ones arriving every few seconds, makes a kiosk key and a display key for \
            centre C01 and a reading key, and prints the pages' addresses with the keys in them.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The address to listen on (default: http.host, else 127.0.0.1).", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("The port to listen on; 0 picks a free one (default: http.port, else 8080).", valueName: "port"))
    var port: Int?

    @Flag(help: "Serve the demo database, with demo keys.")
    var demo = false

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535.") }
    }

    func run() async throws {
        let settings = try store.settings()
        let path = demo ? (store.db ?? "rida-demo.sqlite") : store.databasePath
        if demo, !FileManager.default.fileExists(atPath: path) {
            try await Self.buildDemo(at: path, settings: settings)
        } else if demo, try !DemoCommand.isDemo(path, settings) {
            throw CLIError("\(path) holds responses that are not the demo's: --demo adds demo responses, so it serves only a demo database (rida serve --demo --db rida-demo.sqlite).")
        }
        if PostgresLocation.isPostgresURL(path), settings.backupEvery != nil {
            throw CLIError("Scheduled backups (backup.every in the settings) copy a SQLite file; on PostgreSQL, back up with the server's own tools (pg_basebackup, pg_dump): remove backup.every from the settings to serve \(store.databaseName).")
        }
        if demo, PostgresLocation.isPostgresURL(path) {
            throw CLIError("--demo serves a SQLite demo file; leave out --db (rida-demo.sqlite) or give a file's path.")
        }
        if store.readDatabaseURL != nil, !PostgresLocation.isPostgresURL(path) {
            throw CLIError("A read database (--read-db or RIDA_READ_DB) is a standby of a PostgreSQL database: give --db the primary's postgres:// URL, or leave the read database out to serve \(demo ? path : store.databaseName).")
        }
        // On PostgreSQL, 16 connections per instance (and 8 to the read database): several instances stay well within
        // the server's 100.
        let opened = try await store.openStore(settings, create: true, connections: 16, path: path)
        let readOpened: OpenedStore?
        do {
            readOpened = try await store.openReadStore(settings, connections: 8, replayWait: .seconds(30), evenIfAway: true)
        } catch {
            await opened.close()
            throw error
        }
        let db = opened.store
        var madeKeys: (kiosk: String, display: String, reader: String)?
        var arrivals: (any Arrivals)?
        if demo, let sqlite = opened.sqlite {
            // The halls as they are today: the last seven days up to now, then a trickle while serving.
            let hall = DemoHall()
            let seeded = try await hall.seed(sqlite, now: now())
            printStatus("Seeded \(seeded) demo responses for today and this week; new ones arrive every few seconds.")
            arrivals = hall.trickle(startingAt: now())
            let kiosk = APIKeySecret.generate()
            let display = APIKeySecret.generate()
            let reader = APIKeySecret.generate()
            _ = try await db.createKey(kiosk, label: "Demo kiosk, C01 (rida serve --demo)", role: .submitter,
                                       centre: "C01", channels: ["kiosk"], at: now())
            _ = try await db.createKey(display, label: "Demo waiting-hall display, C01 (rida serve --demo)", role: .display,
                                       centre: "C01", channels: nil, at: now())
            _ = try await db.createKey(reader, label: "Demo reader (rida serve --demo)", role: .quality,
                                       centre: nil, channels: nil, at: now())
            madeKeys = (kiosk.text, display.text, reader.text)
        }
        let demoKeys = madeKeys
        var logger = Logger(label: "rida") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = logLevel
        let service = settings.serviceSettings(host: host, port: port, database: store.databaseName)
        let readName = store.readDatabaseURL.map { (try? PostgresLocation(url: $0).description) ?? PostgresURLError.withoutPassword($0) }
        let app = buildApplication(service, store: db, reads: readOpened?.store, logger: logger, now: { now() },
                                   arrivals: arrivals) { port in
            let base = "http://\(service.host.contains(":") ? "[\(service.host)]" : service.host):\(port)"
            var lines = ["Rida is serving \(demo ? path : store.databaseName) at \(base)\(demoKeys == nil ? "" : " (demo)")."]
            if let readName { lines.append("  Reports and assessments are read from \(readName).") }
            if let demoKeys {
                lines += [
                    "  Kiosk page:   \(base)/kiosk/setup#centre=C01&key=\(demoKeys.kiosk)",
                    "  Live display: \(base)/live/C01#key=\(demoKeys.display)",
                    "  API:          \(base)/v1/openapi.json",
                    "  Try:          curl -H 'Authorization: Bearer \(demoKeys.reader)' '\(base)/v1/reports/quarterly?format=csv'",
                ]
            } else {
                lines += [
                    "  Kiosk page:   \(base)/kiosk/setup (once per kiosk, with a submitter key), then \(base)/kiosk",
                    "  Live display: \(base)/live/CENTRE",
                    "  API:          \(base)/v1/openapi.json",
                ]
            }
            lines.append("Stop with Ctrl-C.")
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
        do {
            try await app.runService()
        } catch {
            await readOpened?.close()
            await opened.close()
            throw CLIError("The service stopped: \(error)")
        }
        await readOpened?.close()
        await opened.close()
        logger.info("stopped; the database is closed")
    }

    static func buildDemo(at path: String, settings: Settings) async throws {
        var demoSettings = settings
        demoSettings.durability = .normal  // building needs no power-cut durability; serving uses the configured one
        let store = try SQLiteStore(path: path, configuration: demoSettings.storeConfiguration, create: true)
        defer { try? store.close() }
        printStatus("Building the demo database \(path)…")
        _ = try await DemoData().populate(store, now: now())
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke the HTTP service's API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key and print it once; only its SHA-256 is stored.",
            discussion: """
                Roles: submitter (submits for one --centre, optionally only on some --channel), display (shows one \
                --centre's live figures on the waiting hall's screen, and reads nothing else), quality (reads reports), \
                evaluator (reads reports and the assessment), admin (everything). The key is alone on the last line.
                """
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "submitter, display, quality, evaluator or admin.")
        var role: Role

        @Option(help: "The centre a submitter key submits for, or a display key shows.")
        var centre: String?

        @Option(name: .customLong("channel"), help: "A channel a submitter key is limited to; repeat for more. Default: every channel.")
        var channels: [String] = []

        @Option(help: "Who holds the key, such as \"Kiosk 3, C01\".")
        var label: String

        func run() async throws {
            let settings = try store.settings()
            for channel in channels where settings.channels.channel(channel) == nil {
                throw CLIError("\"\(channel)\" is not a channel of this deployment (known: \(settings.channels.channels.map(\.id).joined(separator: ", "))).")
            }
            try await store.withStore(settings, create: true) { db in
                let secret = APIKeySecret.generate()
                let key = try await db.createKey(secret, label: label, role: role, centre: centre,
                                                 channels: channels.isEmpty ? nil : channels, at: now())
                print("Key #\(key.id) \"\(key.label)\": \(key.role.rawValue), \(key.scope).")
                print("It is shown only now; store it where the device or system keeps secrets. Send it as \"Authorization: Bearer KEY\".")
                print(secret.text)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys: label, role, scope, created, last used. Never the keys.")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            try await store.withStore(try store.settings(), create: false) { db in
                let keys = try await db.keys()
                if keys.isEmpty {
                    print("No keys in \(store.databaseName): rida keys create --role submitter --centre C01 --label \"Kiosk 1\" makes one.")
                    return
                }
                let rows = keys.map { key in
                    ["\(key.id)", key.label, key.role.rawValue, key.scope, key.createdAt.iso8601,
                     key.lastUsedAt?.iso8601 ?? "never", key.revokedAt.map { "revoked \($0.iso8601)" } ?? "active"]
                }
                print(TextRendering.table(header: ["#", "Label", "Role", "Scope", "Created", "Last used", "Status"], rows: rows), terminator: "")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by its number (rida keys list shows it); the service refuses it within seconds.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The key's number.")
        var id: Int64

        func run() async throws {
            try await store.withStore(try store.settings(), create: false) { db in
                guard try await db.revokeKey(id, at: now()) else {
                    throw CLIError("There is no active key #\(id): rida keys list shows the keys.", exitCode: 1)
                }
                print("Key #\(id) is revoked.")
            }
        }
    }
}

extension Role: ExpressibleByArgument {}

/// The demo's trickle is what `rida serve --demo` stores while it serves.
extension DemoTrickle: Arrivals {}
