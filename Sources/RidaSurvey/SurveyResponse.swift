/// When, relative to the service, the customer rated it (the guide's appendix 2).
public enum Stage: String, Codable, Sendable, CaseIterable {
    case before
    case during
    case after
}

/// One customer's answers to the appendix-3 questionnaire, as stored.
///
/// Named `SurveyResponse` rather than `Response` so it never collides with an HTTP response type.
/// No personal data is needed to rate: nothing here names the customer.
public struct SurveyResponse: Sendable, Hashable, Codable {
    /// Chosen by the client for idempotency (a kiosk's UUID, a call id), or derived on import.
    public var id: String
    public var centre: String
    public var channel: String
    public var submittedAt: Instant
    public var stage: Stage?
    /// Ratings 1 to 5 of q1 to q4, nil where skipped. At least one is given.
    public var ratings: [Int?]
    /// q5: the name of the service used.
    public var service: String?
    /// q6: the service counter number or the electronic channel's name.
    public var counter: String?
    /// q7: comments to improve the service. Never logged.
    public var comment: String?
    /// The government entity that served the customer, at a centre where several serve; nil when not said.
    public var entity: String?
    public var surveyID: String
    public var surveyVersion: Int
    /// Who sent it, for the misuse rules (issue 16): `key:<id>` for an API key (a kiosk's, an IVR's), nil for a file
    /// imported. Not part of what the response says: the same answers sent by another device are the same response.
    public var source: String?
    /// How the customer agreed to be contacted (issue 16 point 1), nil when they did not. Never stored with the response:
    /// it goes only into the follow-up case it opens, if any, and is not part of the response's content or encoding.
    public var contact: FollowUpContact?

    enum CodingKeys: String, CodingKey {
        case id, centre, channel, submittedAt, stage, ratings, service, counter, comment, entity, surveyID, surveyVersion, source
    }

    public init(
        id: String, centre: String, channel: String, submittedAt: Instant, stage: Stage? = nil,
        ratings: [Int?], service: String? = nil, counter: String? = nil, comment: String? = nil, entity: String? = nil,
        surveyID: String = Questionnaire.appendix3.id, surveyVersion: Int = Questionnaire.appendix3.version
    ) {
        precondition(ratings.count == SurveyResponse.ratedQuestionCount, "a response carries q1 to q4")
        self.id = id
        self.centre = centre
        self.channel = channel
        self.submittedAt = submittedAt
        self.stage = stage
        self.ratings = ratings
        self.service = service
        self.counter = counter
        self.comment = comment
        self.entity = entity
        self.surveyID = surveyID
        self.surveyVersion = surveyVersion
    }

    /// q1 to q4.
    public static let ratedQuestionCount = 4

    /// Whether two responses say the same thing: an identical re-send, not a conflict.
    public func hasSameContent(as other: SurveyResponse) -> Bool {
        var this = self
        this.source = other.source
        this.contact = other.contact
        return this == other
    }
}

/// A customer's phone number or e-mail address, given with their leave to be contacted about their answer. At least
/// one of the two; the phone in digits with an optional leading `+`, the e-mail's domain in lower case.
public struct FollowUpContact: Sendable, Hashable, Codable {
    public var phone: String?
    public var email: String?

    public init(phone: String? = nil, email: String? = nil) {
        self.phone = phone
        self.email = email
    }
}
