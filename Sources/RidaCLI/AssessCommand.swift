import ArgumentParser
import Foundation
import RidaAssessment
import RidaImport
import RidaReports
import RidaStore
import RidaSurvey
import RidaUseCases

struct AssessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assess",
        abstract: "Assess a centre (framework 1) or an entity's remote service (framework 2) against the guide's criteria.",
        discussion: """
            Evaluators record a verdict for each criterion checked by people, with a note, the mechanism used and \
            evidence; the satisfaction criteria are computed from the data. The history is append-only: every change \
            keeps who, when, what and why. See docs/assessment.md.

            rida assess open --framework 1 --centre C01 --cycle 2026 --by "Evaluator name"
            rida assess record C01-2026 1.1.1 --verdict met --mechanism field-visit --note "…" --evidence photo.jpg
            rida assess status C01-2026
            rida assess show C01-2026 --format html --out C01-2026.html
            rida assess close C01-2026 --by "Evaluator name"
            """,
        subcommands: [Open.self, Record.self, Import.self, Checklist.self, Describe.self, Status.self, Show.self, List.self, History.self,
                      Close.self, ScoreReply.self, Replies.self]
    )

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open an assessment of a centre (framework 1) or an entity (framework 2) for a cycle.")

        @OptionGroup var store: StoreOptions

        @Option(help: "1 (headquarters, a centre) or 2 (remote, an entity).")
        var framework: Int

        @Option(help: "The centre (framework 1).")
        var centre: String?

        @Option(help: "The entity (framework 2; with framework 1, the entity assessed at a centre run by the private sector or civil society).")
        var entity: String?

        @Option(help: "The cycle: a year, such as 2026.")
        var cycle: Int

        @Option(help: ArgumentHelp("The period's first quarter, such as 2025-Q4 (default: the cycle's Q1).", valueName: "quarter"))
        var from: String?

        @Option(help: ArgumentHelp("The period's last quarter, such as 2026-Q3 (default: the cycle's Q4).", valueName: "quarter"))
        var to: String?

        @Option(help: "The evaluator's name (default: $RIDA_EVALUATOR).")
        var by: String?

        /// The span of quarters given, or nil for the cycle's four.
        var period: ClosedRange<Quarter>? {
            guard from != nil || to != nil else { return nil }
            let first = from.flatMap(Quarter.init) ?? Quarter(year: cycle, number: 1)
            let last = to.flatMap(Quarter.init) ?? Quarter(year: cycle, number: 4)
            return first <= last ? first...last : nil
        }

        func validate() throws {
            for (name, text) in [("--from", from), ("--to", to)] {
                if let text, Quarter(text) == nil { throw ValidationError("\(name): \(Quarter.spellingProblem(text))") }
            }
            if (from != nil || to != nil), period == nil { throw ValidationError("--from must not come after --to.") }
            guard let f = Framework(rawValue: framework) else { throw ValidationError("--framework must be 1 or 2.") }
            switch f {
            case .headquarters where centre == nil:
                throw ValidationError("Framework 1 assesses a centre: give --centre ID (and --entity only for a centre run by the private sector or civil society).")
            case .remote where entity == nil || centre != nil:
                throw ValidationError("Framework 2 assesses an entity's remote service: give --entity ID (and no --centre).")
            default: break
            }
            if !(2000...2100).contains(cycle) { throw ValidationError("--cycle is a year, such as 2026.") }
        }

        func run() async throws {
            let who = try evaluatorName(by)
            try await store.withStore(try store.settings(), create: true) { db in
                let f = Framework(rawValue: framework)!
                let assessment = f == .headquarters
                    ? Assessment(framework: f, unit: centre!, cycle: cycle, openedAt: now(), openedBy: who, period: period, entity: entity)
                    : Assessment(framework: f, unit: entity!, cycle: cycle, openedAt: now(), openedBy: who, period: period)
                try await db.openAssessment(assessment)
                let count = Catalogue.standard[f].criteria.count
                print("Opened \(assessment.id): framework \(f.rawValue), \(f == .headquarters ? "centre" : "entity") \(assessment.unit), cycle \(cycle), period \(assessment.period), \(count) criteria.")
                print("Next: rida assess checklist \(assessment.id) > checklist.csv   (fill it in, then rida assess import \(assessment.id) checklist.csv)")
            }
        }
    }

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a verdict for one criterion (appended to the history; nothing is overwritten).",
            discussion: """
                A not-applicable verdict, an override of a verdict computed from data, and a change of an earlier \
                verdict each need the reason in --note. --verdict computed withdraws an override. \
                --evidence takes a file (its SHA-256 is recorded), a URL, or import:N (an import's number).
                """
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The assessment, such as C01-2026.")
        var assessment: String

        @Argument(help: "The criterion, such as 2.3.4.")
        var criterion: String

        @Option(help: ArgumentHelp("\(RecordedVerdict.spellings).", valueName: "verdict"))
        var verdict: String

        @Option(help: "Why: what was seen, or the reason.")
        var note: String?

        @Option(help: ArgumentHelp(Mechanism.spellings + ".", valueName: "mechanism"))
        var mechanism: String?

        @Option(help: ArgumentHelp("A file, a URL or import:N; repeat for more.", valueName: "evidence"))
        var evidence: [String] = []

        @Option(help: "The evaluator's name (default: $RIDA_EVALUATOR).")
        var by: String?

        func validate() throws {
            if RecordedVerdict(text: verdict) == nil { throw ValidationError("--verdict must be one of: \(RecordedVerdict.spellings).") }
            if let mechanism, Mechanism(text: mechanism) == nil { throw ValidationError("--mechanism must be one of: \(Mechanism.spellings).") }
        }

        func run() async throws {
            let who = try evaluatorName(by)
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let references = try await ImportChecklist.evidenceReferences(evidence, store: db, relativeTo: nil)
                let entry = HistoryEntry(assessment: assessment, criterion: criterion, verdict: RecordedVerdict(text: verdict)!,
                                         evaluator: who, at: now(), note: note, mechanism: mechanism.flatMap(Mechanism.init(text:)),
                                         evidence: references)
                let stored = try await RecordVerdicts(store: db, policy: settings.policy).run([entry], at: entry.at)
                print("Recorded \(assessment) \(criterion): \(entry.verdict.rawValue) (entry #\(stored[0].sequence)).")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a filled-in checklist (CSV or JSON): all of its entries or none.",
            discussion: """
                CSV header: criterion,verdict,note,mechanism,evidence,evaluator (any order; other columns, such as the \
                text that rida assess checklist writes, are ignored). Rows with no verdict are skipped. evidence lists \
                files, URLs or import:N separated by ";"; files are read relative to the checklist's folder. \
                JSON: an array of objects with the same keys.
                """
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The assessment, such as C01-2026.")
        var assessment: String

        @Argument(help: "The checklist file.")
        var file: String

        @Option(help: "The evaluator's name for rows that give none (default: $RIDA_EVALUATOR).")
        var by: String?

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("\(file) cannot be read: check its path.") }
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let outcome: ImportChecklist.Outcome
                do {
                    outcome = try await ImportChecklist(store: db, policy: settings.policy, now: now).run(
                        data, name: file, assessment: assessment, evaluator: try? evaluatorName(by),
                        folder: (file as NSString).deletingLastPathComponent)
                } catch let error as UseCaseError where error.code == "invalid_checklist" && !error.problems.isEmpty {
                    throw CLIError(error.description, exitCode: 1)
                }
                let (stored, described) = (outcome.recorded, outcome.described)
                if stored.isEmpty && described.isEmpty {
                    print("\(file): no row has a verdict; nothing to record.")
                    return
                }
                print("\(file): \(stored.count) verdict\(stored.count == 1 ? "" : "s") recorded for \(assessment)"
                      + (described.isEmpty ? "." : ", and \(described.count) text\(described.count == 1 ? "" : "s") of the descriptive evaluation."))
            }
        }
    }

    struct Checklist: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a blank checklist (CSV) of the criteria evaluators check, to fill in in the field and import.",
            discussion: "The criteria decided from data are left out unless --all is given (recording one overrides the data)."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The assessment, such as C01-2026.")
        var assessment: String

        @Flag(help: "Include the criteria decided from data.")
        var all = false

        @Option(help: "ar or en: the language of the criterion text column.")
        var lang: Language = .ar

        @OptionGroup var output: OutputFile

        var out: String? { output.out }

        func run() async throws {
            try await store.withStore(try store.settings(), create: false) { db in
                guard let found = try await db.assessment(assessment) else {
                    throw CLIError("There is no assessment \(assessment): rida assess list shows the open ones.")
                }
                var text = "\u{FEFF}" + CSVWriter.row(["criterion", "verdict", "note", "mechanism", "evidence", "evaluator", "text"])
                for criterion in Catalogue.standard[found.framework].criteria where all || criterion.decidedBy == .evidence {
                    text += CSVWriter.row([criterion.id, "", "", "", "", "", criterion.text[lang]])
                }
                // The form's descriptive evaluation: its text goes in the note column.
                for item in DescriptionItem.of(found.framework) {
                    text += CSVWriter.row([item.spelling, "", "", "", "", "", item.name[lang]])
                }
                try emit(text, to: out)
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the form's descriptive evaluation: appendix 5's strengths and areas to develop, appendix 6's channel strengths and services.",
            discussion: "Each text is appended; the latest per item is the one the form prints. A checklist row whose criterion is strengths, areas-to-develop, channel-strengths or services records its note the same way."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The assessment, such as C01-2026.")
        var assessment: String

        @Option(help: "Appendix 5: the centre's strengths.")
        var strengths: String?

        @Option(name: .customLong("areas-to-develop"), help: "Appendix 5: the aspects that need development.")
        var areasToDevelop: String?

        @Option(name: .customLong("channel-strengths"), help: "Appendix 6: the excellence of the channels the entity adopted.")
        var channelStrengths: String?

        @Option(help: "Appendix 6: the services offered through them.")
        var services: String?

        @Option(help: "The evaluator's name (default: $RIDA_EVALUATOR).")
        var by: String?

        func run() async throws {
            let who = try evaluatorName(by)
            try await store.withStore(try store.settings(), create: false) { db in
                let given: [(DescriptionItem, String?)] = [(.strengths, strengths), (.development, areasToDevelop),
                                                           (.channelStrengths, channelStrengths), (.services, services)]
                let texts = given.compactMap { item, text in text.map { (item: item, text: $0) } }
                if texts.isEmpty {
                    throw CLIError("Give at least one of --strengths, --areas-to-develop (appendix 5), --channel-strengths, --services (appendix 6).")
                }
                let stored = try await DescribeAssessment(store: db, now: now).run(assessment, texts: texts, evaluator: who)
                print("Recorded for \(assessment): " + stored.map(\.item.spelling).joined(separator: ", ") + ".")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The shield reached, and what stands between the unit and the next one.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The assessment, such as C01-2026.")
        var assessment: String

        @Option(help: "ar or en.")
        var lang: Language = .en

        @OptionGroup var listing: ListingFormat

        var format: OutputFormat { listing.format }

        func run() async throws {
            let settings = try store.settings()
            try await store.withReadStore(settings) { db in
                let sheet = try await db.assessmentSheet(assessment, policy: settings.policy, now: now())
                switch format {
                case .json:
                    struct StatusView: Encodable {
                        var assessment: Assessment
                        var classification: Classification
                        var verdicts: [String: Int]
                        var computed: [ComputedVerdict]
                    }
                    var counts: [String: Int] = [:]
                    for line in sheet.lines { counts[line.verdict.rawValue, default: 0] += 1 }
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    let view = StatusView(assessment: sheet.assessment, classification: sheet.classification, verdicts: counts,
                                          computed: sheet.lines.compactMap(\.computed))
                    print(String(decoding: try encoder.encode(view), as: UTF8.self))
                case .text:
                    print(Self.text(sheet, lang), terminator: "")
                }
            }
        }

        static func text(_ sheet: AssessmentSheet, _ language: Language) -> String {
            let a = sheet.assessment
            var out = "\(a.id): framework \(a.framework.rawValue), \(a.framework == .headquarters ? "centre" : "entity") \(a.unit)"
            if let name = sheet.unitName { out += " (\(name[language]))" }
            out += ", cycle \(a.cycle), period \(a.period)\n"
            if let closing = a.closing {
                out += "Closed by \(closing.by) at \(closing.at.iso8601): the computed verdicts are final, frozen on \(closing.quarters.map(\.description).joined(separator: ", ")).\n"
            } else {
                out += "Open: the computed verdicts are provisional, on the quarters ended so far (rida assess close \(a.id) makes them final).\n"
            }
            for line in AssessmentForm.standing(sheet.classification, language) { out += line + "\n" }
            var counts: [Verdict: Int] = [:]
            for line in sheet.lines { counts[line.verdict, default: 0] += 1 }
            out += "Verdicts: " + Verdict.allCases.map { "\($0.label.en) \(counts[$0] ?? 0)" }.joined(separator: ", ") + ".\n"
            let data = sheet.lines.filter { $0.computed != nil }
            if !data.isEmpty {
                out += "\nFrom the data (the engine's proposal; the team's recorded verdict decides):\n"
                for line in data {
                    let computed = line.computed!
                    out += "  \(line.criterion.id)  \(computed.label)"
                    if let recorded = line.recorded, recorded.verdict != .computed {
                        out += " (recorded: \(line.verdict.label.en), \(recorded.evaluator))"
                    }
                    out += " — \(computed.summary)\n"
                    for caution in computed.cautions.prefix(3) { out += "      caution: \(caution)\n" }
                }
            }
            return out
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render the guide's form: appendix 5 (framework 1: basic, then advanced) or appendix 6 (framework 2).",
            discussion: "HTML is Arabic and right to left unless --lang en, self-contained, and prints on A4."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The assessment, such as C01-2026.")
        var assessment: String

        @Option(help: "text, json or html.")
        var format: FormFormat = .text

        @OptionGroup var language: LanguageOption

        var lang: Language { language.lang }

        @OptionGroup var output: OutputFile

        var out: String? { output.out }

        enum FormFormat: String, ExpressibleByArgument, CaseIterable { case text, json, html }

        func run() async throws {
            let settings = try store.settings()
            try await store.withReadStore(settings) { db in
                let sheet = try await db.assessmentSheet(assessment, policy: settings.policy, now: now())
                let text: String
                switch format {
                case .text: text = AssessmentForm(sheet).text(lang)
                case .json: text = try AssessmentForm.json(sheet)
                case .html: text = AssessmentForm(sheet).html(lang)
                }
                try emit(text, to: out)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the assessments and the shield each has reached.")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let settings = try store.settings()
            try await store.withReadStore(settings) { db in
                let assessments = try await db.assessments()
                if assessments.isEmpty {
                    print("No assessments yet: rida assess open --framework 1 --centre C01 --cycle 2026.")
                    return
                }
                let time = now()
                var rows: [[String]] = []
                for a in assessments {
                    let sheet = try await db.assessmentSheet(a.id, policy: settings.policy, now: time)
                    let next = sheet.classification.next.flatMap { sheet.classification.standing($0) }
                    rows.append([a.id, "\(a.framework.rawValue)", a.unit, "\(a.cycle)", sheet.classification.reached?.rawValue ?? "none",
                                 next.map { "\($0.shield.rawValue): \($0.satisfied)/\($0.required)" } ?? "–", a.openedBy])
                }
                print(TextRendering.table(header: ["Assessment", "Framework", "Unit", "Cycle", "Shield", "Next", "Opened by"], rows: rows), terminator: "")
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every entry of an assessment's history, oldest first.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The assessment, such as C01-2026.")
        var assessment: String

        @Option(help: "Only this criterion.")
        var criterion: String?

        @OptionGroup var listing: ListingFormat

        var format: OutputFormat { listing.format }

        func run() async throws {
            try await store.withReadStore(try store.settings()) { db in
                guard try await db.assessment(assessment) != nil else {
                    throw CLIError("There is no assessment \(assessment): rida assess list shows the open ones.")
                }
                let entries = try await db.history(of: assessment).filter { criterion == nil || $0.criterion == criterion }
                if format == .json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    print(String(decoding: try encoder.encode(entries), as: UTF8.self))
                    return
                }
                print(TextRendering.table(header: ["#", "When", "Criterion", "Verdict", "By", "Mechanism", "Note", "Evidence"], rows: entries.map { e in
                    ["\(e.sequence)", String(e.at.iso8601.prefix(16)), e.criterion, e.verdict.rawValue, e.evaluator,
                     e.mechanism?.rawValue ?? "", e.note ?? "", e.evidence.map(\.description).joined(separator: "; ")]
                }), terminator: "")
            }
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close an assessment: its computed verdicts, with their figures, become final.",
            discussion: """
                The verdicts computed now, on the quarters of the period ended so far, are frozen with their checks and \
                figures in the append-only history; later imports no longer change them, and nothing more is recorded.
                """
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The assessment, such as C01-2026.")
        var assessment: String

        @Option(help: "The evaluator's name (default: $RIDA_EVALUATOR).")
        var by: String?

        func run() async throws {
            let who = try evaluatorName(by)
            let settings = try store.settings()
            try await store.withStore(settings, create: false) { db in
                let sheet = try await db.closeAssessment(assessment, by: who, policy: settings.policy, now: now())
                let quarters = sheet.assessment.closing?.quarters.map(\.description).joined(separator: ", ") ?? ""
                print("Closed \(assessment): \(sheet.lines.filter { $0.computed != nil }.count) computed verdicts frozen on \(quarters.isEmpty ? "no ended quarter" : quarters).")
                for line in AssessmentForm.standing(sheet.classification, .en) { print(line) }
            }
        }
    }

    struct ScoreReply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "score-reply",
            abstract: "Score an entity's reply to a Tawasul complaint on appendix 4's four items (5 = strongly agree … 1 = strongly disagree)."
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "The entity that replied.")
        var entity: String

        @Option(help: "The Tawasul complaint's id.")
        var complaint: String

        @Option(help: ArgumentHelp("Four scores 1-5, comma-separated, items 1 to 4 (for example 5,4,4,5).", valueName: "scores"))
        var scores: String

        @Option(help: "A note.")
        var note: String?

        @Option(help: "The evaluator's name (default: $RIDA_EVALUATOR).")
        var by: String?

        func run() async throws {
            let who = try evaluatorName(by)
            let values = splitList(scores).map { Int($0) ?? 0 }
            try await store.withStore(try store.settings(), create: true) { db in
                let id = try await db.saveReplyScore(ReplyScore(complaint: complaint, entity: entity, evaluator: who, at: now(), scores: values, note: note))
                print("Reply to \(complaint) scored (#\(id)).")
            }
        }
    }

    struct Replies: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The appendix-4 scores of Tawasul replies, summarised per entity.")

        @OptionGroup var store: StoreOptions

        @Option(help: "Only this entity.")
        var entity: String?

        @OptionGroup var listing: ListingFormat

        var format: OutputFormat { listing.format }

        func run() async throws {
            try await store.withReadStore(try store.settings()) { db in
                let scores = try await db.replyScores(entity: entity)
                let summaries = Dictionary(grouping: scores, by: \.entity).sorted { $0.key < $1.key }
                    .map { ReplyScoreSummary(entity: $0.key, scores: $0.value) }
                if format == .json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    print(String(decoding: try encoder.encode(summaries), as: UTF8.self))
                    return
                }
                if summaries.isEmpty {
                    print("No replies scored yet: rida assess score-reply --entity E --complaint ID --scores 5,4,4,5.")
                    return
                }
                func f(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "–" }
                print(TextRendering.table(header: ["Entity", "Replies", "Item 1", "Item 2", "Item 3", "Item 4", "Mean"], rows: summaries.map { s in
                    [s.entity, "\(s.replies)"] + s.itemMeans.map(f) + [f(s.mean)]
                }, rightAligned: [1, 2, 3, 4, 5, 6]), terminator: "")
            }
        }
    }
}
