import RidaAggregation
import RidaAssessment
import RidaStore
import RidaSurvey

/// Records evaluators' verdicts: `rida assess record`, `rida assess import` and `POST /v1/assessments/{id}/verdicts`.
///
/// The batch is checked once, by the store, in the transaction that appends it: against the catalogue, each
/// criterion's history, and the verdicts computed from the data at the time of recording (decision 18: recording the
/// computed verdict needs no note). All of it is appended, or nothing, with every problem named.
public struct RecordVerdicts: Sendable {
    /// The assessments and their histories: any store, SQLite's or another.
    public let store: any AssessmentStore
    public let policy: ThresholdPolicy

    public init(store: any AssessmentStore, policy: ThresholdPolicy) {
        self.store = store
        self.policy = policy
    }

    /// Appends `entries` to their assessments' histories, all or none; returns them with their sequence numbers.
    /// The verdicts computed from data are those of `time`, the time the entries are recorded at. For a batch read in
    /// part (an API body), `positions` are each entry's position in the batch as sent and `unread` the problems of the
    /// entries that could not be read: the batch is refused with them and the check's, all at once.
    ///
    /// ```swift
    /// let stored = try await RecordVerdicts(store: store, policy: policy).run([entry], at: entry.at)
    /// ```
    public func run(_ entries: [HistoryEntry], at time: Instant, positions: [Int]? = nil, unread: [Problem] = []) async throws -> [HistoryEntry] {
        var computed: [String: [String: Verdict]] = [:]
        for assessment in Set(entries.map(\.assessment)).sorted() {
            computed.merge(try await store.computedVerdicts(of: assessment, policy: policy, now: time)) { first, _ in first }
        }
        return try await store.record(entries, positions: positions, unread: unread, computed: computed)
    }
}
