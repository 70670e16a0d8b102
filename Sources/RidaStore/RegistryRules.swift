import RidaAssessment
import RidaSurvey

extension Centre {
    /// Why `existing` may not become `centre` while the assessment `assessment` (nil: none) rests on it, or nil when
    /// it may: who runs it, its kind and entity stay; its serving entities and channels may grow but not shrink. Every
    /// store checks a centre's change with this, after finding the latest assessment of the unit the centre is.
    public static func refusal(changing existing: Centre, to centre: Centre, assessedIn assessment: String?) -> AssessmentError? {
        guard let assessment, let kind = existing.kind else { return nil }
        let role = kind == .headquarters ? "assessed as a headquarters centre (\(assessment))" : "the remote centre of \(existing.entity ?? "?"), assessed in \(assessment)"
        if centre.operator != existing.operator {
            return AssessmentError("\(existing.id) is \(role): who runs it cannot change while that assessment rests on it.")
        }
        let leaving = existing.servingEntities.filter { !centre.servingEntities.contains($0) }
        if !leaving.isEmpty {
            return AssessmentError("\(existing.id) is \(role): the entities serving there can be added to but not removed (\(leaving.joined(separator: ", ")) would leave it).")
        }
        if centre.kind != existing.kind || centre.entity != existing.entity {
            return AssessmentError("\(existing.id) is \(role): its kind and entity cannot change while that assessment rests on it.")
        }
        let dropped = existing.channels.filter { !centre.channels.contains($0) }
        if !dropped.isEmpty {
            return AssessmentError("\(existing.id) is \(role): its channels can be added to but not removed (\(dropped.joined(separator: ", ")) would leave the verdicts).")
        }
        return nil
    }
}
