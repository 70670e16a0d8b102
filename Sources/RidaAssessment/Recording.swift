import Foundation

/// A problem with one entry of a batch of verdicts: the entry's position in the batch (from 0), the field it is
/// about, and a sentence. The store refuses the whole batch with every problem; the HTTP service names them
/// `entries[i].field`.
public struct RecordingProblem: Sendable, Hashable, CustomStringConvertible {
    public var index: Int
    /// `criterion`, `verdict`, `note`, `evaluator`; nil when the problem is not about one field.
    public var field: String?
    public var reason: String

    public init(index: Int, field: String?, reason: String) {
        self.index = index
        self.field = field
        self.reason = reason
    }

    public var description: String { reason }
}

extension HistoryEntry {
    /// Checks a batch of entries in order, as one: each against its criterion in its assessment's framework, and
    /// against the entry recorded before it for the same criterion, earlier in the batch or else `latest` (the
    /// history's last entry for that assessment and criterion). The one check behind every way of recording
    /// (`rida assess record`, `rida assess import`, `POST /v1/assessments/{id}/verdicts`), run by the store in the
    /// transaction that appends the batch.
    ///
    /// `framework` gives the framework of an entry's assessment; it throws when there is no such assessment. `computed`
    /// gives the verdict the engine proposes for an entry's criterion from the data, nil when none is known.
    public static func problems(
        of entries: [HistoryEntry], catalogue: Catalogue = .standard,
        framework: (HistoryEntry) throws -> Framework, latest: (HistoryEntry) throws -> HistoryEntry?,
        computed: (HistoryEntry) -> Verdict? = { _ in nil }
    ) rethrows -> [RecordingProblem] {
        var problems: [RecordingProblem] = []
        var recorded: [String: HistoryEntry] = [:]
        for (index, entry) in entries.enumerated() {
            let framework = try framework(entry)
            guard let criterion = catalogue[framework].criterion(entry.criterion) else {
                problems.append(RecordingProblem(index: index, field: "criterion", reason: "framework \(framework) has no criterion \(entry.criterion)"))
                continue
            }
            let key = "\(entry.assessment)\u{0}\(entry.criterion)"
            let previous = try recorded[key] ?? latest(entry)
            let found = entry.fieldProblems(for: criterion, previous: previous, computed: computed(entry))
            problems += found.map { RecordingProblem(index: index, field: $0.field, reason: $0.reason) }
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
                return .failure(RecordingError("\"\(item)\" is not import:N with N an import's number (rida imports lists them)"))
            }
            return .success(.importRecord(id))
        }
        return .success(.file(item))
    }
}
