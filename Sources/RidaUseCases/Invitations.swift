import Foundation
import RidaStore
import RidaSurvey

/// Invitations to rate a service just done (issue 15, point 1), for both shells: `POST /v1/invitations` and
/// `rida invitations create` register them and hand back one-time links; the page `/s/{token}` opens and answers
/// them. The token goes back once and is stored only as its SHA-256.
///
/// ```swift
/// let invitations = Invitations(store: store, validator: validator, now: { Instant(Date()) })
/// let made = try await invitations.create([InvitationRequest(centre: "C01", channel: "counter", counter: "7")], by: "Queue system")
/// made[0].token   // "q0sV3…" (22 characters): the link is BASE/s/q0sV3…
/// ```
public struct Invitations: Sendable {
    public let store: any InvitationStore
    public let validator: ResponseValidator
    public let now: @Sendable () -> Instant

    /// The most invitations one request registers.
    public static let maximumBatch = 1_000
    /// How long an invitation stays open by default, and at most.
    public static let defaultExpiryDays = 7
    public static let maximumExpiryDays = 90

    public init(store: any InvitationStore, validator: ResponseValidator, now: @escaping @Sendable () -> Instant) {
        self.store = store
        self.validator = validator
        self.now = now
    }

    /// An invitation as asked for, every field still text.
    public struct Request: Sendable, Hashable {
        public var centre: String?
        public var channel: String?
        public var service: String?
        public var counter: String?
        public var stage: String?
        /// Days from now it stays open (1 to 90); nil for the default, 7.
        public var expiresInDays: Int?

        public init(centre: String? = nil, channel: String? = nil, service: String? = nil, counter: String? = nil, stage: String? = nil,
                    expiresInDays: Int? = nil) {
            self.centre = centre
            self.channel = channel
            self.service = service
            self.counter = counter
            self.stage = stage
            self.expiresInDays = expiresInDays
        }
    }

    /// An invitation registered, with its token: the only time the token is known outside the customer's link.
    public struct Created: Sendable, Hashable {
        public var invitation: Invitation
        public var token: String
    }

