import Foundation
import RidaAggregation
import RidaAssessment
import RidaImport
import RidaStore
import RidaSurvey

/// Records a filled-in checklist, CSV or JSON: `rida assess import`. All of its entries, or none with every problem
/// named by line and field.
///
/// CSV: a header with criterion and verdict columns, and note, mechanism, evidence and evaluator when given (any order;
/// other columns, such as the text `rida assess checklist` writes, are ignored). JSON: an array of objects with the
/// same keys. Rows without a verdict are skipped; a row naming an item of the descriptive evaluation records its note
/// as the item's text. Evidence lists files, URLs or `import:N` separated by `;`.
public struct ImportChecklist: Sendable {
    /// The assessments, and the import records evidence may name: any store, SQLite's or another.
    public let store: any AssessmentStore & ResponseStore
    public let policy: ThresholdPolicy
    public let now: @Sendable () -> Instant

    public init(store: any AssessmentStore & ResponseStore, policy: ThresholdPolicy, now: @escaping @Sendable () -> Instant) {
        self.store = store
        self.policy = policy
        self.now = now
    }

    /// What was recorded: the verdicts, and the texts of the descriptive evaluation. Both empty when no row has a verdict.
    public struct Outcome: Sendable {
        public var recorded: [HistoryEntry]
        public var described: [DescriptionEntry]
    }

