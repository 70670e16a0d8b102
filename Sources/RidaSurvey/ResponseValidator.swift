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

    public static let maxIDLength = 128
    public static let maxCentreLength = 64
    public static let maxShortTextLength = 200
    public static let maxCommentLength = 4000

    public init(questionnaire: Questionnaire = .appendix3, channels: ChannelCatalog = .standard, zone: DeploymentZone = .bahrain) {
        self.questionnaire = questionnaire
        self.channels = channels
        self.zone = zone
    }

    /// Validates `draft`. `now` bounds `submitted_at`; `line` is attached to every problem.
    public func validate(_ draft: ResponseDraft, now: Instant, line: Int? = nil) -> Result<SurveyResponse, ProblemList> {
        var problems: [Problem] = []
        func problem(_ field: String?, _ reason: String) {
            problems.append(Problem(line: line, field: field, reason: reason))
        }

        let id = cleaned(draft.id)
        if let id {
            if id.utf8.count > Self.maxIDLength, id.count > Self.maxIDLength {
                problem("id", "is longer than \(Self.maxIDLength) characters")
            } else if !isPlainToken(id) {
                problem("id", "must not contain spaces or control characters")
            }
        } else {
            problem("id", "is missing")
        }

        let centre = cleaned(draft.centre)
        if let centre {
            if centre.utf8.count > Self.maxCentreLength, centre.count > Self.maxCentreLength {
                problem("centre", "is longer than \(Self.maxCentreLength) characters")
            } else if hasControlCharacters(centre, allowingNewlines: false) {
                problem("centre", "must not contain control characters or line breaks")
            }
        } else {
            problem("centre", "is missing: every response belongs to a centre")
        }

        // The entity, optional, is an identifier as the centre is.
        let entity = cleaned(draft.entity)
        if let entity {
            if entity.utf8.count > Self.maxCentreLength, entity.count > Self.maxCentreLength {
                problem("entity", "is longer than \(Self.maxCentreLength) characters")
            } else if hasControlCharacters(entity, allowingNewlines: false) {
                problem("entity", "must not contain control characters or line breaks")
            }
        }

        let channel = cleaned(draft.channel)
        if let channel {
            if channels.channel(channel) == nil {
                let known = channels.channels.map(\.id).joined(separator: ", ")
                problem("channel", "\"\(channel)\" is not a channel of this deployment (known: \(known))")
            }
        } else {
            problem("channel", "is missing")
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
        for (index, raw) in draft.ratings.enumerated() {
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
        let counter = freeText(draft.counter, field: "counter", limit: Self.maxShortTextLength, problem)
        let comment = freeText(draft.comment, field: "comment", limit: Self.maxCommentLength, problem)

        guard problems.isEmpty, let id, let centre, let channel, let submittedAt else {
            return .failure(ProblemList(problems))
        }
        return .success(SurveyResponse(
            id: id, centre: centre, channel: channel, submittedAt: submittedAt, stage: stage,
            ratings: ratings, service: service, counter: counter, comment: comment, entity: entity,
            surveyID: questionnaire.id, surveyVersion: questionnaire.version
        ))
    }

    private func freeText(_ raw: String?, field: String, limit: Int, _ problem: (String?, String) -> Void) -> String? {
        guard let text = cleaned(raw) else { return nil }
        if text.utf8.count > limit, text.count > limit {
            problem(field, "is longer than \(limit) characters")
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

/// Whether `text` has no white space or control characters (ASCII checked byte by byte, the rest by scalar).
func isPlainToken(_ text: String) -> Bool {
    var ascii = true
    for byte in text.utf8 {
        if byte <= 0x20 || byte == 0x7F { return false }
        if byte >= 0x80 { ascii = false }
    }
    return ascii || !text.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
}

func hasControlCharacters(_ text: String, allowingNewlines: Bool) -> Bool {
    for byte in text.utf8 where byte < 0x20 || byte == 0x7F {
        if allowingNewlines, byte == 0x0A || byte == 0x0D || byte == 0x09 { continue }
        if !allowingNewlines, byte == 0x09 { continue }
        return true
    }
    return false
}
