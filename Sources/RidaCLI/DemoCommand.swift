import ArgumentParser
import Foundation
import RidaAggregation
import RidaDemo
import RidaReports
import RidaStore
import RidaSurvey

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a realistic demo database and print its latest quarterly report.",
        discussion: """
            Five centres (three headquarters, two remote), every channel, the eight quarters up to the last \
            completed one, Arabic and English comments, and a few channels below the guide's thresholds. \
            The demo is the same every time for the same date.
            """
    )

    @Option(help: ArgumentHelp("The demo database file; rebuilt if it exists.", valueName: "path"))
    var db = "rida-demo.sqlite"

    @Option(help: ArgumentHelp("A JSON settings file; see docs/configuration.md.", valueName: "file"))
    var config: String?

    @Option(help: "text, json or csv.")
    var format: DemoFormat = .text

    enum DemoFormat: String, ExpressibleByArgument, CaseIterable { case text, json, csv }

    func run() async throws {
        var settings = try Settings.load(path: config ?? ProcessInfo.processInfo.environment["RIDA_CONFIG"])
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: db + suffix) {
            do {
                if suffix.isEmpty, try !Self.isDemo(db, settings) {
                    throw CLIError("\(db) exists and is not a Rida demo database: choose another --db path.")
                }
                try FileManager.default.removeItem(atPath: db + suffix)
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError("Cannot replace \(db): \(error.localizedDescription)")
            }
        }
        settings.durability = .normal  // a demo needs no power-cut durability; it builds faster
        let store = try SQLiteStore(path: db, configuration: settings.storeConfiguration, create: true)
        defer { try? store.close() }
        print("Building the demo in \(db)…")
        let quarters = try await DemoData().populate(store, now: now())
        let latest = quarters.last!
        let count = try await store.responseCount()
        print("\(count) responses over \(quarters.first!)–\(latest). The report of \(latest):\n")
        let report = try await store.quarterlyReport(ReportScope(quarter: latest), policy: settings.policy, channels: settings.channels)
        switch format {
        case .text: print(TextRendering.render(report, channels: settings.channels), terminator: "")
        case .json: print(try JSONRendering.render(report), terminator: "")
        case .csv: print(CSVRendering.render(report), terminator: "")
        }
        print("""

            Next: rida report --db \(db) --quarter \(latest.previous) --format json
                  rida report --db \(db) --quarter \(latest) --centre C03
                  rida report --db \(db) --quarter \(latest) --centre C03 --format html --out report.html
            """)
    }

    /// Whether the file at `path` is a demo database: every response id starts with "demo-".
    static func isDemo(_ path: String, _ settings: Settings) throws -> Bool {
        guard let store = try? SQLiteStore(path: path, configuration: settings.storeConfiguration, create: false) else { return false }
        defer { try? store.close() }
        return (try? store.holdsOnlyDemoData()) ?? false
    }
}
