import Foundation
import RidaStore
import RidaSurvey

/// The quality team's answer to the misuse rules (issue 16, point 2): responses set aside are listed, and those the team
/// judges real customers' are counted again, one by one or a whole burst, each with who decided and why. `rida misuse`
/// and `/v1/misuse` both call it.
///
/// ```swift
/// let ids = try await ReinstateResponses(store: store, now: { Instant(Date()) })
///     .run(.burst(source: "key:7", from: start, through: end), by: "Quality, C01", reason: "a school visit, checked on camera")
/// ```
public struct ReinstateResponses: Sendable {
    public let store: any MisuseStore
    public let now: @Sendable () -> Instant

    /// The most responses one reinstatement names by id, and the longest burst span it covers: a decision is about one
    /// episode, read before it is taken.
    public static let maximumIDs = 1_000
    public static let maximumSpanMilliseconds: Int64 = 86_400_000
    /// The longest reason and name kept (characters).
    public static let maximumText = 1_000

    public init(store: any MisuseStore, now: @escaping @Sendable () -> Instant) {
        self.store = store
        self.now = now
    }

    /// Every problem with a reinstatement request; empty when it may run.
    public static func problems(_ which: Reinstatement, by who: String, reason: String) -> [Problem] {
        var problems: [Problem] = []
        let who = who.trimmingCharacters(in: .whitespacesAndNewlines), reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if who.isEmpty { problems.append(Problem(field: "by", reason: "must name who decides (it is recorded with the reinstatement)")) }
        if who.count > maximumText { problems.append(Problem(field: "by", reason: "is longer than \(maximumText) characters")) }
        if reason.isEmpty { problems.append(Problem(field: "reason", reason: "must say why these responses are real customers' (it is recorded with the reinstatement)")) }
        if reason.count > maximumText { problems.append(Problem(field: "reason", reason: "is longer than \(maximumText) characters")) }
        switch which {
        case .ids(let ids):
            if ids.isEmpty { problems.append(Problem(field: "ids", reason: "names no response")) }
            if ids.count > maximumIDs { problems.append(Problem(field: "ids", reason: "names \(ids.count) responses; at most \(maximumIDs) at once")) }
        case .burst(let source, let from, let through):
            if !source.hasPrefix("key:") || Int64(source.dropFirst(4)) == nil {
                problems.append(Problem(field: "source", reason: "must be a device as the listing names it, such as key:7"))
            }
            if through.millisecondsSince1970 < from.millisecondsSince1970 {
                problems.append(Problem(field: "through", reason: "is before from"))
            } else if through.millisecondsSince1970 - from.millisecondsSince1970 > maximumSpanMilliseconds {
                problems.append(Problem(field: "through", reason: "is more than a day after from: reinstate one burst at a time"))
            }
        }
        return problems
    }

    /// Reinstates what `which` selects among the responses set aside; returns the ids counted again (none when nothing
    /// selected is set aside: an id already counted, or unknown, is left as it is).
    public func run(_ which: Reinstatement, by who: String, reason: String) async throws -> [String] {
        let problems = Self.problems(which, by: who, reason: reason)
        if !problems.isEmpty { throw UseCaseError.invalid(problems) }
        return try await store.reinstate(which, by: who.trimmingCharacters(in: .whitespacesAndNewlines),
                                         reason: reason.trimmingCharacters(in: .whitespacesAndNewlines), at: now())
    }
}
