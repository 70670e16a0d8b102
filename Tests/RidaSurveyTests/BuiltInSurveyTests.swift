import Foundation
import RidaSurvey
import RidaTesting
import Testing

@Suite struct BuiltInSurveyTests {
    @Test func findsEachBuiltInSurveyByIdWithItsTextAsShipped() throws {
        for (id, file) in [("appendix-3", "surveys/appendix-3.json"), ("appendix-4", "surveys/appendix-4.json")] {
            let survey = try #require(BuiltInSurvey.named(id))
            #expect(survey.questionnaire.id == id)
            let shipped = try String(contentsOf: repositoryRoot().appendingPathComponent(file), encoding: .utf8)
            #expect(survey.definition + "\n" == shipped)
        }
    }

    @Test func aVersionThatIsNotBuiltInOrAnUnknownIdIsNone() {
        // Both built-in definitions are version 1.
        #expect(BuiltInSurvey.named("appendix-3", version: 1)?.questionnaire.version == 1)
        #expect(BuiltInSurvey.named("appendix-3", version: 2) == nil)
        #expect(BuiltInSurvey.named("appendix-5") == nil)
        #expect(BuiltInSurvey.all.map(\.questionnaire.id) == ["appendix-3", "appendix-4"])
    }
}
