import RidaSurvey

/// A questionnaire as text, in one language, for `rida survey show`.
public enum QuestionnaireRendering {
    public static func text(_ questionnaire: Questionnaire, language: Language) -> String {
        var out = "\(questionnaire.title[language]) (\(questionnaire.id), version \(questionnaire.version))\n"
        var currentGroup: String?
        for question in questionnaire.questions {
            if question.group != currentGroup {
                currentGroup = question.group
                out += "\n" + (questionnaire.group(question.group)?.name[language] ?? question.group) + "\n"
            }
            let kind = question.kind == .rating
                ? "" : (language == .ar ? " (نص حر)" : " (free text)")
            out += "  \(question.id)  \(question.text[language])\(kind)\n"
        }
        let scale = questionnaire.scale
        out += "\n" + (scale.title?[language] ?? (language == .ar ? "المقياس" : "Scale")) + "\n"
        for label in scale.labels.sorted(by: { $0.value < $1.value }) {
            out += "  \(label.value) = \(label[language])\n"
        }
        return out
    }
}
