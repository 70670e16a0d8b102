import RidaSurvey

/// Stores concurrent submissions through one writer, many submissions per transaction (group commit).
///
/// Each caller waits until the transaction holding its responses has committed, then gets its own
/// outcomes: a 2xx sent after `save` returns means the responses are on disk (with the store's
/// durability). While one transaction is being written, new submissions queue; when it commits,
/// the first of them leads the next transaction with everything queued by then. Under load one
/// `fsync` thus serves many requests, and with no load a submission is written at once.
///
/// Storage goes through the store's `save` (`ResponseStore`), the one path that decides created, duplicate and conflict
/// and keeps the rollups, so a response sent twice in one group is still counted once.
///
/// An actor: it guards the queue of submissions waiting for the next transaction and the flag
/// saying whether a transaction is being written (at most one at a time).
public actor GroupCommitWriter {
    public nonisolated let store: any ResponseStore
    /// At most this many responses go into one transaction (a single larger submission goes alone).
    public nonisolated let maxGroupResponses: Int

    private var queue: [Waiting] = []
    private var writing = false
    private var nextTicket: UInt64 = 0
    private var groups = 0
    private var groupedSubmissions = 0

    private struct Waiting {
        var ticket: UInt64
        var responses: [SurveyResponse]
        var receivedAt: Instant
        var continuation: CheckedContinuation<Turn, Never>
    }

    private enum Turn {
        /// This caller writes the next group, its own submission included.
        case lead
        /// Another caller wrote this submission; here is its result.
        case done(Result<[SaveOutcome], any Error>)
    }

    public init(store: any ResponseStore, maxGroupResponses: Int = 5_000) {
        self.store = store
        self.maxGroupResponses = max(1, maxGroupResponses)
    }

    /// Stores `responses` and returns one outcome per response, in order, once they are committed.
    public func save(_ responses: [SurveyResponse], receivedAt: Instant) async throws -> [SaveOutcome] {
        if responses.isEmpty { return [] }
        let ticket = nextTicket
        nextTicket &+= 1
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            queue.append(Waiting(ticket: ticket, responses: responses, receivedAt: receivedAt, continuation: continuation))
            if !writing {
                writing = true
                queue[0].continuation.resume(returning: .lead)
            }
        }
        switch turn {
        case .done(let result):
            return try result.get()
        case .lead:
            let group = takeGroup()
            let results = await Self.write(group.map { ($0.responses, $0.receivedAt) }, to: store)
            groups += 1
            groupedSubmissions += group.count
            var mine: Result<[SaveOutcome], any Error> = .success([])
            for (waiting, result) in zip(group, results) {
                if waiting.ticket == ticket {
                    mine = result
                } else {
                    waiting.continuation.resume(returning: .done(result))
                }
            }
            if queue.isEmpty {
                writing = false
            } else {
                queue[0].continuation.resume(returning: .lead)
            }
            return try mine.get()
        }
    }

    /// Transactions written and submissions they held: their ratio is the mean group size.
    public var statistics: (transactions: Int, submissions: Int) { (groups, groupedSubmissions) }

    /// Takes the submissions at the front of the queue, up to `maxGroupResponses` responses (at least one submission).
    private func takeGroup() -> [Waiting] {
        var count = 0
        var taken = 0
        while taken < queue.count {
            let size = queue[taken].responses.count
            if taken > 0, count + size > maxGroupResponses { break }
            count += size
            taken += 1
        }
        let group = Array(queue[..<taken])
        queue.removeFirst(taken)
        return group
    }

    /// Writes a group in one transaction; if that fails, writes each submission alone,
    /// so one submission the database refuses never fails the others.
    private static func write(
        _ group: [(responses: [SurveyResponse], receivedAt: Instant)], to store: any ResponseStore
    ) async -> [Result<[SaveOutcome], any Error>] {
        if group.count == 1 {
            do {
                return [.success(try await store.save(group[0].responses, receivedAt: group[0].receivedAt))]
            } catch {
                return [.failure(error)]
            }
        }
        // One receipt time for the group: the latest, a few milliseconds at most after the earliest.
        let receivedAt = group.map(\.receivedAt).max()!
        do {
            let outcomes = try await store.save(group.flatMap(\.responses), receivedAt: receivedAt)
            var results: [Result<[SaveOutcome], any Error>] = []
            var start = 0
            for submission in group {
                results.append(.success(Array(outcomes[start..<start + submission.responses.count])))
                start += submission.responses.count
            }
            return results
        } catch {
            var results: [Result<[SaveOutcome], any Error>] = []
            for submission in group {
                do {
                    results.append(.success(try await store.save(submission.responses, receivedAt: submission.receivedAt)))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }
}
