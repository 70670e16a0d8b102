import ArgumentParser
import Foundation
import RidaAssessment
import RidaImport
import RidaReports
import RidaStore
import RidaSurvey

struct CentresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "centres",
        abstract: "The registry of government entities and their centres: the units assessments are about.",
        discussion: """
            Framework 1 assesses a headquarters centre; framework 2 assesses an entity through its one remote centre. \
            A centre first seen in imported responses is registered by itself and listed as needing its entity, kind and channels; \
            once the registry has centres, rida import rejects a response naming another one unless given --register-centres.
            """,
        subcommands: [Add.self, AddEntity.self, List.self, Import.self, History.self],
        defaultSubcommand: List.self
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a centre, or complete or change what the registry says of it (options left out keep their value)."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The centre's id, as responses name it (for example C01).")
        var id: String

        @Option(help: "The entity it belongs to (registered if new).")
        var entity: String?

        @Option(help: "headquarters or remote.")
        var kind: CentreKind?

        @Option(help: ArgumentHelp("The channels it serves, comma-separated (for example counter,kiosk).", valueName: "ids"))
        var channels: String?

        @Option(name: .customLong("operator"), help: "Who runs it: government, private or civil-society (a centre run by the private sector or civil society is assessed entity by entity).")
        var runBy: CentreOperator?

        @Option(help: ArgumentHelp("The government entities serving there, comma-separated (for a centre run by the private sector or civil society).", valueName: "ids"))
        var serves: String?

        @Option(help: ArgumentHelp("Why the guide leaves it out of its assessment: health, financial, education, temporary, or none.", valueName: "reason"))
        var excluded: String?

        @Option(help: "Its name in Arabic.")
        var ar: String?

        @Option(help: "Its name in English.")
        var en: String?

        func run() async throws {
            let settings = try store.settings()
            try await store.withStore(settings, create: true) { db in
                var centre = try await db.centre(id) ?? Centre(id: id)
                if let entity { centre.entity = entity }
                if let kind { centre.kind = kind }
                if let ar { centre.nameAr = ar }
                if let en { centre.nameEn = en }
                if let channels { centre.channels = splitList(channels) }
                if let runBy { centre.operator = runBy }
                if let serves { centre.servingEntities = splitList(serves) }
                if let excluded { centre.exclusion = try parseExclusion(excluded).get() }
                let problems = centre.channelProblems(in: settings.channels)
                if !problems.isEmpty {
                    throw CLIError("Centre \(id) was not saved: " + problems.map(\.reason).joined(separator: "; ") + ".")
                }
                try await db.saveCentre(centre, at: now())
                let missing = centre.missing
                print("Centre \(centre.id) saved" + (missing.isEmpty ? "." : "; still needs its \(missing.joined(separator: ", ")).")) 
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "How the registry described a centre after each change, oldest first.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The centre's id.")
        var id: String

        func run() async throws {
            try await store.withStore(try store.settings(), create: false) { db in
                let log = try await db.centreHistory(id)
                if log.isEmpty { throw CLIError("The registry has no centre \(id): rida centres list shows them.", exitCode: 1) }
                for (at, centre) in log {
                    let kind = centre.kind?.rawValue ?? "kind unknown"
                    let channels = centre.channels.isEmpty ? "no channels" : centre.channels.joined(separator: ",")
                    var extra = ""
                    if let runBy = centre.operator { extra += "  run by \(runBy.rawValue)" }
                    if !centre.servingEntities.isEmpty { extra += "  serving \(centre.servingEntities.joined(separator: ","))" }
                    if let exclusion = centre.exclusion { extra += "  excluded: \(exclusion.rawValue)" }
                    print("\(at.iso8601)  entity \(centre.entity ?? "unknown")  \(kind)  \(channels)\(extra)  \(centre.nameAr ?? "")  \(centre.nameEn ?? "")")
                }
            }
        }
    }

    struct AddEntity: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-entity", abstract: "Add a government entity, or rename it.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The entity's id (for example E01).")
        var id: String

        @Option(help: "Its name in Arabic.")
        var ar: String?

        @Option(help: "Its name in English.")
        var en: String?

        func run() async throws {
            try await store.withStore(try store.settings(), create: true) { db in
                try await db.saveEntity(Entity(id: id, nameAr: ar, nameEn: en))
                print("Entity \(id) saved.")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the entities and centres, and what the registry still needs.")

        @OptionGroup var store: StoreOptions

        @OptionGroup var listing: ListingFormat

        var format: OutputFormat { listing.format }

        @Option(help: "ar or en: which names to show.")
        var lang: Language = .en

        func run() async throws {
            try await store.withStore(try store.settings(), create: false) { db in
                let entities = try await db.entities()
                let centres = try await db.centres()
                // Each gap as a line: the library's sentence, then the command that completes it (no full stop in a list).
                let problems = Registry(entities: entities, centres: centres).gaps.map { gap in
                    gap.problem.reason + gap.next.commandLineHint.dropLast()
                }
                if format == .json {
                    struct Listing: Encodable { var entities: [Entity]; var centres: [Centre]; var problems: [String] }
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    print(String(decoding: try encoder.encode(Listing(entities: entities, centres: centres, problems: problems)), as: UTF8.self))
                    return
                }
                if entities.isEmpty && centres.isEmpty {
                    print("The registry is empty: rida centres add ID --entity E --kind headquarters --channels counter,kiosk.")
                    return
                }
                print("Entities")
                print(TextRendering.table(header: ["Entity", "Name", "Centres"], rows: entities.map { e in
                    [e.id, e.name(lang), centres.filter { $0.entity == e.id }.map(\.id).joined(separator: ", ")]
                }), terminator: "")
                print("\nCentres")
                print(TextRendering.table(header: ["Centre", "Entity", "Kind", "Channels", "Run by", "Serving", "Excluded", "Name", "Needs"], rows: centres.map { c in
                    [c.id, c.entity ?? "?", c.kind?.rawValue ?? "?", c.channels.joined(separator: ","), c.operator?.rawValue ?? "",
                     c.servingEntities.joined(separator: ","), c.exclusion?.rawValue ?? "", c.name(lang), c.missing.joined(separator: ", ")]
                }), terminator: "")
                if !problems.isEmpty {
                    print("\nTo complete")
                    for problem in problems { print("  " + problem) }
                }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or complete centres from a CSV file: all of its rows or none.",
            discussion: """
                Header (any order; only centre is required): centre,entity,kind,channels,operator,serves,excluded,name_ar,name_en, \
                entity_name_ar,entity_name_en. channels and serves list ids separated by ; or spaces (or commas inside a quoted \
                field); operator is government, private or civil-society; excluded is health, financial, education, temporary \
                or none. An empty cell keeps what the registry already says.
                """
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The CSV file.")
        var file: String

        func run() async throws {
            let settings = try store.settings()
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CLIError("\(file) cannot be read: check its path.")
            }
            try await store.withStore(settings, create: true) { db in
                var existing: [String: Centre] = [:]
                for centre in try await db.centres() { existing[centre.id] = centre }
                var reader = CSVReader(bytes: [UInt8](data))
                guard let headerRecord = try? reader.next() else { throw CLIError("\(file) is empty or its header is not CSV.") }
                let header = headerRecord.fields.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased() }
                let known = ["centre", "entity", "kind", "channels", "operator", "serves", "excluded", "name_ar", "name_en", "entity_name_ar", "entity_name_en"]
                var problems: [Problem] = header.filter { !known.contains($0) }.map { Problem(reason: "the column \"\($0)\" is not one Rida reads (\(known.joined(separator: ", ")))") }
                guard let centreColumn = header.firstIndex(of: "centre") else {
                    throw CLIError("The header of \(file) has no centre column (columns: \(known.joined(separator: ", "))).")
                }
                var centres: [Centre] = []
                var entities: [String: Entity] = [:]
                while true {
                    let record: CSVRecord?
                    do { record = try reader.next() } catch {
                        problems.append(Problem(reason: "a line has an unbalanced quote"))
                        continue
                    }
                    guard let record else { break }
                    func value(_ name: String) -> String? {
                        guard let i = header.firstIndex(of: name), i < record.fields.count else { return nil }
                        let text = String(decoding: record.fields[i], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                        return text.isEmpty ? nil : text
                    }
                    guard centreColumn < record.fields.count, let id = value("centre") else {
                        problems.append(Problem(line: record.line, reason: "centre is missing"))
                        continue
                    }
                    var centre = existing[id] ?? Centre(id: id)
                    if let entity = value("entity") {
                        centre.entity = entity
                        var e = entities[entity] ?? Entity(id: entity)
                        e.nameAr = value("entity_name_ar") ?? e.nameAr
                        e.nameEn = value("entity_name_en") ?? e.nameEn
                        entities[entity] = e
                    }
                    if let kind = value("kind") {
                        if let parsed = CentreKind(rawValue: kind.lowercased()) { centre.kind = parsed } else {
                            problems.append(Problem(line: record.line, field: "kind", reason: "\"\(kind)\" is not headquarters or remote"))
                        }
                    }
                    if let channels = value("channels") { centre.channels = splitList(channels) }
                    if let runBy = value("operator") {
                        if let parsed = CentreOperator(rawValue: runBy.lowercased()) { centre.operator = parsed } else {
                            problems.append(Problem(line: record.line, field: "operator", reason: "\"\(runBy)\" is not government, private or civil-society"))
                        }
                    }
                    if let serves = value("serves") { centre.servingEntities = splitList(serves) }
                    if let excluded = value("excluded") {
                        switch parseExclusion(excluded) {
                        case .success(let exclusion): centre.exclusion = exclusion
                        case .failure(let error): problems.append(Problem(line: record.line, field: "excluded", reason: error.description))
                        }
                    }
                    problems += (centre.operatorProblems + centre.channelProblems(in: settings.channels)).map { $0.located(.line(record.line)) }
                    centre.nameAr = value("name_ar") ?? centre.nameAr
                    centre.nameEn = value("name_en") ?? centre.nameEn
                    centres.append(centre)
                    existing[id] = centre
                }
                if !problems.isEmpty {
                    throw CLIError("Nothing was imported from \(file):\n" + problems.map { "  \($0)" }.joined(separator: "\n"), exitCode: 1)
                }
                try await db.saveCentres(centres, entities: entities.values.sorted { $0.id < $1.id }, at: now())
                print("\(file): \(centres.count) centre\(centres.count == 1 ? "" : "s") and \(entities.count) entit\(entities.count == 1 ? "y" : "ies") saved.")
            }
        }
    }
}

extension CentreKind: ExpressibleByArgument {}
extension CentreOperator: ExpressibleByArgument {}

/// An exclusion as the CLI and the registry's CSV name it; `none` clears it.
func parseExclusion(_ text: String) -> Result<CentreExclusion?, CLIError> {
    let lowered = text.lowercased()
    if lowered == "none" { return .success(nil) }
    if let exclusion = CentreExclusion(rawValue: lowered) { return .success(exclusion) }
    return .failure(CLIError("\"\(text)\" is not health, financial, education, temporary or none"))
}

/// Splits `a,b;c d` into its items.
func splitList(_ text: String) -> [String] {
    text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " || $0 == "|" }).map(String.init)
}
