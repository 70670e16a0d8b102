import Foundation

/// Turns drafts into responses, or into the list of every problem they have.
///
/// The one validation path: imports, the HTTP service and tests all go through it.
public struct ResponseValidator: Sendable {
    public var questionnaire: Questionnaire
    public var channels: ChannelCatalog
    public var zone: DeploymentZone
    /// How far in the future a response may claim to be, for clocks slightly ahead.
    public var futureTolerance: Int64 = 24 * 3_600_000

    /// The earliest day a `submitted_at` may fall on, in the deployment's zone (`survey.earliestDate`): a device
    /// whose clock was never set says 1970 or year 1, a quarter no report asks for. Nil accepts any date.
    public var earliestDate: CivilDate? = Self.defaultEarliestDate

    // Limits in UTF-8 bytes, not characters: one character (a letter with 20,000 combining marks) can be 60 KB.
    public static let maxIDLength = 128
    public static let maxCentreLength = 64
    /// About 200 Arabic letters or 400 Latin ones.
    public static let maxShortTextLength = 400
    /// About 4,000 Arabic letters or 8,000 Latin ones.
    public static let maxCommentLength = 8000

    public init(questionnaire: Questionnaire = .appendix3, channels: ChannelCatalog = .standard, zone: DeploymentZone = .bahrain) {
        self.questionnaire = questionnaire
        self.channels = channels
        self.zone = zone
    }

    /// 1 January 2015, the default earliest date of a response (`survey.earliestDate`).
    public static let defaultEarliestDate = CivilDate(year: 2015, month: 1, day: 1)

    /// The first instant of `earliestDate` in the deployment's zone.
    public var earliest: Instant? {
        earliestDate.map { zone.instant(wallClockMilliseconds: $0.daysSince1970 * 86_400_000) }
    }

    /// Whether `instant` falls before `earliestDate`; decided without the zone when a day away from it.
    func isTooEarly(_ instant: Instant) -> Bool {
        guard let earliestDate else { return false }
        let midnight = earliestDate.daysSince1970 * 86_400_000
        if instant.millisecondsSince1970 >= midnight + 86_400_000 { return false }
        return zone.wallClock(at: instant) < midnight
    }

