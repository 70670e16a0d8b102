import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RidaAssessment
import RidaHTTP
import RidaReports
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// `/v1/assessments` through a real server on a local socket, over a real SQLite file.
@Suite struct AssessmentsRouterTests {
    static let door = String(repeating: "ab", count: 32)

    /// C01 (a headquarters with Arabic names) and its assessment C01-2026, opened by the lead.
    func seeded() async throws -> Harness {
        let h = try await Harness()
        try await h.store.saveEntity(Entity(id: "E01", nameAr: "هيئة المعلومات", nameEn: "Information Authority"))
        try await h.store.saveCentre(Centre(id: "C01", entity: "E01", nameAr: "مركز المحرق", nameEn: "Muharraq centre",
                                            kind: .headquarters, channels: ["counter", "kiosk"]), at: h.now)
        try await h.store.openAssessment(Assessment(framework: .headquarters, unit: "C01", cycle: 2026, openedAt: h.now, openedBy: "Lead"))
        return h
    }

    func sheet(_ h: Harness) async throws -> AssessmentSheet {
        try await h.store.assessmentSheet("C01-2026", policy: h.settings.policy, now: h.now)
    }

    func problems(_ answer: TestResponse) throws -> [String: String] {
        let error = try #require(try answer.json()["error"] as? [String: Any])
        let list = try #require(error["problems"] as? [[String: Any]], "\(answer.text)")
        var byField: [String: String] = [:]
        for problem in list { byField[problem["field"] as? String ?? "-"] = problem["reason"] as? String }
        return byField
    }

    @Test func listsAssessmentsWithTheShieldReachedAndTheNext() async throws {
        let h = try await seeded()
        defer { h.remove() }
        let basic = Catalogue.standard[.headquarters].criteria.filter { $0.tier == .basic }.count
        try await h.test(.live) { client in
            for key in [h.quality, h.evaluator, h.admin] {
                let answer = try await client.get("/v1/assessments", key: key)
                #expect(answer.status == .ok)
                let list = try #require(try answer.json()["assessments"] as? [[String: Any]])
                #expect(list.count == 1)
                #expect(list[0]["id"] as? String == "C01-2026")
                #expect(list[0]["framework"] as? Int == 1)
                #expect(list[0]["openedBy"] as? String == "Lead")
                #expect(list[0]["reached"] is NSNull)
                let next = try #require(list[0]["next"] as? [String: Any])
                #expect(next["shield"] as? String == "silver")
                #expect(next["required"] as? Int == basic)
            }
        }
    }

    @Test func servesTheSheetAndTheGuidesFormAsTheCommandLineRendersThem() async throws {
        let h = try await seeded()
        defer { h.remove() }
        let sheet = try await sheet(h)
        try await h.test(.live) { client in
            let json = try await client.get("/v1/assessments/C01-2026", key: h.evaluator)
            #expect(json.status == .ok)
            #expect(json.headers[.contentType] == "application/json; charset=utf-8")
            #expect(json.text == (try AssessmentForm.json(sheet)))

            let html = try await client.get("/v1/assessments/C01-2026/form", key: h.quality)
            #expect(html.status == .ok)
            #expect(html.headers[.contentType] == "text/html; charset=utf-8")
            #expect(html.headers[.contentDisposition] == #"inline; filename="rida-assessment-C01-2026-ar.html""#)
            #expect(html.text.contains(#"dir="rtl""#))
            #expect(html.text.contains("مركز المحرق"))
            #expect(html.text == AssessmentForm(sheet).html(.ar))
            let english = try await client.get("/v1/assessments/C01-2026/form?format=html&lang=en", key: h.quality)
            #expect(english.text.contains(#"dir="ltr""#))
            #expect(english.text == AssessmentForm(sheet).html(.en))
            let text = try await client.get("/v1/assessments/C01-2026/form?format=text&lang=ar", key: h.evaluator)
            #expect(text.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(text.text == AssessmentForm(sheet).text(.ar))
            let formJSON = try await client.get("/v1/assessments/C01-2026/form?format=json", key: h.evaluator)
            #expect(formJSON.text == (try AssessmentForm.json(sheet)))

            #expect(try await client.get("/v1/assessments/C01-2026/form?format=pdf", key: h.evaluator).status == .unprocessableContent)
            #expect(try await client.get("/v1/assessments/C01-2026/form?lang=fr", key: h.evaluator).status == .unprocessableContent)
            let missing = try await client.get("/v1/assessments/C09-2026", key: h.evaluator)
            #expect(missing.status == .notFound)
            #expect(try missing.errorCode() == "not_found")
            #expect(try await client.get("/v1/assessments/C09-2026/form", key: h.evaluator).status == .notFound)
            #expect(try await client.get("/v1/assessments/C09-2026/history", key: h.evaluator).status == .notFound)
        }
    }

