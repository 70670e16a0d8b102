import RidaSurvey

/// A use case's refusal: a sentence a person can act on, its kind and machine code, and every problem found when
/// the input was at fault. Both shells report it: RidaHTTP maps the kind to a status, RidaCLI prints the sentence.
public struct UseCaseError: RidaFailure, Equatable {
    public var kind: FailureKind
    public var code: String
    public var description: String
    /// For an invalid request: every problem, each naming its field.
    public var problems: [Problem]
    /// What to do next, for a shell to tell in its own words (the command line names its command).
    public var nextStep: NextStep?

    public init(_ kind: FailureKind, code: String, _ description: String, problems: [Problem] = [], next: NextStep? = nil) {
        self.kind = kind
        self.code = code
        self.description = description
        self.problems = problems
        self.nextStep = next
    }

    /// A request with problems: one sentence per problem, `The parameter FIELD REASON.`
    public static func invalid(_ problems: [Problem]) -> UseCaseError {
        let sentences = problems.map { problem in
            problem.field.map { "The parameter \($0) \(problem.reason)." } ?? problem.reason
        }
        return UseCaseError(.invalid, code: "invalid_parameter", sentences.joined(separator: " "), problems: problems)
    }

    /// A centre that neither the registry nor any stored response names.
    public static func unknownCentre(_ id: String) -> UseCaseError {
        UseCaseError(.notFound, code: "unknown_centre",
                     "There is no centre \(id): neither the registry nor any stored response names it.")
    }

    /// No quarter was asked for and none has responses.
    public static let noResponses = UseCaseError(
        .notFound, code: "no_responses",
        "The database holds no responses yet, so there is no latest quarter: import responses, or give a quarter (YEAR-Qn).")
}