    /// Validates `draft`. `now` bounds `submitted_at`; `line` is attached to every problem.
    public func validate(_ draft: ResponseDraft, now: Instant, line: Int? = nil) -> Result<SurveyResponse, ProblemList> {
        var problems: [Problem] = []
        func problem(_ field: String?, _ reason: String) {
            problems.append(Problem(line: line, field: field, reason: reason))
        }

        /// Through `Identifier.normalized`, the one reading of identifiers; `missing` is the problem when absent.
        func identifier(_ raw: String?, _ field: String, spaces: Identifier.Spaces, limit: Int, missing: String?) -> String? {
            do {
                guard let value = try Identifier.normalized(raw, field: field, spaces: spaces) else {
                    if let missing { problem(field, missing) }
                    return nil
                }
                if value.utf8.count > limit {
                    problem(field, "is \(value.utf8.count) bytes long; at most \(limit) bytes of UTF-8 are accepted")
                    return nil
                }
                return value
            } catch {
                problems.append(Problem(line: line, field: error.field, reason: error.reason))
                return nil
            }
        }

        let id = identifier(draft.id, "id", spaces: .none, limit: Self.maxIDLength, missing: "is missing")
        let centre = identifier(draft.centre, "centre", spaces: .between, limit: Self.maxCentreLength,
                                missing: "is missing: every response belongs to a centre")
        // The entity, optional, is an identifier as the centre is.
        let entity = identifier(draft.entity, "entity", spaces: .between, limit: Self.maxCentreLength, missing: nil)
        let channel = identifier(draft.channel, "channel", spaces: .none, limit: Self.maxCentreLength, missing: "is missing")
        if let channel, channels.channel(channel) == nil {
            let known = channels.channels.map(\.id).joined(separator: ", ")
            problem("channel", "\"\(channel)\" is not a channel of this deployment (known: \(known))")
        }

        var submittedAt: Instant?
        if let text = cleaned(draft.submittedAt) {
            switch ISO8601Timestamp.parse(text) {
            case .instant(let instant): submittedAt = instant
            case .local(let wall): submittedAt = zone.instant(wallClockMilliseconds: wall)
            case .invalid(let reason): problem("submitted_at", "\"\(text)\": \(reason)")
            }
            if let instant = submittedAt, instant.millisecondsSince1970 > now.millisecondsSince1970 + futureTolerance {
                problem("submitted_at", "\(instant.iso8601) is in the future; check the clock of the device that sent it")
                submittedAt = nil
            } else if let instant = submittedAt, isTooEarly(instant), let earliestDate {
                problem("submitted_at", "\(instant.iso8601) is before \(earliestDate.iso8601), the earliest date this deployment accepts (survey.earliestDate): check the clock of the device that sent it")
                submittedAt = nil
            }
        } else {
            problem("submitted_at", "is missing")
        }

        var stage: Stage?
        if let text = cleaned(draft.stage) {
            stage = Stage(rawValue: text.lowercased())
            if stage == nil { problem("stage", "\"\(text)\" is not a stage; use before, during or after") }
        }

        let scale = questionnaire.scale
        var ratings: [Int?] = []
        // A draft made in code may hold fewer slots than q1 to q4 (the rest unanswered) or more (refused, never a crash).
        let slots = SurveyResponse.ratedQuestionCount
        if draft.ratings.count > slots { problem(nil, "a response rates at most q1 to q\(slots)") }
        let raws = Array(draft.ratings.prefix(slots)) + Array(repeating: nil, count: max(0, slots - draft.ratings.count))
        for (index, raw) in raws.enumerated() {
            let field = "q\(index + 1)"
            guard let text = cleaned(raw) else {
                ratings.append(nil)
                continue
            }
            if let value = Int(text), (scale.min...scale.max).contains(value) {
                ratings.append(value)
            } else {
                ratings.append(nil)
                problem(field, "\"\(text)\" is not a rating; give a whole number from \(scale.min) to \(scale.max), or leave it empty to skip")
            }
        }
        let ratingProblems = problems.contains { $0.field?.hasPrefix("q") == true }
        if !ratingProblems, ratings.allSatisfy({ $0 == nil }) {
            problem(nil, "no question was rated: a response rates at least one of q1 to q4")
        }

        let service = freeText(draft.service, field: "service", limit: Self.maxShortTextLength, problem)
        let counter = identifier(draft.counter, "counter", spaces: .between, limit: Self.maxShortTextLength, missing: nil)
        let comment = freeText(draft.comment, field: "comment", limit: Self.maxCommentLength, problem)
        let contact = Self.contact(draft, problem)

        guard problems.isEmpty, let id, let centre, let channel, let submittedAt else {
            return .failure(ProblemList(problems))
        }
        var response = SurveyResponse(
            id: id, centre: centre, channel: channel, submittedAt: submittedAt, stage: stage,
            ratings: ratings, service: service, counter: counter, comment: comment, entity: entity,
            surveyID: questionnaire.id, surveyVersion: questionnaire.version
        )
        response.contact = contact
        return .success(response)
    }

