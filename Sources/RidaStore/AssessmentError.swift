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

// MARK: What every store refuses when it records into an assessment (read in the store's own transaction)

extension AssessmentError {
    /// An entry names an assessment that is not there.
    public static func noAssessment(_ id: String) -> AssessmentError {
        AssessmentError("There is no assessment \(id): open it first.", notFound: true, next: .openAssessment)
    }

    /// Nothing of the batch was recorded, for these problems (`located`: each at its entry, as a batch of verdicts is
    /// refused; otherwise only told in the sentence).
    public static func nothingRecorded(_ problems: [Problem], located: Bool) -> AssessmentError {
        located
            ? AssessmentError("Nothing was recorded: " + problems.map(\.reason).joined(separator: "; ") + ".", problems: problems)
            : AssessmentError("Nothing was recorded: " + problems.map(\.description).joined(separator: "; ") + ".")
    }
}

extension Assessment {
    /// Refuses a write into a closed assessment, whose `part` ("forms", "verdicts") are final.
    public func refuseIfClosed(_ part: String) throws {
        guard let closing else { return }
        throw AssessmentError("Nothing was recorded: the assessment \(id) was closed by \(closing.by) at \(closing.at.iso8601), and its \(part) are final.")
    }
}

// MARK: What every store refuses about saved reports

extension AssessmentError {
    /// A saved report asked for by number is not there.
    public static func noReport(_ id: Int64) -> AssessmentError {
        AssessmentError("There is no saved report #\(id).", notFound: true, next: .listReports)
    }
}

extension SavedReport {
    /// Refuses a correction of this report by one covering `scope` and `quarter`: only a published report, not
    /// corrected yet, is corrected, by a report of what it covers.
    public func refuseCorrection(scope: String, quarter: Quarter) throws {
        guard status == .published else {
            throw AssessmentError("Report #\(id) is \(status.rawValue), not published: change it instead of correcting it.")
        }
        guard self.scope == scope, self.quarter == quarter else {
            throw AssessmentError("A correction covers what it corrects: report #\(id) is \(self.scope), \(self.quarter).")
        }
        if let later = replacedBy {
            throw AssessmentError("Report #\(id) is already corrected by #\(later): correct #\(later) instead.")
        }
    }
}
