import RidaAssessment
import RidaSurvey

/// Why an assessment, registry or report operation cannot be done, in a sentence a person can act on.
///
/// Its kind: `invalid` for a batch of verdicts refused (the `problems` say which entry and field), `notFound` when the
/// thing asked for does not exist, and otherwise `conflict` (the request clashes with what is stored: a closed
/// assessment, a published report, a centre's registry entry).
public struct AssessmentError: RidaFailure, Equatable {
    public var description: String
    /// Whether the thing asked for does not exist (as opposed to a request that conflicts or is invalid).
    public var notFound: Bool
    /// For a batch of verdicts refused: every problem, each located at its entry, with the field it is about.
    public var problems: [Problem]
    /// What to do about it, which the command line tells as its command.
    public var nextStep: NextStep?

    public init(_ description: String, notFound: Bool = false, problems: [Problem] = [], next: NextStep? = nil) {
        self.description = description
        self.notFound = notFound
        self.problems = problems
        self.nextStep = next
    }

    public var kind: FailureKind {
        if !problems.isEmpty { return .invalid }
        return notFound ? .notFound : .conflict
    }

    /// The codes the HTTP service has always answered with: `invalid_verdicts`, `not_found`, `conflict`.
    public var code: String {
        switch kind {
        case .invalid: "invalid_verdicts"
        case .notFound: "not_found"
        default: "conflict"
        }
    }
}
