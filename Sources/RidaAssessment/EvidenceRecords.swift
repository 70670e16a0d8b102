import RidaSurvey

/// What a Tawasul record is (guide-notes decision 14): the guide counts complaints for 3.2.7 and complaints and remarks
/// for 3.2.4; inquiries and thanks are neither.
public enum TawasulRecordType: String, Codable, Sendable, CaseIterable {
    case complaint
    /// A suggestion or a remark (مقترح، ملاحظة).
    case suggestion
    case inquiry
    case thanks

    /// Reads Rida's spelling or the export's, English or Arabic: `complaint`/`شكوى`, `suggestion`/`remark`/`مقترح`/
    /// `ملاحظة`, `inquiry`/`enquiry`/`استفسار`, `thanks`/`compliment`/`شكر`.
    public init?(text: String) {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased()
        switch key {
        case "complaint", "complaints", "شكوى", "شكاوى", "شكوي": self = .complaint
        case "suggestion", "suggestions", "remark", "remarks", "comment", "مقترح", "اقتراح", "مقترحات", "ملاحظة", "ملاحظات": self = .suggestion
        case "inquiry", "enquiry", "inquiries", "question", "استفسار", "استفسارات": self = .inquiry
        case "thanks", "thank", "compliment", "praise", "شكر", "شكر وتقدير", "إشادة": self = .thanks
        default: return nil
        }
    }

    public static let spellings = "complaint, suggestion (or remark), inquiry, thanks"
}

/// A record from Tawasul, the national suggestions and complaints system, as an export lists it: a complaint, a
/// suggestion or remark, an inquiry or thanks.
public struct TawasulComplaint: Codable, Sendable, Hashable {
    public var id: String
    public var entity: String
    public var channel: String
    /// The procedure or step complained about; complaints and remarks on the same topic recur (3.2.4).
    public var topic: String?
    public var receivedAt: Instant
    public var answeredAt: Instant?
    /// The service level agreed for answering, in calendar days (of 24 hours) from receipt.
    public var slaDays: Int
    public var status: String?
    /// Complaint unless the export says otherwise.
    public var type: TawasulRecordType
    /// The export's own due date for the answer, when it gives one: it decides over `slaDays`.
    public var dueAt: Instant?

    public init(id: String, entity: String, channel: String, topic: String? = nil, receivedAt: Instant,
                answeredAt: Instant? = nil, slaDays: Int, status: String? = nil, type: TawasulRecordType = .complaint,
                dueAt: Instant? = nil) {
        self.id = id
        self.entity = entity
        self.channel = channel
        self.topic = topic
        self.receivedAt = receivedAt
        self.answeredAt = answeredAt
        self.slaDays = slaDays
        self.status = status
        self.type = type
        self.dueAt = dueAt
    }

    /// When the answer was due: the export's due date, else `slaDays` calendar days after receipt.
    public var deadline: Instant { dueAt ?? receivedAt.adding(milliseconds: Int64(slaDays) * 86_400_000) }

    /// Whether the record counts for 3.2.4 (complaints and remarks, «ملاحظات أو شكاوى»).
    public var countsForRecurrence: Bool { type == .complaint || type == .suggestion }

    /// Whether the answer was within the SLA: nil while it is still open and not yet due at `now`.
    public func answeredWithinSLA(at now: Instant) -> Bool? {
        if let answeredAt { return answeredAt <= deadline }
        return now > deadline ? false : nil
    }
}

/// A contact with an entity's contact centre: when the customer asked, when they were answered.
public struct ContactRecord: Codable, Sendable, Hashable {
    public var id: String
    public var entity: String
    public var channel: String
    public var contactedAt: Instant
    public var answeredAt: Instant?

    public init(id: String, entity: String, channel: String, contactedAt: Instant, answeredAt: Instant? = nil) {
        self.id = id
        self.entity = entity
        self.channel = channel
        self.contactedAt = contactedAt
        self.answeredAt = answeredAt
    }

    /// Three days of 24 hours: framework 2, 2.3.2.
    public static let answerWindow: Int64 = 3 * 86_400_000

    /// Whether the customer was answered within three days: nil while unanswered and not yet three days old at `now`.
    public func answeredWithinThreeDays(at now: Instant) -> Bool? {
        let due = contactedAt.adding(milliseconds: Self.answerWindow)
        if let answeredAt { return answeredAt <= due }
        return now > due ? false : nil
    }
}

