import Foundation

/// A survey definition: the guide's appendix-3 questionnaire, appendix 4, or one a centre writes.
///
/// A definition has an id and a version. Responses keep the version they answered,
/// so an edited questionnaire never changes the meaning of old responses.
public struct Questionnaire: Codable, Sendable, Hashable {
    public var id: String
    public var version: Int
    public var title: LocalizedText
    public var source: String?
    public var scale: Scale
    public var groups: [QuestionGroup]?
    public var questions: [Question]

    /// The question called `id`.
    public func question(_ id: String) -> Question? {
        questions.first { $0.id == id }
    }

    /// The rated questions, in order.
    public var ratedQuestions: [Question] {
        questions.filter { $0.kind == .rating }
    }

    /// The group called `id`, with its names.
    public func group(_ id: String) -> QuestionGroup? {
        groups?.first { $0.id == id }
    }
}

/// The answer scale of rated questions: 1 (very dissatisfied) to 5 (very satisfied) in appendix 3.
public struct Scale: Codable, Sendable, Hashable {
    public var min: Int
    public var max: Int
    public var title: LocalizedText?
    public var labels: [ScaleLabel]

    public func label(_ value: Int) -> ScaleLabel? {
        labels.first { $0.value == value }
    }
}

public struct ScaleLabel: Codable, Sendable, Hashable {
    public var value: Int
    public var ar: String
    public var en: String

    public subscript(_ language: Language) -> String {
        language == .ar ? ar : en
    }
}

public struct QuestionGroup: Codable, Sendable, Hashable {
    public var id: String
    public var name: LocalizedText
}

public enum QuestionKind: String, Codable, Sendable {
    /// Answered on the scale.
    case rating
    /// Answered in free text.
    case text
}

public struct Question: Codable, Sendable, Hashable {
    public var id: String
    /// `employee`, `service`, `channel` or `details` in appendix 3; free in other definitions.
    public var group: String
    public var kind: QuestionKind
    public var text: LocalizedText
    /// For free-text questions of appendix 3: the response field the answer is stored in.
    public var field: String?
}

extension Questionnaire {
    /// The four rated questions every definition must keep, with the group each belongs to.
    public static let standardRatedQuestions: [(id: String, group: String)] = [
        ("q1", "employee"), ("q2", "service"), ("q3", "service"), ("q4", "channel"),
    ]

    /// The guide's appendix-3 questionnaire (`surveys/appendix-3.json`), built into Rida.
    public static let appendix3: Questionnaire = decodeStandard(StandardSurveys.appendix3)

    /// The guide's appendix 4, quality of replies to Tawasul complaints (`surveys/appendix-4.json`).
    public static let appendix4: Questionnaire = decodeStandard(StandardSurveys.appendix4)

    private static func decodeStandard(_ json: String) -> Questionnaire {
        do {
            return try JSONDecoder().decode(Questionnaire.self, from: Data(json.utf8))
        } catch {
            // The built-in definitions are checked by tests; this cannot happen in a released build.
            fatalError("a built-in survey definition does not decode: \(error)")
        }
    }

