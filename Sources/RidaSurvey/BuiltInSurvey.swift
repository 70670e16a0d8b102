/// A survey definition built into Rida: the questionnaire, and its text as shipped in `surveys/`, byte for byte.
///
/// The one lookup of a built-in survey, for `rida survey`, `GET /v1/surveys/{id}` and the store registering the
/// version a response names.
///
/// ```swift
/// BuiltInSurvey.named("appendix-3")?.definition   // surveys/appendix-3.json
/// BuiltInSurvey.named("appendix-3", version: 2)   // nil: no such version is built in
/// ```
public struct BuiltInSurvey: Sendable {
    public let questionnaire: Questionnaire
    /// The definition's JSON text, byte for byte as in `surveys/`.
    public let definition: String

    /// Every built-in survey: the guide's appendices 3 and 4.
    public static let all: [BuiltInSurvey] = [
        BuiltInSurvey(questionnaire: .appendix3, definition: StandardSurveys.appendix3),
        BuiltInSurvey(questionnaire: .appendix4, definition: StandardSurveys.appendix4),
    ]

    /// The built-in survey called `id`; only when it is that `version`, when one is given.
    public static func named(_ id: String, version: Int? = nil) -> BuiltInSurvey? {
        all.first { $0.questionnaire.id == id && (version == nil || $0.questionnaire.version == version) }
    }
}