/// A row of an evidence file, every field still text, by Rida's field name.
public struct EvidenceDraft: Sendable, Hashable {
    public var values: [String: String] = [:]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    public subscript(_ name: String) -> String? {
        get { values[name] }
        set { values[name] = newValue }
    }
}

/// The kinds of evidence records Rida imports besides survey responses.
public enum EvidenceKind: String, Codable, Sendable, CaseIterable {
    case tawasul
    case contacts

    /// The canonical field names, in the order of the canonical CSV header.
    public var fieldNames: [String] {
        switch self {
        case .tawasul: ["id", "entity", "channel", "topic", "received_at", "answered_at", "sla_days", "status", "type", "due_at"]
        case .contacts: ["id", "entity", "channel", "contacted_at", "answered_at"]
        }
    }

    /// The fields every row needs (a mapping may give them a fixed value).
    public var requiredFields: [String] {
        switch self {
        case .tawasul: ["id", "entity", "channel", "received_at", "sla_days"]
        case .contacts: ["id", "entity", "channel", "contacted_at"]
        }
    }

    /// The fields that hold times.
    public var timeFields: [String] {
        switch self {
        case .tawasul: ["received_at", "answered_at", "due_at"]
        case .contacts: ["contacted_at", "answered_at"]
        }
    }
}

/// Checks evidence rows and turns them into records, listing every problem of a row at once.
public struct EvidenceValidator: Sendable {
    public var zone: DeploymentZone
    /// How far in the future a time may be, for clocks slightly ahead.
    public var futureTolerance: Int64 = 24 * 3_600_000

    public init(zone: DeploymentZone = .bahrain) {
        self.zone = zone
    }

    public func tawasul(_ draft: EvidenceDraft, now: Instant, line: Int? = nil) -> Result<TawasulComplaint, ProblemList> {
        var problems: [Problem] = []
        let common = commonFields(draft, kind: .tawasul, now: now, line: line, problems: &problems)
        var sla: Int?
        if let text = cleaned(draft["sla_days"]) {
            if let days = Int(text), (1...3650).contains(days) {
                sla = days
            } else {
                problems.append(Problem(line: line, field: "sla_days", reason: "\"\(text)\" is not a whole number of days from 1 to 3650"))
            }
        } else {
            problems.append(Problem(line: line, field: "sla_days", reason: "is missing: every complaint has the days its answer is due in"))
        }
        var type = TawasulRecordType.complaint
        if let text = cleaned(draft["type"]) {
            if let read = TawasulRecordType(text: text) {
                type = read
            } else {
                problems.append(Problem(line: line, field: "type", reason: "\"\(text)\" is not one of \(TawasulRecordType.spellings) (a mapping's values can rename the export's)"))
            }
        }
        // The export's own due date, when it has one: it may be in the future for a record still open.
        var due: Instant?
        if let text = cleaned(draft["due_at"]) {
            switch ISO8601Timestamp.parse(text) {
            case .instant(let value): due = value
            case .local(let wall): due = zone.instant(wallClockMilliseconds: wall)
            case .invalid(let reason): problems.append(Problem(line: line, field: "due_at", reason: "\"\(text)\": \(reason)"))
            }
            if let due, let start = common?.start, due < start {
                problems.append(Problem(line: line, field: "due_at", reason: "\(due.iso8601) is before received_at \(start.iso8601)"))
            }
        }
        guard problems.isEmpty, let common, let sla else { return .failure(ProblemList(problems)) }
        return .success(TawasulComplaint(
            id: common.id, entity: common.entity, channel: common.channel, topic: cleaned(draft["topic"]),
            receivedAt: common.start, answeredAt: common.answered, slaDays: sla, status: cleaned(draft["status"]),
            type: type, dueAt: due))
    }

    public func contact(_ draft: EvidenceDraft, now: Instant, line: Int? = nil) -> Result<ContactRecord, ProblemList> {
        var problems: [Problem] = []
        let common = commonFields(draft, kind: .contacts, now: now, line: line, problems: &problems)
        guard problems.isEmpty, let common else { return .failure(ProblemList(problems)) }
        return .success(ContactRecord(id: common.id, entity: common.entity, channel: common.channel,
                                      contactedAt: common.start, answeredAt: common.answered))
    }