    @Test func recordsVerdictsThenTheSheetAndHistoryShowThem() async throws {
        let h = try await seeded()
        defer { h.remove() }
        let importID = try await h.store.beginImport(kind: "responses", source: "visits.csv", sha256: Self.door, byteCount: 10, mapping: nil, at: h.now)
        let body = """
            {"entries": [
              {"criterion": "1.1.1", "verdict": "met", "mechanism": "field-visit", "note": "اللافتات بالعربية والإنجليزية",
               "evidence": ["https://intranet.example/visits/12", "import:\(importID)", {"file": "door.jpg", "sha256": "\(Self.door)", "bytes": 52311}]},
              {"criterion": "2.1.3", "verdict": "not-applicable", "reason": "لا يقدم المركز خدمات تتطلب رسوم دفع"},
              {"criterion": "1.1.2", "verdict": "not-met", "evaluator": "Fatima"}
            ]}
            """
        try await h.test(.live) { client in
            let answer = try await client.post("/v1/assessments/C01-2026/verdicts", key: h.evaluator, json: body)
            #expect(answer.status == .created, "\(answer.text)")
            let result = try answer.json()
            #expect(result["recorded"] as? Int == 3)
            #expect((result["entries"] as? [[String: Any]])?.map { $0["evaluator"] as? String } == ["evaluator", "evaluator", "Fatima"])

            let sheet = try JSONDecoder().decode(AssessmentSheet.self, from: Data(try await client.get("/v1/assessments/C01-2026", key: h.quality).text.utf8))
            #expect(sheet.line("1.1.1")?.verdict == .met)
            #expect(sheet.line("2.1.3")?.verdict == .notApplicable)
            #expect(sheet.line("1.1.2")?.verdict == .notMet)
            #expect(sheet.line("1.1.1")?.recorded?.note == "اللافتات بالعربية والإنجليزية")

            let history = try await client.get("/v1/assessments/C01-2026/history", key: h.evaluator)
            #expect(history.status == .ok)
            let entries = try #require(try history.json()["entries"] as? [[String: Any]])
            #expect(entries.map { $0["criterion"] as? String } == ["1.1.1", "2.1.3", "1.1.2"])
            let one = try await client.get("/v1/assessments/C01-2026/history?criterion=2.1.3", key: h.quality).json()
            #expect((one["entries"] as? [[String: Any]])?.first?["note"] as? String == "لا يقدم المركز خدمات تتطلب رسوم دفع")

            // A body-wide evaluator names every entry that names none.
            let named = try await client.post("/v1/assessments/C01-2026/verdicts", key: h.admin,
                                              json: #"{"evaluator": "Noor", "entries": [{"criterion": "1.1.1", "verdict": "met"}]}"#)
            #expect(named.status == .created)
        }
        let stored = try await h.store.history(of: "C01-2026")
        #expect(stored.map(\.evaluator) == ["evaluator", "evaluator", "Fatima", "Noor"])
        #expect(stored[0].mechanism == .fieldVisit)
        #expect(stored[0].evidence == [.url("https://intranet.example/visits/12"), .importRecord(importID),
                                       .file(name: "door.jpg", sha256: Self.door, byteCount: 52311)])
        #expect(stored[0].at == h.now)
    }

    @Test func aBadBodyNamesEachEntryAndFieldAndStoresNothing() async throws {
        let h = try await seeded()
        defer { h.remove() }
        try await h.test(.live) { client in
            let body = """
                {"entries": [
                  {"criterion": "1.1.1", "verdict": "met"},
                  {"criterion": "2.1.1", "verdict": "n/a"},
                  {"criterion": "1.1.2", "verdict": "maybe", "colour": "red"},
                  {"criterion": "2.3.2", "verdict": "met", "mechanism": "guesswork", "evidence": ["door.jpg", "import:77", {"file": "x", "sha256": "12"}]},
                  {"verdict": "met"},
                  {"criterion": "9.9.9", "verdict": "met"}
                ]}
                """
            let answer = try await client.post("/v1/assessments/C01-2026/verdicts", key: h.evaluator, json: body)
            #expect(answer.status == .unprocessableContent)
            #expect(try answer.errorCode() == "invalid_verdicts")
            let found = try problems(answer)
            #expect(found["entries[1].note"]?.contains("not-applicable verdict needs a note saying why its condition") == true)
            #expect(found["entries[2].verdict"] == "\"maybe\" is not one of \(RecordedVerdict.spellings)")
            #expect(found["entries[2].colour"] != nil)
            #expect(found["entries[3].mechanism"] != nil)
            #expect(found["entries[3].evidence[0]"]?.contains("sha256") == true)
            #expect(found["entries[3].evidence[1]"] == "there is no import #77 (rida imports lists them)")
            #expect(found["entries[3].evidence[2].sha256"] != nil)
            #expect(found["entries[4].criterion"]?.contains("is missing") == true)
            #expect(found["entries[5].criterion"] == "framework 1 has no criterion 9.9.9")
            #expect(found["entries[0].verdict"] == nil && found["entries[0].note"] == nil)

            // Checked by the store in its transaction: an override of a data verdict, and a change, each need a reason.
            let override = try await client.post("/v1/assessments/C01-2026/verdicts", key: h.evaluator,
                                                 json: #"{"entries": [{"criterion": "1.1.1", "verdict": "met"}, {"criterion": "2.3.2", "verdict": "met"}]}"#)
            #expect(override.status == .unprocessableContent)
            #expect(try problems(override) == ["entries[1].note": "2.3.2 is decided from the data: overriding it needs the reason in a note"])

            #expect(try await client.post("/v1/assessments/C01-2026/verdicts", key: h.evaluator, json: "{\"entries\": [").status == .badRequest)
            #expect(try await client.post("/v1/assessments/C01-2026/verdicts", key: h.evaluator, json: "{}").status == .unprocessableContent)
            #expect(try await client.post("/v1/assessments/C01-2026/verdicts", key: h.evaluator, json: #"{"entries": []}"#).status == .unprocessableContent)
            #expect(try await client.post("/v1/assessments/C01-2026/verdicts", key: h.evaluator,
                                          json: #"{"entries": [{"criterion": "1.1.1", "verdict": "met"}]}"#, contentType: "text/plain").status == .unsupportedMediaType)
            #expect(try await client.post("/v1/assessments/C09-2026/verdicts", key: h.evaluator,
                                          json: #"{"entries": [{"criterion": "1.1.1", "verdict": "met"}]}"#).status == .notFound)
        }
        #expect(try await h.store.history(of: "C01-2026").isEmpty)

        try await h.store.record([HistoryEntry(assessment: "C01-2026", criterion: "1.1.1", verdict: .met, evaluator: "A", at: h.now)])
        try await h.test(.live) { client in
            let change = try await client.post("/v1/assessments/C01-2026/verdicts", key: h.evaluator,
                                               json: #"{"entries": [{"criterion": "1.1.1", "verdict": "not-met"}]}"#)
            #expect(change.status == .unprocessableContent)
            #expect(try problems(change)["entries[0].note"]?.contains("was recorded met by A: changing it needs the reason") == true)
        }
        #expect(try await h.store.history(of: "C01-2026").count == 1)
    }

    @Test func onlyEvaluatorsAndAdminsRecordAndSubmittersReadNothing() async throws {
        let h = try await seeded()
        defer { h.remove() }
        let entry = #"{"entries": [{"criterion": "1.1.1", "verdict": "met"}]}"#
        try await h.test(.live) { client in
            let quality = try await client.post("/v1/assessments/C01-2026/verdicts", key: h.quality, json: entry)
            #expect(quality.status == .forbidden)
            #expect((try quality.json()["error"] as? [String: Any])?["message"] as? String
                    == "This key reads assessments; verdicts are recorded with an evaluator or admin key (rida keys create --role evaluator).")
            #expect(try await client.post("/v1/assessments/C01-2026/verdicts", key: h.submitter, json: entry).status == .forbidden)
            #expect(try await client.post("/v1/assessments/C01-2026/verdicts", key: nil, json: entry).status == .unauthorized)
            for path in ["/v1/assessments", "/v1/assessments/C01-2026", "/v1/assessments/C01-2026/form", "/v1/assessments/C01-2026/history"] {
                let answer = try await client.get(path, key: h.submitter)
                #expect(answer.status == .forbidden, "\(path)")
                #expect((try answer.json()["error"] as? [String: Any])?["message"] as? String
                        == "This key submits responses; assessments are read with a quality, evaluator or admin key.")
            }
        }
        #expect(try await h.store.history(of: "C01-2026").isEmpty)
    }

    /// `POST /v1/assessments/{id}/close`, as `rida assess close`: evaluators and admins close; the sheet answers closed,
    /// and a second close or a later verdict is a conflict.
    @Test func closingFreezesTheAssessmentOverHTTP() async throws {
        let h = try await seeded()
        defer { h.remove() }
        try await h.test(.live) { client in
            #expect(try await client.post("/v1/assessments/C01-2026/close", key: h.quality, json: "{}").status == .forbidden)
            let closed = try await client.post("/v1/assessments/C01-2026/close", key: h.evaluator, json: #"{"evaluator": "Fatima"}"#)
            #expect(closed.status == .ok, "\(closed.text)")
            let sheet = try JSONDecoder().decode(AssessmentSheet.self, from: Data(closed.text.utf8))
            #expect(sheet.assessment.closing?.by == "Fatima")
            #expect(sheet.classification.provisional == false)
            #expect(try await client.post("/v1/assessments/C01-2026/close", key: h.evaluator, json: "{}").status == .conflict)
            let late = try await client.post("/v1/assessments/C01-2026/verdicts", key: h.evaluator,
                                             json: #"{"entries": [{"criterion": "1.1.1", "verdict": "met"}]}"#)
            #expect(late.status == .conflict)
            let list = try await client.get("/v1/assessments", key: h.quality).json()
            let first = try #require((list["assessments"] as? [[String: Any]])?.first)
            #expect(first["provisional"] as? Bool == false)
            #expect(try await client.post("/v1/assessments/C09-2026/close", key: h.evaluator, json: "{}").status == .notFound)
        }
    }

    /// Decision 16: appendix 5's descriptive evaluation recorded over HTTP and printed on the form.
    @Test func theDescriptiveEvaluationIsRecordedAndPrinted() async throws {
        let h = try await seeded()
        defer { h.remove() }
        try await h.test(.live) { client in
            let bad = try await client.post("/v1/assessments/C01-2026/description", key: h.evaluator,
                                            json: #"{"services": "x", "colour": "red", "strengths": ""}"#)
            #expect(bad.status == .unprocessableContent)
            let found = try problems(bad)
            #expect(found["services"]?.contains("other framework's form") == true)
            #expect(found["colour"] != nil && found["strengths"] != nil)
            let done = try await client.post("/v1/assessments/C01-2026/description", key: h.evaluator,
                                             json: #"{"strengths": "استقبال منظم", "areas-to-develop": "لافتات الطريق"}"#)
            #expect(done.status == .created, "\(done.text)")
            let form = try await client.get("/v1/assessments/C01-2026/form?format=text", key: h.quality)
            #expect(form.text.contains("نقاط القوة: استقبال منظم — evaluator"))
            #expect(form.text.contains("الجوانب التي تحتاج إلى تطوير: لافتات الطريق"))
        }
    }
}
