import Crypto
import Foundation
import Logging
import RidaAggregation
import RidaAssessment
import RidaImport
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

@Suite struct EvidenceImportTests {
    let now = instant("2027-01-10T10:00:00+03:00")

    func importer(_ store: SQLiteStore) -> Importer {
        Importer(store: store, validator: ResponseValidator(), batchSize: 2, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    }

    @Test func tawasulRecordsImportFromCanonicalCSVWithEveryBadRowExplained() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let store = try temp.open()
        let csv = """
            id,entity,channel,topic,received_at,answered_at,sla_days,status
            T1,E01,website,تجديد الجواز,2026-02-01T09:00:00+03:00,2026-02-03T09:00:00+03:00,5,closed
            T2,E01,mobile_app,"Payment, card",2026-05-01 09:00,,5,open
            T3,,website,x,2026-05-01T09:00:00+03:00,,five,open
            T4,E01,website,x,2026-05-01T09:00:00+03:00,2026-04-01T09:00:00+03:00,5,closed
            T5,E02,website,,2026-08-01T09:00:00+03:00,2026-08-02T09:00:00+03:00,3,closed

            """
        let path = try temp.file("tawasul.csv", csv)
        let summary = try await importer(store).importEvidence(.tawasul, at: path, now: now)
        #expect(summary.tally.accepted == 3)
        #expect(summary.tally.rejected == 2)
        let problems = summary.rejected.flatMap(\.problems).map(\.description)
        #expect(problems.contains("line 4, entity: is missing: every record belongs to an entity (a mapping may give it as a fixed value)"))
        #expect(problems.contains("line 4, sla_days: \"five\" is not a whole number of days from 1 to 3650"))
        #expect(problems.contains { $0.hasPrefix("line 5, answered_at: 2026-04-01T06:00:00.000Z is before received_at") })

        let complaints = try await store.complaints(entity: "E01")
        #expect(complaints.map(\.id) == ["T1", "T2"])
        #expect(complaints[0].topic == "تجديد الجواز")  // Arabic intact
        #expect(complaints[1].topic == "Payment, card")
        #expect(complaints[1].receivedAt == instant("2026-05-01T09:00:00+03:00"))  // local time read in Asia/Bahrain
        let record = try #require(try await store.imports().first)
        #expect(record.kind == "tawasul")
        #expect(record.sha256 == SHA256.hash(data: Data(csv.utf8)).map { String(format: "%02x", $0) }.joined())
        #expect(record.tally.accepted == 3)
        #expect(record.tally.rejected == 2)
        #expect(record.status == "finished")

        // A later export: T2 answered since. It replaces the earlier record; T1 is unchanged.
        let later = try temp.file("tawasul-later.csv", """
            id,entity,channel,topic,received_at,answered_at,sla_days,status
            T1,E01,website,تجديد الجواز,2026-02-01T09:00:00+03:00,2026-02-03T09:00:00+03:00,5,closed
            T2,E01,mobile_app,"Payment, card",2026-05-01 09:00,2026-05-04 09:00,5,closed

            """)
        let again = try await importer(store).importEvidence(.tawasul, at: later, now: now)
        #expect(again.tally.accepted == 1)
        #expect(again.updated == 1)
        #expect(again.tally.duplicates == 1)
        #expect(try await store.complaints(entity: "E01")[1].answeredAt == instant("2026-05-04T09:00:00+03:00"))
        try store.close()
    }

