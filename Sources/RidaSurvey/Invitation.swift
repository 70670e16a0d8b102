/// An invitation to rate a service just done (issue 15): the entity's own system registers it and sends the customer a
/// one-time link (`/s/{token}`) by SMS, e-mail or in its app. Nothing in it names the customer; the token, 128 random
/// bits, is stored only as its SHA-256.
public struct Invitation: Sendable, Hashable, Codable {
    public var id: Int64
    public var centre: String
    public var channel: String
    public var service: String?
    public var counter: String?
    public var stage: Stage?
    public var createdAt: Instant
    public var expiresAt: Instant
    /// When the link was first opened; nil until then.
    public var openedAt: Instant?
    /// When it was answered, and the response stored: nil until then. An invitation is answered once.
    public var answeredAt: Instant?
    public var responseID: String?

    public init(id: Int64, centre: String, channel: String, service: String? = nil, counter: String? = nil, stage: Stage? = nil,
                createdAt: Instant, expiresAt: Instant, openedAt: Instant? = nil, answeredAt: Instant? = nil, responseID: String? = nil) {
        self.id = id
        self.centre = centre
        self.channel = channel
        self.service = service
        self.counter = counter
        self.stage = stage
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.openedAt = openedAt
        self.answeredAt = answeredAt
        self.responseID = responseID
    }

    /// The id of the response an invitation's answer is stored under, from its token's hash: one per invitation, so a
    /// second answer is the same id, never a second response; and not guessable, so no key can take it beforehand.
    public static func answerID(tokenHash: String) -> String { "inv-" + tokenHash.prefix(32) }

    public func isExpired(at now: Instant) -> Bool { now >= expiresAt }
}

/// What an invitation is for, checked, before it is stored with its token's hash.
public struct InvitationDraft: Sendable, Hashable {
    public var centre: String
    public var channel: String
    public var service: String?
    public var counter: String?
    public var stage: Stage?
    public var expiresAt: Instant

    public init(centre: String, channel: String, service: String? = nil, counter: String? = nil, stage: Stage? = nil, expiresAt: Instant) {
        self.centre = centre
        self.channel = channel
        self.service = service
        self.counter = counter
        self.stage = stage
        self.expiresAt = expiresAt
    }
}

/// What answering an invitation did.
public enum InvitationAnswer: Sendable, Hashable {
    /// Stored, counted, the invitation closed.
    case stored(Invitation)
    /// Answered before: nothing stored.
    case answeredAlready(Invitation)
    /// Past its expiry: nothing stored.
    case expired(Invitation)
    /// No invitation has this token.
    case unknown
}

/// A quarter's invitations of one centre and channel: sent (registered), opened, answered.
public struct InvitationCount: Sendable, Hashable, Codable {
    public var centre: String
    public var channel: String
    public var sent: Int
    public var opened: Int
    public var answered: Int

    public init(centre: String, channel: String, sent: Int, opened: Int, answered: Int) {
        self.centre = centre
        self.channel = channel
        self.sent = sent
        self.opened = opened
        self.answered = answered
    }
}

/// A QR sign at a counter or for a channel (issue 15 point 2): a printed code customers scan to rate on their own
/// phone, as often as customers come. Its token is printed in public, so it is kept as it is (unlike an invitation's);
/// it only says which centre, channel and counter the answers are about.
public struct Sign: Sendable, Hashable, Codable {
    public var id: Int64
    public var token: String
    public var centre: String
    public var channel: String
    public var counter: String?
    public var createdAt: Instant

    public init(id: Int64, token: String, centre: String, channel: String, counter: String?, createdAt: Instant) {
        self.id = id
        self.token = token
        self.centre = centre
        self.channel = channel
        self.counter = counter
        self.createdAt = createdAt
    }

    /// The device the misuse rules read answers through this sign as: the sign itself, so one hand pressing forty
    /// times at a counter's sign is a burst whatever phones or cookies it uses.
    public var source: String { "sign:\(id)" }
}
