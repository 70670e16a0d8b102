import Foundation
import RidaReports
import RidaStore
import RidaSurvey

/// QR signs at counters and for channels (issue 15 point 2), for both shells: `rida signs` and
/// `GET /v1/centres/{id}/signs` print them; the page `/q/{token}` takes customers' answers through them.
public struct Signs: Sendable {
    public let store: any SignStore & RegistryStore & ResponseStore
    public let validator: ResponseValidator
    public let now: @Sendable () -> Instant

    public init(store: any SignStore & RegistryStore & ResponseStore, validator: ResponseValidator, now: @escaping @Sendable () -> Instant) {
        self.store = store
        self.validator = validator
        self.now = now
    }

    /// At most this many signs on one sheet.
    public static let maximumSigns = 200

    /// The signs of `centre`: one per counter in `counters` on `channel`, or, without counters, one per channel of
    /// the centre (its registry entry's channels, else `channel`). Made where missing; the same sign every time after.
    public func sheet(centre rawCentre: String, channel rawChannel: String?, counters rawCounters: [String], baseURL: String) async throws -> String {
        var problems: [Problem] = []
        var centre: String?
        do { centre = try Identifier.normalized(rawCentre, field: "centre") } catch { problems.append(error) }
        var counters: [String] = []
        for raw in rawCounters {
            do {
                if let counter = try Identifier.normalized(raw, field: "counter"), counter.utf8.count <= ResponseValidator.maxShortTextLength {
                    counters.append(counter)
                }
            } catch { problems.append(error) }
        }
        if let rawChannel, validator.channels.channel(rawChannel) == nil {
            problems.append(Problem(field: "channel", reason: "\"\(rawChannel)\" is not a channel of this deployment"))
        }
        if counters.count > Self.maximumSigns { problems.append(Problem(field: "counter", reason: "at most \(Self.maximumSigns) signs at once")) }
        guard problems.isEmpty, let centre else {
            throw UseCaseError(.invalid, code: "invalid_signs", "The signs cannot be made: " + problems.map { "\($0.field ?? "") \($0.reason)" }.joined(separator: "; ") + ".",
                               problems: problems)
        }
        let registered = try await store.centre(centre)
        var wanted: [(centre: String, channel: String, counter: String?)] = []
        if counters.isEmpty {
            let channels = rawChannel.map { [$0] } ?? (registered?.channels.isEmpty == false ? registered!.channels : ["counter"])
            wanted = channels.filter { validator.channels.channel($0) != nil }.map { (centre, $0, nil) }
        } else {
            wanted = Array(Set(counters)).sorted { $0.localizedStandardCompare($1) == .orderedAscending }.map { (centre, rawChannel ?? "counter", $0) }
        }
        let signs = try await store.signs(for: wanted, tokens: wanted.map { _ in InvitationToken.generate().text }, at: now())
        let name = registered?.nameAr ?? registered?.nameEn ?? centre
        return try SignSheet.render(signs, centreName: name, channels: validator.channels) { baseURL + "/q/" + $0.token }
    }

    /// What answering through a sign did.
    public enum Outcome: Sendable, Hashable {
        case stored(Sign, followUpAsked: Bool)
        case invalid(Sign, [Problem])
        case unknown
    }

    public func sign(token: String) async throws -> Sign? {
        guard InvitationToken(token) != nil else { return nil }
        return try await store.sign(token: token)
    }

    /// Stores a customer's answers through the sign `token`: its centre, channel and counter, the server's time, a new
    /// id, and the sign as the device the misuse rules read (`Sign.source`).
    public func answer(token: String, answers: ResponseDraft) async throws -> Outcome {
        guard let sign = try await sign(token: token) else { return .unknown }
        let time = now()
        var draft = answers
        draft.id = "sign-\(sign.id)-" + UUID().uuidString.lowercased()
        draft.centre = sign.centre
        draft.channel = sign.channel
        draft.counter = sign.counter
        draft.service = answers.service
        draft.entity = nil
        draft.stage = "after"
        draft.submittedAt = time.iso8601
        switch validator.validate(draft, now: time) {
        case .failure(let list): return .invalid(sign, list.problems)
        case .success(var response):
            response.source = sign.source
            _ = try await store.save([response], receivedAt: time)
            return .stored(sign, followUpAsked: response.contact != nil)
        }
    }
}