    /// Decision 14: records carry their type (complaint unless the export says otherwise) and the export's own due date.
    @Test func tawasulRecordsCarryTheirTypeAndDueDate() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let store = try temp.open()
        let csv = """
            id,entity,channel,topic,received_at,answered_at,sla_days,status,type,due_at
            T1,E01,website,Login,2026-02-01T09:00:00+03:00,2026-02-03T09:00:00+03:00,5,closed,شكوى,2026-02-02T09:00:00+03:00
            T2,E01,website,Login,2026-05-01T09:00:00+03:00,,5,open,Suggestion,
            T3,E01,website,Login,2026-05-01T09:00:00+03:00,,5,open,استفسار,
            T4,E01,website,Login,2026-05-01T09:00:00+03:00,,5,open,,
            T5,E01,website,Login,2026-05-01T09:00:00+03:00,,5,open,rant,
            T6,E01,website,Login,2026-05-01T09:00:00+03:00,,5,open,complaint,2026-04-01T09:00:00+03:00

            """
        let summary = try await importer(store).importEvidence(.tawasul, at: try temp.file("typed.csv", csv), now: now)
        #expect(summary.tally.accepted == 4)
        let problems = summary.rejected.flatMap(\.problems).map(\.description)
        #expect(problems.contains("line 6, type: \"rant\" is not one of complaint, suggestion (or remark), inquiry, thanks (a mapping's values can rename the export's)"))
        #expect(problems.contains { $0.hasPrefix("line 7, due_at: 2026-04-01T06:00:00.000Z is before received_at") })
        let records = try await store.complaints(entity: "E01")
        #expect(records.map(\.type) == [.complaint, .suggestion, .inquiry, .complaint])
        // T1 was due the next day by the export, answered after two: late, whatever its 5 days of SLA.
        #expect(records[0].dueAt == instant("2026-02-02T09:00:00+03:00"))
        #expect(records[0].answeredWithinSLA(at: now) == false)
        try store.close()
    }

    @Test func eachEntitysVerdictsRestOnTheImportsWithItsOwnRecords() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let store = try temp.open()
        let header = "id,entity,channel,topic,received_at,answered_at,sla_days,status\n"
        let first = try temp.file("e01.csv", header + "T1,E01,website,login,2026-02-01T09:00:00+03:00,2026-02-02T09:00:00+03:00,5,closed\n")
        let second = try temp.file("e02.csv", header + "T2,E02,website,login,2026-02-01T09:00:00+03:00,2026-02-20T09:00:00+03:00,5,closed\n")
        let a = try await importer(store).importEvidence(.tawasul, at: first, now: now)
        let b = try await importer(store).importEvidence(.tawasul, at: second, now: now)
        for (entity, centre) in [("E01", "R01"), ("E02", "R02")] {
            try await store.saveCentre(Centre(id: centre, entity: entity, kind: .remote, channels: ["website"]), at: now)
            try await store.openAssessment(Assessment(framework: .remote, unit: entity, cycle: 2026, openedAt: now, openedBy: "A"))
        }
        let e01 = try #require(try await store.assessmentSheet("E01-2026", policy: ThresholdPolicy(), now: now).line("3.2.7")?.computed)
        let e02 = try #require(try await store.assessmentSheet("E02-2026", policy: ThresholdPolicy(), now: now).line("3.2.7")?.computed)
        #expect(e01.evidence == [.importRecord(a.importID)])
        #expect(e02.evidence == [.importRecord(b.importID)])
        #expect(e01.outcome == .met && e01.checks[0].detail.hasPrefix("1 of 1"))
        #expect(e02.outcome == .notMet && e02.checks[0].detail.hasPrefix("0 of 1"))

        // A later file that gives T1 to E02 is refused whole, and says why.
        let moved = try temp.file("moved.csv", header + "T3,E02,website,x,2026-02-01T09:00:00+03:00,,5,open\nT1,E02,website,login,2026-02-01T09:00:00+03:00,2026-02-02T09:00:00+03:00,5,closed\n")
        await #expect { try await importer(store).importEvidence(.tawasul, at: moved, now: now) } throws: { error in
            "\(error)".contains("Tawasul complaint T1 is recorded for E01") && "\(error)".contains("a complaint belongs to one entity")
        }
        #expect(try await store.complaints(entity: "E02").map(\.id) == ["T2"])
        try store.close()
    }

    @Test func contactRecordsImportThroughAMappingWithAFixedEntity() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let store = try temp.open()
        let mapping = try ImportMapping.load(Data("""
            {"description": "Contact centre export",
             "fields": {
               "id": {"column": "Call ID"},
               "entity": {"value": "E01"},
               "channel": {"column": "Queue", "values": {"Phone": "call_centre"}},
               "contacted_at": {"column": "Opened", "dateFormat": "dd/MM/yyyy HH:mm"},
               "answered_at": {"column": "Resolved", "dateFormat": "dd/MM/yyyy HH:mm"}
             }}
            """.utf8), name: "contacts-mapping.json", fields: .evidence(.contacts))
        let path = try temp.file("calls.csv", """
            Call ID,Queue,Opened,Resolved,Agent
            K1,Phone,01/03/2026 09:00,03/03/2026 17:00,Ali
            K2,Phone,02/03/2026 09:00,,Sara
            K3,Phone,2026-03-02,,Sara

            """)
        let summary = try await importer(store).importEvidence(.contacts, at: path, mapping: mapping, mappingName: "contacts-mapping.json", now: now)
        #expect(summary.tally.accepted == 2)
        #expect(summary.ignoredColumns == ["Agent"])
        #expect(summary.rejected.first?.problems.first?.description.contains("does not match the mapping's date format") == true)
        let contacts = try await store.contacts(entity: "E01")
        #expect(contacts.map(\.channel) == ["call_centre", "call_centre"])
        #expect(contacts[0].answeredWithinThreeDays(at: now) == true)
        #expect(contacts[1].answeredWithinThreeDays(at: now) == false)
        #expect(try await store.imports().first?.kind == "contacts")
        try store.close()
    }

    @Test func aMappingIsCheckedAgainstTheFieldsOfItsKind() throws {
        let text = Data("""
            {"fields": {"centre": {"value": "C01"}, "received_at": {"column": "When", "dateFormat": "yyyy"}}}
            """.utf8)
        do {
            _ = try ImportMapping.load(text, name: "m.json", fields: .evidence(.tawasul))
            Issue.record("the mapping should have been refused")
        } catch {
            let message = error.description
            #expect(message.contains("Rida has no field \"centre\""))
            #expect(message.contains("says nothing of id"))
            #expect(message.contains("says nothing of sla_days"))
            #expect(!message.contains("q1"))
        }
    }

    @Test func aCanonicalHeaderMissingAColumnNamesTheKindsHeader() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let store = try temp.open()
        let path = try temp.file("c.csv", "id,entity,channel\nK1,E01,call_centre\n")
        await #expect(throws: ImportError.self) { try await importer(store).importEvidence(.contacts, at: path, now: now) }
        do {
            _ = try await importer(store).importEvidence(.contacts, at: path, now: now)
        } catch {
            #expect("\(error)".contains("id,entity,channel,contacted_at,answered_at"))
        }
        // Refused before anything was stored; each refusal is recorded under the kind's name, with why.
        let records = try await store.imports()
        #expect(records.map(\.kind) == ["contacts", "contacts"])
        #expect(records.allSatisfy { $0.status == "failed" && $0.reason?.contains("id,entity,channel,contacted_at,answered_at") == true })
        try store.close()
    }

    @Test func responsesStillImportThroughTheSameMachinery() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let store = try temp.open()
        let path = try temp.file("r.csv", """
            id,centre,channel,submitted_at,q1,q2,q3,q4,comment
            r1,C01,counter,2026-02-01T10:00:00+03:00,5,4,4,5,ممتاز
            r2,C01,counter,2026-02-01T10:00:00+03:00,6,4,4,5,

            """)
        let summary = try await importer(store).importFile(at: path, now: now)
        #expect(summary.tally.accepted == 1)
        #expect(summary.rejected.map(\.line) == [3])
        #expect(try await store.response(id: "r1")?.comment == "ممتاز")
        #expect(try await store.imports().first?.kind == "responses")
        let mapping = try ImportMapping.load(Data(#"{"fields": {"centre": {"value": "C01"}, "channel": {"value": "website"}, "submitted_at": {"column": "t"}, "q1": {"column": "r"}}, "ratingLabels": {"راضي جداً": 5}}"#.utf8), name: "m.json")
        let mapped = try temp.file("m.csv", "t,r\n2026-02-01T10:00:00+03:00,راضي جدا\n")
        let viaMapping = try await importer(store).importFile(at: mapped, mapping: mapping, now: now)
        #expect(viaMapping.tally.accepted == 1)
        try store.close()
    }

    @Test func evidenceFilesAreReferencedByTheirSHA256() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let path = try temp.file("photo.txt", "a photo of the sign")
        let reference = try EvidenceFile.reference(path)
        #expect(reference.kind == .file)
        #expect(reference.name == "photo.txt")
        #expect(reference.byteCount == 19)
        #expect(reference.sha256 == SHA256.hash(data: Data("a photo of the sign".utf8)).map { String(format: "%02x", $0) }.joined())
    }
}