    /// Reads and checks a definition a centre wrote, reporting every problem at once.
    ///
    /// Extra questions are allowed; the four standard rated questions (q1 employee, q2 and q3
    /// service, q4 channel) must be present, rated on a scale of 1 to 5 with a label for each point.
    public static func validate(_ data: Data) -> (Questionnaire?, [Problem]) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            return (nil, [Problem(reason: "the file is not JSON: a survey definition is a JSON object (see surveys/appendix-3.json)")])
        }
        guard let root = object as? [String: Any] else {
            return (nil, [Problem(reason: "a survey definition is a JSON object, not \(jsonKind(object))")])
        }
        var problems: [Problem] = []
        func text(_ value: Any?, _ field: String, required: Bool = true) {
            guard let value else {
                if required { problems.append(Problem(field: field, reason: "is missing")) }
                return
            }
            guard let dict = value as? [String: Any] else {
                problems.append(Problem(field: field, reason: "must be an object with \"ar\" and \"en\" texts"))
                return
            }
            for language in Language.allCases {
                let s = (dict[language.rawValue] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                if s.isEmpty { problems.append(Problem(field: "\(field).\(language.rawValue)", reason: "needs a non-empty text")) }
            }
        }

        if ((root["id"] as? String) ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(Problem(field: "id", reason: "needs a non-empty text, such as \"c01-exit-survey\""))
        }
        if let version = root["version"] as? NSNumber, !isBool(version), version.doubleValue == version.doubleValue.rounded(), version.intValue >= 1 {
        } else {
            problems.append(Problem(field: "version", reason: "needs a whole number of 1 or more"))
        }
        text(root["title"], "title")

        if let scale = root["scale"] as? [String: Any] {
            let min = (scale["min"] as? NSNumber)?.intValue
            let max = (scale["max"] as? NSNumber)?.intValue
            if min != 1 || max != 5 {
                problems.append(Problem(field: "scale", reason: "must run from min 1 to max 5, the guide's five-point scale"))
            }
            let labels = scale["labels"] as? [Any] ?? []
            var seen = Set<Int>()
            for (i, label) in labels.enumerated() {
                guard let label = label as? [String: Any], let value = (label["value"] as? NSNumber)?.intValue else {
                    problems.append(Problem(field: "scale.labels[\(i)]", reason: "needs a \"value\" from 1 to 5 and \"ar\" and \"en\" labels"))
                    continue
                }
                seen.insert(value)
                text(label, "scale.labels[\(i)]")
            }
            let missing = (1...5).filter { !seen.contains($0) }
            if !missing.isEmpty {
                problems.append(Problem(field: "scale.labels", reason: "has no label for " + missing.map(String.init).joined(separator: ", ")))
            }
        } else {
            problems.append(Problem(field: "scale", reason: "is missing: give min 1, max 5 and a label for each point"))
        }

        var questionsByID: [String: (group: String?, kind: String?)] = [:]
        if let questions = root["questions"] as? [Any], !questions.isEmpty {
            for (i, entry) in questions.enumerated() {
                let field = "questions[\(i)]"
                guard let question = entry as? [String: Any] else {
                    problems.append(Problem(field: field, reason: "must be an object"))
                    continue
                }
                let id = (question["id"] as? String) ?? ""
                if id.isEmpty {
                    problems.append(Problem(field: "\(field).id", reason: "needs a non-empty text"))
                } else if questionsByID[id] != nil {
                    problems.append(Problem(field: "\(field).id", reason: "\"\(id)\" is used by an earlier question"))
                }
                let kind = question["kind"] as? String
                if kind != "rating" && kind != "text" {
                    problems.append(Problem(field: "\(field).kind", reason: "must be \"rating\" or \"text\""))
                }
                let group = question["group"] as? String
                if (group ?? "").isEmpty { problems.append(Problem(field: "\(field).group", reason: "needs a non-empty text")) }
                text(question["text"], "\(field).text")
                if !id.isEmpty, questionsByID[id] == nil { questionsByID[id] = (group, kind) }
            }
        } else {
            problems.append(Problem(field: "questions", reason: "needs a non-empty list of questions"))
        }
        for standard in standardRatedQuestions {
            guard let found = questionsByID[standard.id] else {
                problems.append(Problem(field: "questions", reason: "the standard rated question \(standard.id) (\(standard.group)) is missing"))
                continue
            }
            if found.kind != "rating" || found.group != standard.group {
                problems.append(Problem(field: "questions.\(standard.id)", reason: "must be a rating question in the group \"\(standard.group)\", as in the guide"))
            }
        }

        guard problems.isEmpty else { return (nil, problems) }
        do {
            return (try JSONDecoder().decode(Questionnaire.self, from: data), [])
        } catch {
            return (nil, [Problem(reason: "the definition does not read as a questionnaire: \(error.localizedDescription)")])
        }
    }
}

private func isBool(_ number: NSNumber) -> Bool {
    String(cString: number.objCType) == "c" && (number == NSNumber(value: true) || number == NSNumber(value: false))
}

func jsonKind(_ value: Any) -> String {
    switch value {
    case is [Any]: "a list"
    case is String: "a text"
    case is NSNumber: "a number"
    default: "null"
    }
}
