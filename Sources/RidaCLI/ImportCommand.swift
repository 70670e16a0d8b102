import ArgumentParser
import Foundation
import RidaAssessment
import RidaImport
import RidaReports
import RidaPostgres
import RidaStore
import RidaSurvey
import RidaUseCases

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import survey responses (or, with --kind, Tawasul complaints, contact-centre records or customers served) from CSV, JSON Lines or Excel files.",
        discussion: """
            Canonical CSV header: id,centre,channel,submitted_at,q1,q2,q3,q4,service,counter,comment (any order; \
            stage may be added; id and the free-text columns are optional). JSON Lines objects use the same names. \
            Another system's export (CSV with commas, semicolons or tabs, or an .xlsx workbook) imports through a \
            mapping file (docs/mapping.md); rida mapping draft FILE writes one to start from.

            --kind tawasul: id,entity,channel,topic,received_at,answered_at,sla_days,status[,type,due_at]. \
            --kind contacts: id,entity,channel,contacted_at,answered_at. A record imported again with other content \
            (a complaint answered since) replaces the earlier one.

            --kind served: centre,channel,quarter,customers (quarter as 2026-Q1, customers a whole number of 0 or \
            more, channel one of the deployment's), the customers each centre served through each channel in a \
            quarter, from which the quarterly report gives each channel its response rate. A count imported again \
            for the same centre, channel and quarter replaces the earlier one. No mapping: the file has these columns.

            Valid rows are stored; every rejected row is reported with its line, field and reason. \
            An id already stored with the same content is a duplicate and is not counted again; with other \
            content it is a conflict, and the first stays. Files without ids get ids derived from each row's \
            content, so importing the same file twice counts nothing twice.

            Exit status: 0 when every row was stored or was a duplicate, 1 when any row was rejected or in \
            conflict, 2 when a file could not be imported at all.
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("CSV, JSON Lines or .xlsx files.", valueName: "file"))
    var files: [String]

    @Option(help: ArgumentHelp("A mapping file for another system's export (docs/mapping.md).", valueName: "file"))
    var mapping: String?

    @Option(help: "responses, tawasul, contacts or served.")
    var kind: ImportFile.Kind = .responses

    @Option(help: ArgumentHelp("Write the rejected rows to this file, with their problems, for correction.", valueName: "file"))
    var rejects: String?

    @Option(help: "Rows per transaction.")
    var batchSize: Int = Importer.defaultBatchSize

    @Flag(help: "Print no progress and only the summary.")
    var quiet = false

    @Flag(help: "Read and validate every row, report the problems, and store nothing.")
    var check = false

    @Flag(help: "Register centres the registry does not have yet (without it, when the registry has centres, a response naming another is rejected).")
    var registerCentres = false

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be 1 or more.") }
        if kind == .served, mapping != nil { throw ValidationError("--kind served reads the columns centre,channel,quarter,customers; leave out --mapping.") }
        if check, kind != .responses { throw ValidationError("--check reads survey responses only; leave it out with --kind \(kind.rawValue).") }
    }

    func run() async throws {
        let settings = try store.settings()
        var loadedMapping: ImportMapping?
        if let mapping {
            guard let data = FileManager.default.contents(atPath: mapping) else {
                throw CLIError("The mapping file \(mapping) cannot be read: check its path.")
            }
            loadedMapping = try ImportFile.mapping(data, name: mapping, for: kind)
        }
        // A check still needs a store to hand the importer, but writes nothing to it: use a throwaway one.
        let scratch = check ? FileManager.default.temporaryDirectory.appendingPathComponent("rida-check-\(UUID().uuidString).sqlite").path : nil
        defer { if let scratch { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: scratch + suffix) } } }
        // A database this run creates and leaves without any import recorded (every file unreadable) is removed again.
        let onPostgres = PostgresLocation.isPostgresURL(store.databasePath)
        let created = scratch == nil && !onPostgres && !FileManager.default.fileExists(atPath: store.databasePath)
        let opened: OpenedStore
        if let scratch {
            let scratchStore = try SQLiteStore(path: scratch, configuration: settings.storeConfiguration)
            opened = OpenedStore(store: scratchStore, sqlite: scratchStore, close: { try? scratchStore.close() })
        } else {
            opened = try await store.openStore(settings, create: true, connections: 4)
        }
        let worst: Int32
        let nothingRecorded: Bool
        do {
            worst = try await importFiles(into: opened, scratch: scratch, settings: settings,
                                          mapping: loadedMapping.map { ($0, mapping ?? "") })
            nothingRecorded = try await opened.store.imports().isEmpty
        } catch {
            await opened.close()
            throw error
        }
        await opened.close()
        if created, nothingRecorded {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store.databasePath + suffix) }
        }
        if worst != 0 { throw ExitCode(worst) }
    }

    /// Imports every file into the opened store; the exit status: 0, 1 when rows were rejected or in conflict, 2 when a
    /// file was refused.
    private func importFiles(into opened: OpenedStore, scratch: String?, settings: Settings,
                             mapping loaded: (ImportMapping, String)?) async throws -> Int32 {
        let db = opened.store
        var worst: Int32 = 0
        var importFile = ImportFile(store: db, validator: settings.validator, logger: makeLogger(), now: now)
        importFile.kind = kind
        if let loaded { importFile.mapping = loaded }
        importFile.batchSize = batchSize
        importFile.checkOnly = check
        if !registerCentres, kind == .responses {
            // The registry of the real database, also for a check (which imports into a scratch one).
            let known: Set<String>
            if scratch == nil {
                known = Set(try await db.centres().map(\.id))
            } else if PostgresLocation.isPostgresURL(store.databasePath) || FileManager.default.fileExists(atPath: store.databasePath) {
                known = try await store.withStore(settings, create: false) { Set(try await $0.centres().map(\.id)) }
            } else {
                known = []
            }
            if !known.isEmpty { importFile.knownCentres = known }
        }
        let showProgress = !quiet && isTerminal(STDERR_FILENO)
        var rejectsOut = RejectsWriter()
        var total = SaveTally()
        for file in files {
            let summary: ImportSummary
            do {
                summary = try await importFile.run(file, progress: showProgress ? Self.showProgress : nil)
            } catch let error as ImportError {
                if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
                printError(error.description)
                worst = 2
                continue
            }
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            total.add(summary.tally)
            print(Self.describe(summary, quiet: quiet, checkOnly: check))
            rejectsOut.add(summary)
            if summary.tally.rejected > 0 || summary.tally.conflicts > 0 { worst = max(worst, 1) }
        }
        if files.count > 1 {
            print("Total: \(total.accepted) accepted, \(total.duplicates) duplicate, \(total.conflicts) conflict, \(total.rejected) rejected.")
        }
        if let rejects {
            if rejectsOut.rows.isEmpty {
                print("No rows rejected; \(rejects) was not written.")
            } else {
                try emit(rejectsOut.text, to: rejects)
                print("Rejected rows written to \(rejects).")
            }
        }
        return worst
    }

    @Sendable static func showProgress(_ progress: ImportProgress) {
        let percent = Int(progress.fraction * 100)
        FileHandle.standardError.write(Data("\r\(progress.file): \(percent)%  \(progress.rows) rows".utf8))
    }

    static func describe(_ summary: ImportSummary, quiet: Bool, checkOnly: Bool = false) -> String {
        let t = summary.tally
        var lines: [String]
        if let replaced = summary.replaced {
            lines = ["\(summary.file): \(t.accepted) counts of customers served stored (\(t.accepted - replaced) new, replaced \(replaced)), \(t.rejected) rejected (import #\(summary.importID), sha256 \(summary.sha256.prefix(16))…)."]
        } else if checkOnly {
            lines = ["\(summary.file): \(t.accepted) valid, \(t.rejected) rejected; nothing stored (--check)."]
        } else {
            lines = ["\(summary.file): \(t.accepted) accepted\(summary.updated > 0 ? " (\(summary.updated) updating earlier records)" : ""), \(t.duplicates) duplicate, \(t.conflicts) conflict, \(t.rejected) rejected (import #\(summary.importID), sha256 \(summary.sha256.prefix(16))…)."]
        }
        if !summary.ignoredColumns.isEmpty {
            lines.append("  Columns not read: \(summary.ignoredColumns.prefix(8).joined(separator: ", "))\(summary.ignoredColumns.count > 8 ? ", …" : "").")
        }
        let shown = quiet ? 0 : 20
        for conflict in summary.conflicts.prefix(shown) {
            lines.append("  line \(conflict.line): id \(conflict.id) is already stored with another \(conflict.fields.joined(separator: ", ")); the first stays.")
        }
        for row in summary.rejected.prefix(shown) {
            for problem in row.problems { lines.append("  " + problem.description) }
        }
        let hidden = max(0, summary.rejected.count - shown) + max(0, summary.conflicts.count - shown)
        if hidden > 0 { lines.append("  … and \(hidden) more rows; --rejects FILE writes them all out.") }
        return lines.joined(separator: "\n")
    }
}

/// Collects rejected and conflicting rows into one file for correction: the source's own columns
/// (so the corrected file imports with the same mapping) plus `rida_line` and `rida_problems`.
struct RejectsWriter {
    var header: [String]?
    var rows: [String] = []

    mutating func add(_ summary: ImportSummary) {
        if let sourceHeader = summary.header {
            if header == nil {
                header = sourceHeader + ["rida_file", "rida_line", "rida_problems"]
            }
            for row in summary.rejected {
                rows.append(csvRow(row.original + Array(repeating: nil, count: max(0, sourceHeader.count - row.original.count)),
                                   file: summary.file, line: row.line, problems: row.problems.map(\.description)))
            }
            for conflict in summary.conflicts {
                rows.append(csvRow(Array(repeating: nil, count: sourceHeader.count), file: summary.file, line: conflict.line,
                                   problems: ["id \(conflict.id) is already stored with other content (\(conflict.fields.joined(separator: ", ")))"]))
            }
        } else {
            for row in summary.rejected {
                let original = row.original.first.flatMap { $0 } ?? ""
                let object: [String: Any] = ["rida_file": summary.file, "rida_line": row.line,
                                             "rida_problems": row.problems.map(\.description), "rida_original": original]
                if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
                    rows.append(String(decoding: data, as: UTF8.self) + "\n")
                }
            }
        }
    }

    func csvRow(_ values: [String?], file: String, line: Int, problems: [String]) -> String {
        CSVWriter.row(values.map { $0 ?? "" } + [file, "\(line)", problems.joined(separator: "; ")])
    }

    var text: String {
        guard let header else { return rows.joined() }
        return "\u{FEFF}" + CSVWriter.row(header) + rows.joined()
    }
}

struct ImportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imports",
        abstract: "List the imports recorded in the database: source, SHA-256, time and counts."
    )

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let records = try await store.withStore(try store.settings(), create: false) { try await $0.imports() }
        if records.isEmpty {
            print("No imports recorded in \(store.databaseName).")
            return
        }
        let rows = records.map { r in
            ["\(r.id)", r.source, String(r.sha256.prefix(16)) + "…", r.startedAt, r.reason == nil ? r.status : "refused",
             "\(r.tally.accepted)", "\(r.tally.duplicates)", "\(r.tally.conflicts)", "\(r.tally.rejected)"]
        }
        print(TextRendering.table(header: ["#", "Source", "SHA-256", "Started", "Status", "Accepted", "Duplicate", "Conflict", "Rejected"],
                               rows: rows), terminator: "")
        for r in records {
            if let reason = r.reason { print("#\(r.id) refused: \(reason)") }
        }
    }
}

extension ImportFile.Kind: ExpressibleByArgument {}
