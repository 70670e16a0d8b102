import Foundation
import RidaAssessment
import RidaStore
import RidaSurvey

/// Records the form's descriptive evaluation (appendix 5's strengths and areas to develop, appendix 6's channel
/// strengths and services): `rida assess describe` and `POST /v1/assessments/{id}/description`. Each text is appended;
/// the latest per item is the one the form prints.
///
/// The texts are checked here, all at once, by `DescriptionEntry.problems(framework:)` (the store runs the same check
/// again inside its transaction, as a guard): an item of the other framework's form, an empty text, no evaluator.
/// `unread` carries what a shell could not read into a text (an unknown item name in a JSON body), so one answer
/// lists every problem.
public struct DescribeAssessment: Sendable {
    public let store: any AssessmentStore
    public let now: @Sendable () -> Instant

    public init(store: any AssessmentStore, now: @escaping @Sendable () -> Instant) {
        self.store = store
        self.now = now
    }

    public func run(_ id: String, texts: [(item: DescriptionItem, text: String)], evaluator: String,
                    unread: [Problem] = []) async throws -> [DescriptionEntry] {
        guard let assessment = try await store.assessment(id) else {
            throw AssessmentError("There is no assessment \(id).", notFound: true, next: .openAssessment)
        }
        let time = now()
        let entries = texts.map { DescriptionEntry(assessment: id, item: $0.item, text: $0.text, evaluator: evaluator, at: time) }
        var problems = unread + entries.flatMap { $0.problems(framework: assessment.framework) }
        if entries.isEmpty && unread.isEmpty {
            let items = DescriptionItem.of(assessment.framework).map(\.spelling).joined(separator: ", ")
            problems.append(Problem(reason: "no text was given: this form describes \(items)"))
        }
        if !problems.isEmpty {
            throw UseCaseError(.invalid, code: "invalid_description",
                               "Nothing was recorded: " + problems.map(\.description).joined(separator: "; ") + ".",
                               problems: problems)
        }
        return try await store.recordDescriptions(entries)
    }
}