    /// Every problem of `requests` (each with its entry), or the drafts to store.
    public func check(_ requests: [Request]) -> Result<[InvitationDraft], ProblemList> {
        var problems: [Problem] = []
        var drafts: [InvitationDraft] = []
        if requests.isEmpty { problems.append(Problem(reason: "no invitation was asked for")) }
        if requests.count > Self.maximumBatch {
            problems.append(Problem(reason: "\(requests.count) invitations at once; at most \(Self.maximumBatch)"))
            return .failure(ProblemList(problems))
        }
        let time = now()
        for (index, request) in requests.enumerated() {
            let entry = requests.count > 1 ? index : nil
            func make(_ field: String?, _ reason: String) -> Problem {
                entry.map { Problem(entry: $0, field: field, reason: reason) } ?? Problem(field: field, reason: reason)
            }
            func problem(_ field: String?, _ reason: String) { problems.append(make(field, reason)) }
            func identifier(_ raw: String?, _ field: String, spaces: Identifier.Spaces, limit: Int) -> String? {
                do {
                    guard let value = try Identifier.normalized(raw, field: field, spaces: spaces) else { return nil }
                    if value.utf8.count > limit { problem(field, "is longer than \(limit) bytes"); return nil }
                    return value
                } catch {
                    problems.append(make(error.field, error.reason))
                    return nil
                }
            }
            let centre = identifier(request.centre, "centre", spaces: .between, limit: ResponseValidator.maxCentreLength)
            if centre == nil, request.centre == nil { problem("centre", "is missing: an invitation belongs to a centre") }
            let channel = identifier(request.channel, "channel", spaces: .none, limit: ResponseValidator.maxCentreLength)
            if let channel, validator.channels.channel(channel) == nil {
                problem("channel", "\"\(channel)\" is not a channel of this deployment (known: \(validator.channels.channels.map(\.id).joined(separator: ", ")))")
            } else if channel == nil, request.channel == nil {
                problem("channel", "is missing")
            }
            let counter = identifier(request.counter, "counter", spaces: .between, limit: ResponseValidator.maxShortTextLength)
            var service: String?
            if let text = request.service?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
                if text.utf8.count > ResponseValidator.maxShortTextLength || text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                    problem("service", "is longer than \(ResponseValidator.maxShortTextLength) bytes or holds a control character")
                } else {
                    service = text
                }
            }
            var stage: Stage?
            if let text = request.stage?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
                stage = Stage(rawValue: text.lowercased())
                if stage == nil { problem("stage", "\"\(text.prefix(20))\" is not a stage; use before, during or after") }
            }
            let days = request.expiresInDays ?? Self.defaultExpiryDays
            if !(1...Self.maximumExpiryDays).contains(days) {
                problem("expires_in_days", "must be a whole number of days from 1 to \(Self.maximumExpiryDays)")
            }
            if let centre, let channel {
                drafts.append(InvitationDraft(centre: centre, channel: channel, service: service, counter: counter, stage: stage,
                                              expiresAt: time.adding(milliseconds: Int64(days) * 86_400_000)))
            }
        }
        return problems.isEmpty ? .success(drafts) : .failure(ProblemList(problems))
    }

    /// Registers `requests` (all or none), by `who` (a key's label, a person), with a new token each.
    public func create(_ requests: [Request], by who: String?) async throws -> [Created] {
        let drafts = try check(requests).get()
        let tokens = drafts.map { _ in InvitationToken.generate() }
        let made = try await store.createInvitations(drafts, tokenHashes: tokens.map(\.hash), by: who, at: now())
        return zip(made, tokens).map { Created(invitation: $0, token: $1.text) }
    }

    /// Where an invitation's link leads.
    public enum Visit: Sendable, Hashable {
        case open(Invitation)
        case answered(Invitation)
        case expired(Invitation)
        case unknown
    }

    /// Opens the link `token` (the first opening is counted).
    public func open(token text: String) async throws -> Visit {
        guard let token = InvitationToken(text) else { return .unknown }
        let time = now()
        guard let invitation = try await store.openInvitation(tokenHash: token.hash, at: time) else { return .unknown }
        if invitation.answeredAt != nil { return .answered(invitation) }
        if invitation.isExpired(at: time) { return .expired(invitation) }
        return .open(invitation)
    }

    /// What answering did.
    public enum Outcome: Sendable, Hashable {
        case stored(Invitation, followUpAsked: Bool)
        case answeredAlready(Invitation)
        case expired(Invitation)
        case unknown
        /// The answers have problems: nothing stored; the page shows them with the form.
        case invalid(Invitation, [Problem])
    }

    /// Answers the invitation `token` with the customer's `answers` (q1–q4, comment, the contact fields): centre,
    /// channel, service, counter and stage are the invitation's, the time is the server's.
    public func answer(token text: String, answers: ResponseDraft) async throws -> Outcome {
        guard let token = InvitationToken(text) else { return .unknown }
        let hash = token.hash
        guard let invitation = try await store.invitation(tokenHash: hash) else { return .unknown }
        let time = now()
        if invitation.answeredAt != nil { return .answeredAlready(invitation) }
        if invitation.isExpired(at: time) { return .expired(invitation) }
        var draft = answers
        draft.id = Invitation.answerID(tokenHash: hash)
        draft.centre = invitation.centre
        draft.channel = invitation.channel
        draft.service = invitation.service
        draft.counter = invitation.counter
        draft.stage = invitation.stage?.rawValue
        draft.entity = nil
        draft.submittedAt = time.iso8601
        let response: SurveyResponse
        switch validator.validate(draft, now: time) {
        case .success(let valid): response = valid
        case .failure(let list): return .invalid(invitation, list.problems)
        }
        switch try await store.answerInvitation(tokenHash: hash, response: response, at: time) {
        case .stored(let answered): return .stored(answered, followUpAsked: response.contact != nil)
        case .answeredAlready(let found): return .answeredAlready(found)
        case .expired(let found): return .expired(found)
        case .unknown: return .unknown
        }
    }
}
