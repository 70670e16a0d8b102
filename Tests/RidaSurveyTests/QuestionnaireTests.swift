import Foundation
import RidaTesting
import Testing
@testable import RidaSurvey

@Suite struct QuestionnaireTests {
    @Test func theBuiltInDefinitionsAreTheFilesInSurveys() throws {
        for (name, embedded) in [("appendix-3", StandardSurveys.appendix3), ("appendix-4", StandardSurveys.appendix4)] {
            let url = repositoryRoot().appendingPathComponent("surveys/\(name).json")
            let file = try String(contentsOf: url, encoding: .utf8)
            #expect(file == embedded + "\n", "run scripts/embed-surveys after editing surveys/\(name).json")
        }
    }

    @Test func appendix3HasTheGuidesSevenQuestions() throws {
        let q = Questionnaire.appendix3
        #expect(q.questions.map(\.id) == ["q1", "q2", "q3", "q4", "q5", "q6", "q7"])
        #expect(q.questions.map(\.group) == ["employee", "service", "service", "channel", "details", "details", "details"])
        #expect(q.ratedQuestions.count == 4)
        #expect(q.question("q1")?.text.ar == "كفاءة الموظف وأسلوب تعامله وقدرته على الإجابة على الاستفسارات")
        #expect(q.question("q4")?.text.ar == "سهولة الوصول إلى قناة تقديم الخدمة وملاءمة تصميمها")
        #expect(q.scale.label(1)?.ar == "غير راضي جداً")
        #expect(q.scale.label(5)?.ar == "راضي جداً")
        #expect(q.questions.filter { $0.kind == .text }.compactMap(\.field) == ["service", "counter", "comment"])
    }

    @Test func appendix4HasFourRatedItems() {
        #expect(Questionnaire.appendix4.ratedQuestions.count == 4)
        #expect(Questionnaire.appendix4.scale.label(5)?.ar == "أوافق بشدة")
    }

    @Test func theBuiltInDefinitionsPassTheirOwnValidation() {
        let (questionnaire, problems) = Questionnaire.validate(Data(StandardSurveys.appendix3.utf8))
        #expect(problems.isEmpty)
        #expect(questionnaire == Questionnaire.appendix3)
    }

    @Test func allowsExtraQuestions() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(StandardSurveys.appendix3.utf8)) as? [String: Any])
        var questions = try #require(object["questions"] as? [[String: Any]])
        questions.append(["id": "q8", "group": "extra", "kind": "rating", "text": ["ar": "نظافة المكان", "en": "Cleanliness"]])
        object["questions"] = questions
        object["id"] = "c01-exit"
        let (questionnaire, problems) = Questionnaire.validate(try JSONSerialization.data(withJSONObject: object))
        #expect(problems.isEmpty)
        #expect(questionnaire?.ratedQuestions.count == 5)
    }

    @Test func listsEveryProblemOfABrokenDefinition() {
        let json = """
            {"id": "", "version": 0, "title": {"ar": "استبيان"},
             "scale": {"min": 0, "max": 10, "labels": []},
             "questions": [
               {"id": "q1", "group": "employee", "kind": "rating", "text": {"ar": "س", "en": "Q"}},
               {"id": "q1", "group": "service", "kind": "stars", "text": {"ar": "س", "en": ""}},
               {"id": "q4", "group": "service", "kind": "rating", "text": {"ar": "س", "en": "Q"}}
             ]}
            """
        let (questionnaire, problems) = Questionnaire.validate(Data(json.utf8))
        #expect(questionnaire == nil)
        let fields = problems.compactMap(\.field)
        for expected in ["id", "version", "title.en", "scale", "scale.labels", "questions[1].id", "questions[1].kind",
                         "questions[1].text.en", "questions.q4"] {
            #expect(fields.contains(expected), "expected a problem on \(expected): \(problems)")
        }
        #expect(problems.contains { $0.reason.contains("q2") && $0.reason.contains("missing") })
        #expect(problems.contains { $0.reason.contains("q3") && $0.reason.contains("missing") })
    }

    @Test func refusesWhatIsNotJSON() {
        let (questionnaire, problems) = Questionnaire.validate(Data("id,centre\n".utf8))
        #expect(questionnaire == nil)
        #expect(problems.count == 1)
        #expect(problems[0].reason.contains("not JSON"))
    }
}