    /// Records checklist `data` (the file called `name`) for `assessment`. `evaluator` names the evaluator of rows that
    /// give none; evidence files are read relative to `folder`.
    public func run(_ data: Data, name: String, assessment: String, evaluator: String?, folder: String?) async throws -> Outcome {
        let rows = try Self.rows(data, name: name)
        var entries: [HistoryEntry] = []
        var descriptions: [DescriptionEntry] = []
        var problems: [Problem] = []
        let time = now()
        let noEvaluator = "no evaluator (give an evaluator column, --by NAME or RIDA_EVALUATOR)"
        func nonBlank(_ text: String?) -> String? {
            text.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        }
        for row in rows {
            let who = nonBlank(row.values["evaluator"]) ?? evaluator
            // A row naming an item of the descriptive evaluation records its note as the item's text.
            if let item = row.values["criterion"].flatMap(DescriptionItem.init(text:)) {
                guard let text = nonBlank(row.values["note"]) else { continue }
                guard let who else {
                    problems.append(checklistProblem(line: row.line, reason: noEvaluator))
                    continue
                }
                descriptions.append(DescriptionEntry(assessment: assessment, item: item, text: text, evaluator: who, at: time))
                continue
            }
            guard let verdictText = row.values["verdict"], !verdictText.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            guard let criterion = row.values["criterion"]?.trimmingCharacters(in: .whitespaces), !criterion.isEmpty else {
                problems.append(checklistProblem(line: row.line, reason: "criterion is missing"))
                continue
            }
            guard let verdict = RecordedVerdict(text: verdictText) else {
                problems.append(checklistProblem(line: row.line, field: "verdict", reason: "\"\(verdictText)\" is not one of \(RecordedVerdict.spellings)"))
                continue
            }
            var mechanism: Mechanism?
            if let text = row.values["mechanism"], !text.trimmingCharacters(in: .whitespaces).isEmpty {
                mechanism = Mechanism(text: text)
                if mechanism == nil {
                    problems.append(checklistProblem(line: row.line, field: "mechanism", reason: "\"\(text)\" is not one of \(Mechanism.spellings)"))
                }
            }
            guard let who else {
                problems.append(checklistProblem(line: row.line, reason: noEvaluator))
                continue
            }
            let items = (row.values["evidence"] ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            var references: [EvidenceReference] = []
            do {
                references = try await Self.evidenceReferences(items, store: store, relativeTo: folder)
            } catch {
                problems.append(checklistProblem(line: row.line, field: "evidence", reason: "\(error)"))
            }
            entries.append(HistoryEntry(assessment: assessment, criterion: criterion, verdict: verdict, evaluator: who,
                                        at: time, note: nonBlank(row.values["note"]), mechanism: mechanism, evidence: references))
        }
        if !descriptions.isEmpty, let found = try await store.assessment(assessment) {
            problems += descriptions.flatMap { $0.problems(framework: found.framework) }
        }
        if !problems.isEmpty {
            throw UseCaseError(.invalid, code: "invalid_checklist",
                               "Nothing was recorded from \(name):\n" + problems.map { "  " + $0.description }.joined(separator: "\n"),
                               problems: problems)
        }
        var outcome = Outcome(recorded: [], described: [])
        if !entries.isEmpty { outcome.recorded = try await RecordVerdicts(store: store, policy: policy).run(entries, at: time) }
        if !descriptions.isEmpty { outcome.described = try await store.recordDescriptions(descriptions) }
        return outcome
    }

    /// The references `items` name: URLs, `import:N` (an import that exists), or files (hashed now), relative to
    /// `folder` when given. Also what `rida assess record --evidence` reads.
    public static func evidenceReferences(_ items: [String], store: any ResponseStore, relativeTo folder: String?) async throws -> [EvidenceReference] {
        var references: [EvidenceReference] = []
        var importIDs: Set<Int64>?
        for item in items {
            switch EvidenceReference.read(item) {
            case .failure(let problem):
                throw problem
            case .success(.url(let url)):
                references.append(.url(url))
            case .success(.importRecord(let id)):
                if importIDs == nil { importIDs = Set(try await store.imports().map(\.id)) }
                guard importIDs!.contains(id) else {
                    throw UseCaseError(.notFound, code: "unknown_import", "There is no import #\(id).", next: .listImports)
                }
                references.append(.importRecord(id))
            case .success(.file(let item)):
                let path = (folder.map { !$0.isEmpty && !item.hasPrefix("/") } ?? false) ? (folder! as NSString).appendingPathComponent(item) : item
                references.append(try EvidenceFile.reference(path))
            }
        }
        return references
    }

    /// The rows of a checklist file, CSV or a JSON array of objects, as field name → text, with the line (CSV) or the
    /// 1-based position (JSON) of each.
    static func rows(_ data: Data, name: String) throws -> [(line: Int, values: [String: String])] {
        var start = data.startIndex
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { start += 3 }
        let first = data[start...].first { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }
        if first == UInt8(ascii: "[") {
            guard let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
                throw invalidFile("\(name) is not a JSON array of objects with criterion, verdict, note, mechanism, evidence and evaluator.")
            }
            return array.enumerated().map { index, object in
                var values: [String: String] = [:]
                for (key, value) in object {
                    if let text = value as? String { values[key] = text } else if let list = value as? [String] { values[key] = list.joined(separator: ";") } else { values[key] = "\(value)" }
                }
                return (index + 1, values)
            }
        }
        var reader = CSVReader(bytes: [UInt8](data))
        guard let header = try? reader.next() else { throw invalidFile("\(name) is empty or not CSV.") }
        let names = header.fields.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased() }
        guard names.contains("criterion"), names.contains("verdict") else {
            throw invalidFile("The header of \(name) needs criterion and verdict columns (criterion,verdict,note,mechanism,evidence,evaluator).")
        }
        var rows: [(line: Int, values: [String: String])] = []
        while true {
            let record: CSVRecord?
            do { record = try reader.next() } catch { throw invalidFile("\(name) has a broken quote: \(error).") }
            guard let record else { break }
            var values: [String: String] = [:]
            for (i, field) in record.fields.enumerated() where i < names.count {
                values[names[i]] = String(decoding: field, as: UTF8.self)
            }
            rows.append((record.line, values))
        }
        return rows
    }

    static func invalidFile(_ sentence: String) -> UseCaseError {
        UseCaseError(.invalid, code: "invalid_checklist", sentence)
    }
}

/// A problem on a line of a checklist, and a field of it when given: `line 4, verdict: …`.
func checklistProblem(line: Int, field: String? = nil, reason: String) -> Problem {
    Problem(line: line, field: field, reason: reason)
}