    private struct Common {
        var id: String
        var entity: String
        var channel: String
        var start: Instant
        var answered: Instant?
    }

    private func commonFields(_ draft: EvidenceDraft, kind: EvidenceKind, now: Instant, line: Int?, problems: inout [Problem]) -> Common? {
        func problem(_ field: String, _ reason: String) { problems.append(Problem(line: line, field: field, reason: reason)) }
        /// Through `Identifier.normalized`, as the response validator reads identifiers.
        func identifier(_ field: String, spaces: Identifier.Spaces, missing: String) -> String? {
            do {
                guard let value = try Identifier.normalized(draft[field], field: field, spaces: spaces) else {
                    problem(field, missing)
                    return nil
                }
                if value.utf8.count > 128 {
                    problem(field, "is \(value.utf8.count) bytes long; at most 128 bytes of UTF-8 are accepted")
                    return nil
                }
                return value
            } catch {
                problems.append(Problem(line: line, field: error.field, reason: error.reason))
                return nil
            }
        }
        let id = identifier("id", spaces: .none, missing: "is missing")
        let entity = identifier("entity", spaces: .between,
                                missing: "is missing: every record belongs to an entity (a mapping may give it as a fixed value)")
        let channel = identifier("channel", spaces: .none, missing: "is missing")
        let startField = kind.timeFields[0]
        let start = time(draft[startField], field: startField, now: now, line: line, problems: &problems)
        if cleaned(draft[startField]) == nil { problem(startField, "is missing") }
        let answered = time(draft["answered_at"], field: "answered_at", now: now, line: line, problems: &problems)
        if let start, let answered, answered < start {
            problem("answered_at", "\(answered.iso8601) is before \(startField) \(start.iso8601)")
        }
        guard let id, let entity, let channel, let start else { return nil }
        return Common(id: id, entity: entity, channel: channel, start: start, answered: answered)
    }

    private func time(_ text: String?, field: String, now: Instant, line: Int?, problems: inout [Problem]) -> Instant? {
        guard let text = cleaned(text) else { return nil }
        let instant: Instant
        switch ISO8601Timestamp.parse(text) {
        case .instant(let value): instant = value
        case .local(let wall): instant = zone.instant(wallClockMilliseconds: wall)
        case .invalid(let reason):
            problems.append(Problem(line: line, field: field, reason: "\"\(text)\": \(reason)"))
            return nil
        }
        if instant.millisecondsSince1970 > now.millisecondsSince1970 + futureTolerance {
            problems.append(Problem(line: line, field: field, reason: "\(instant.iso8601) is in the future"))
            return nil
        }
        return instant
    }
}

private func cleaned(_ text: String?) -> String? {
    guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
    return trimmed
}

/// An evaluator's scores of one Tawasul reply on appendix 4's four items (5 = strongly agree … 1 = strongly disagree).
public struct ReplyScore: Codable, Sendable, Hashable {
    public var id: Int64
    public var complaint: String
    public var entity: String
    public var evaluator: String
    public var at: Instant
    /// Items 1 to 4.
    public var scores: [Int]
    public var note: String?

    public init(id: Int64 = 0, complaint: String, entity: String, evaluator: String, at: Instant, scores: [Int], note: String? = nil) {
        self.id = id
        self.complaint = complaint
        self.entity = entity
        self.evaluator = evaluator
        self.at = at
        self.scores = scores
        self.note = note
    }
}

/// Appendix 4 summarised for an entity: how many replies were scored, the mean of each item and overall.
public struct ReplyScoreSummary: Codable, Sendable, Hashable {
    public var entity: String
    public var replies: Int
    /// Items 1 to 4; nil when nothing was scored.
    public var itemMeans: [Double?]
    public var mean: Double?

    public init(entity: String, scores: [ReplyScore]) {
        self.entity = entity
        replies = scores.count
        var sums = [0, 0, 0, 0]
        // The store keeps exactly four scores per reply; a shorter list counts only the items it holds.
        for score in scores { for (i, value) in score.scores.prefix(4).enumerated() { sums[i] += value } }
        itemMeans = sums.map { scores.isEmpty ? nil : Double($0) / Double(scores.count) }
        mean = scores.isEmpty ? nil : Double(sums.reduce(0, +)) / Double(4 * scores.count)
    }
}
