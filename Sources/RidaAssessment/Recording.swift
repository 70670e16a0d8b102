import Foundation
import RidaSurvey

extension HistoryEntry {
    /// Checks a batch of entries in order, as one: each against its criterion in its assessment's framework, and
    /// against the entry recorded before it for the same criterion, earlier in the batch or else `latest` (the
    /// history's last entry for that assessment and criterion). The one check behind every way of recording
    /// (`rida assess record`, `rida assess import`, `POST /v1/assessments/{id}/verdicts`), run by the store in the
    /// transaction that appends the batch.
    ///
    /// `framework` gives the framework of an entry's assessment; it throws when there is no such assessment. `computed`
    /// gives the verdict the engine proposes for an entry's criterion from the data, nil when none is known.
    ///
    /// Each problem is located at its entry: the entry's position in `entries`, or `positions[i]` when the entries are
    /// those a caller could read of a longer batch (`positions` has one position per entry, in the batch as sent).
    public static func problems(
        of entries: [HistoryEntry], positions: [Int]? = nil, catalogue: Catalogue = .standard,
        framework: (HistoryEntry) throws -> Framework, latest: (HistoryEntry) throws -> HistoryEntry?,
        computed: (HistoryEntry) -> Verdict? = { _ in nil }
    ) rethrows -> [Problem] {
        precondition(positions == nil || positions?.count == entries.count, "one position per entry")
        var problems: [Problem] = []
        var recorded: [String: HistoryEntry] = [:]
        for (index, entry) in entries.enumerated() {
            let position = positions?[index] ?? index
            let framework = try framework(entry)
            guard let criterion = catalogue[framework].criterion(entry.criterion) else {
                problems.append(Problem(entry: position, field: "criterion", reason: "framework \(framework) has no criterion \(entry.criterion)"))
                continue
            }
            let key = "\(entry.assessment)\u{0}\(entry.criterion)"
            let previous = try recorded[key] ?? latest(entry)
            let found = entry.problems(for: criterion, previous: previous, computed: computed(entry))
            problems += found.map { $0.located(.entry(position)) }
            if found.isEmpty { recorded[key] = entry }
        }
        return problems
    }
}

extension EvidenceReference {
    /// An evidence item as an evaluator writes it: a web address, an import by its number, or a file's path.
    public enum Written: Sendable, Hashable {
        case url(String)
        case importRecord(Int64)
        case file(String)
    }

    /// Reads an evidence item: `http://…` or `https://…` is a web address; `import:N` or `#N` an import's number;
    /// anything else a file's path (which whoever reads it hashes). Fails with a sentence for `import:` without a number.
    public static func read(_ text: String) -> Result<Written, RecordingError> {
        let item = text.trimmingCharacters(in: .whitespaces)
        let lower = item.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            return .success(.url(item))
        }
        if item.hasPrefix("#"), let id = Int64(item.dropFirst()) {
            return .success(.importRecord(id))
        }
        if lower.hasPrefix("import:") {
            guard let id = Int64(item.dropFirst("import:".count)) else {
                return .failure(RecordingError("\"\(item)\" is not import:N with N an import's number", next: .listImports))
            }
            return .success(.importRecord(id))
        }
        return .success(.file(item))
    }
}
