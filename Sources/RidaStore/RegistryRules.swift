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

    /// The guide leaves some centres out of its assessment (guide-notes decision 15): opening one is refused with its
    /// words. Every store checks an assessment it opens with this and `checkUnit`.
    public static func refuseExcluded(_ centre: Centre, assessment: Assessment) throws {
        guard let exclusion = centre.exclusion else { return }
        throw AssessmentError("The assessment \(assessment.id) was not opened: the registry records \(centre.id) as \(exclusion.summary), which the guide leaves out of its assessment: \(exclusion.guideText).")
    }

    /// Guide-notes decision 15: a centre run by the private sector or civil society is assessed entity by entity, each
    /// entity serving there on its own; any other centre once, as a whole.
    public static func checkUnit(_ centre: Centre, assessment: Assessment) throws {
        let entities = centre.servingEntities.joined(separator: ", ")
        switch (centre.assessesEntitiesSeparately, assessment.entity) {
        case (true, nil):
            throw AssessmentError("\(centre.id) is run by \(centre.operator?.rawValue ?? "?"): each government entity serving there is assessed on its own («فإن كل جهة حكومية تقدم خدماتها عبر هذا المقر تقيّم على حدة»); give --entity, one of \(entities).")
        case (true, let entity?) where !centre.servingEntities.contains(entity):
            throw AssessmentError("\(entity) does not serve at \(centre.id) as the registry says (entities serving there: \(entities)): add it first.", next: .registerServingEntities(centre: centre.id))
        case (false, _?):
            throw AssessmentError("\(centre.id) is not run by the private sector or civil society: it is assessed once, as a whole, and the entity running it answers for it; open it without --entity.")
        default:
            break
        }
    }
}
