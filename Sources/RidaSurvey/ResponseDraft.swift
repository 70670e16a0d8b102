/// A response as it arrives, every field still text: a CSV row, a JSON object, a form post.
///
/// The field names are Rida's canonical ones, shared by CSV headers, JSON Lines and the HTTP API.
public struct ResponseDraft: Sendable, Hashable {
    public var id: String?
    public var centre: String?
    public var channel: String?
    public var submittedAt: String?
    public var stage: String?
    public var ratings: [String?]
    public var service: String?
    public var counter: String?
    public var comment: String?
    /// The government entity the customer was served by, at a centre where several serve (optional).
    public var entity: String?
    /// The customer's leave to be contacted and how (issue 16 point 1): sent by the kiosk page, the invitation page and
    /// the API, never read from imported files (they are not among `fieldNames`).
    public var contactConsent: String?
    public var contactPhone: String?
    public var contactEmail: String?

    /// The names of the contact fields in JSON.
    public static let contactFieldNames = ["contact_consent", "contact_phone", "contact_email"]

    public init(
        id: String? = nil, centre: String? = nil, channel: String? = nil, submittedAt: String? = nil,
        stage: String? = nil, ratings: [String?] = [nil, nil, nil, nil],
        service: String? = nil, counter: String? = nil, comment: String? = nil, entity: String? = nil
    ) {
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
    }

    /// The canonical field names, in the order of the canonical CSV header (plus `stage` and `entity`).
    public static let fieldNames = [
        "id", "centre", "channel", "submitted_at", "q1", "q2", "q3", "q4", "service", "counter", "comment", "stage", "entity",
    ]

    /// How many fields a response had before `entity`: an import's derived id hashes those, and `entity` only when given,
    /// so a file imported again without the column keeps its ids.
    public static let originalFieldCount = 12

    /// Sets the field at `index` of `fieldNames`: the fast path for imports, which resolve names once per file.
    public mutating func set(fieldAt index: Int, _ value: String?) {
        switch index {
        case 0: id = value
        case 1: centre = value
        case 2: channel = value
        case 3: submittedAt = value
        case 4, 5, 6, 7: ratings[index - 4] = value
        case 8: service = value
        case 9: counter = value
        case 10: comment = value
        case 11: stage = value
        case 12: entity = value
        default: break
        }
    }

    /// Sets the field called `name`; returns false when Rida has no such field.
    @discardableResult
    public mutating func set(_ name: String, _ value: String?) -> Bool {
        switch name {
        case "id": id = value
        case "centre": centre = value
        case "channel": channel = value
        case "submitted_at": submittedAt = value
        case "stage": stage = value
        case "q1": ratings[0] = value
        case "q2": ratings[1] = value
        case "q3": ratings[2] = value
        case "q4": ratings[3] = value
        case "service": service = value
        case "counter": counter = value
        case "comment": comment = value
        case "entity": entity = value
        default: return false
        }
        return true
    }

    /// The field called `name`.
    public func value(_ name: String) -> String? {
        switch name {
        case "id": id
        case "centre": centre
        case "channel": channel
        case "submitted_at": submittedAt
        case "stage": stage
        case "q1": ratings[0]
        case "q2": ratings[1]
        case "q3": ratings[2]
        case "q4": ratings[3]
        case "service": service
        case "counter": counter
        case "comment": comment
        case "entity": entity
        default: nil
        }
    }
}