    /// The customer's leave to be contacted: `contact_consent` true with a phone or an e-mail, or nothing. Contact
    /// details without the leave are refused rather than kept or silently dropped: the device sending them is wrong.
    static func contact(_ draft: ResponseDraft, _ problem: (String?, String) -> Void) -> FollowUpContact? {
        var consent = false
        if let text = cleaned(draft.contactConsent) {
            switch text.lowercased() {
            case "true", "yes", "1", "on": consent = true
            case "false", "no", "0", "off": consent = false
            default:
                problem("contact_consent", "\"\(text.prefix(20))\" is not a yes or no; send true when the customer agrees to be contacted")
                return nil
            }
        }
        let phoneText = cleaned(draft.contactPhone), emailText = cleaned(draft.contactEmail)
        guard consent else {
            if phoneText != nil || emailText != nil {
                problem("contact_consent", "contact details are kept only when the customer agrees to be contacted: send contact_consent true with them, or leave them out")
            }
            return nil
        }
        guard phoneText != nil || emailText != nil else {
            problem("contact_phone", "give a phone number or an e-mail address to be contacted on (contact_consent is true)")
            return nil
        }
        var contact = FollowUpContact()
        var valid = true
        if let phoneText {
            if let phone = phoneNumber(phoneText) { contact.phone = phone } else {
                valid = false
                problem("contact_phone", "is not a phone number: give 7 to 15 digits, with an optional + and spaces or dashes")
            }
        }
        if let emailText {
            if let email = emailAddress(emailText) { contact.email = email } else {
                valid = false
                problem("contact_email", "is not an e-mail address such as name@example.bh")
            }
        }
        return valid ? contact : nil
    }

    /// `+973 3333-4444` → `+97333334444`; Arabic-Indic digits read as digits. Nil unless 7 to 15 digits remain.
    static func phoneNumber(_ text: String) -> String? {
        guard text.utf8.count <= 64 else { return nil }
        var out = ""
        for (position, scalar) in text.unicodeScalars.enumerated() {
            switch scalar.value {
            case 0x30...0x39: out.unicodeScalars.append(scalar)
            case 0x0660...0x0669: out.append(Character(String(scalar.value - 0x0660)))
            case 0x06F0...0x06F9: out.append(Character(String(scalar.value - 0x06F0)))
            case 0x2B where position == 0: out.append("+")
            case 0x20, 0x2D, 0x2E, 0x28, 0x29, 0xA0: continue
            default: return nil
            }
        }
        let digits = out.filter(\.isNumber).count
        return (7...15).contains(digits) ? out : nil
    }

    /// A plain address, its domain in lower case; nil when it cannot be one (no quoting, no comments, no spaces).
    static func emailAddress(_ text: String) -> String? {
        guard text.utf8.count <= 254, let at = text.lastIndex(of: "@") else { return nil }
        let local = text[..<at], domain = text[text.index(after: at)...].lowercased()
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard !local.isEmpty, local.utf8.count <= 64, labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }) else { return nil }
        let forbidden = Set("@ \"<>()[]\\,;:")
        for scalar in text.unicodeScalars where scalar.value < 0x21 || scalar.value == 0x7F || forbidden.contains(Character(scalar)) && scalar != "@" {
            return nil
        }
        guard !local.contains("@"), !domain.contains(where: { "!#$%&'*+/=?^`{|}~_".contains($0) }) else { return nil }
        return local + "@" + domain
    }

    private func freeText(_ raw: String?, field: String, limit: Int, _ problem: (String?, String) -> Void) -> String? {
        guard let text = cleaned(raw) else { return nil }
        if text.utf8.count > limit {
            problem(field, "is \(text.utf8.count) bytes long; at most \(limit) bytes of UTF-8 are accepted")
            return nil
        }
        if hasControlCharacters(text, allowingNewlines: field == "comment") {
            problem(field, "contains a control character")
            return nil
        }
        return text
    }
}

/// Trims surrounding white space; empty becomes nil.
@inline(__always)
func cleaned(_ text: String?) -> String? {
    guard let text, !text.isEmpty else { return nil }
    // Fast path: most fields need no trimming.
    if let first = text.utf8.first, let last = text.utf8.last, first > 0x20, last > 0x20 { return text }
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    return trimmed.isEmpty ? nil : trimmed
}

func hasControlCharacters(_ text: String, allowingNewlines: Bool) -> Bool {
    for byte in text.utf8 where byte < 0x20 || byte == 0x7F {
        if allowingNewlines, byte == 0x0A || byte == 0x0D || byte == 0x09 { continue }
        if !allowingNewlines, byte == 0x09 { continue }
        return true
    }
    return false
}
