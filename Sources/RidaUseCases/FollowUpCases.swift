import Foundation
import RidaAggregation
import RidaStore
import RidaSurvey

/// The quality team's work on follow-up cases (issue 16, point 1): list, show, assign, move along, and erase the
/// contacts whose retention is over. `rida cases` and `/v1/cases` both call it. Every read first erases what is due to
/// be erased, so a contact past its retention is never shown, whether or not `rida serve` ran its hourly erasure.
///
/// ```swift
/// let cases = FollowUpCases(store: store, retentionDays: 30, now: { Instant(Date()) })
/// let open = try await cases.list(CaseQuery(centre: "C01", status: .open))
/// _ = try await cases.update(open[0].id, CaseChange(status: .contacted, note: "Called at 10:05"), by: "Fatima")
/// ```
public struct FollowUpCases: Sendable {
    public let store: any FollowUpStore
    public let retentionDays: Int
    public let now: @Sendable () -> Instant

    public init(store: any FollowUpStore, retentionDays: Int, now: @escaping @Sendable () -> Instant) {
        self.store = store
        self.retentionDays = retentionDays
        self.now = now
    }

    /// Erases the contact details of cases finished more than `retentionDays` ago; returns how many.
    @discardableResult
    public func eraseExpired() async throws -> Int {
        let time = now()
        let cutoff = Instant(millisecondsSince1970: time.millisecondsSince1970 - Int64(retentionDays) * 86_400_000)
        return try await store.eraseContacts(finishedBefore: cutoff, at: time)
    }

    /// Cases matching `query`, newest first. `centre`, when given, bounds what is seen (a key bound to a centre).
    public func list(_ query: CaseQuery) async throws -> [FollowUpCase] {
        guard (1...10_000).contains(query.limit) else {
            throw UseCaseError(.invalid, code: "invalid_limit", "The limit must be from 1 to 10000.", problems: [Problem(field: "limit", reason: "must be a whole number from 1 to 10000")])
        }
        try await eraseExpired()
        return try await store.cases(query)
    }

    /// A case with what was done to it, oldest first; `CaseError.unknownCase` when there is none (or it is another
    /// centre's, for a caller bound to `centre`).
    public func show(_ id: Int64, centre: String? = nil) async throws -> (case: FollowUpCase, events: [CaseEvent]) {
        try await eraseExpired()
        guard let found = try await store.followUpCase(id), centre == nil || found.centre == centre else { throw CaseError.unknownCase(id) }
        return (found, try await store.caseEvents(id))
    }

    /// Applies `change`, recorded with `who`; a caller bound to `centre` changes only that centre's cases.
    public func update(_ id: Int64, _ change: CaseChange, by who: String, centre: String? = nil) async throws -> FollowUpCase {
        let who = who.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !who.isEmpty, who.count <= 1_000 else {
            throw CaseError.invalidField(field: "by", reason: "must name who makes the change, in at most 1000 characters (it is recorded)")
        }
        if let centre {
            guard let found = try await store.followUpCase(id), found.centre == centre else { throw CaseError.unknownCase(id) }
        }
        return try await store.updateCase(id, change, by: who, at: now())
    }
}
