import Testing
@testable import RidaSurvey

@Suite struct ResponseValidatorTests {
    let validator = ResponseValidator()
    let now = Instant(millisecondsSince1970: 1_780_000_000_000)  // 2026-05-28

    func draft(_ changes: (inout ResponseDraft) -> Void = { _ in }) -> ResponseDraft {
        var draft = ResponseDraft(id: "k3-0001", centre: "C01", channel: "kiosk", submittedAt: "2026-03-31T10:00:00+03:00",
                                  ratings: ["5", "4", "3", "2"], service: "تجديد جواز السفر", counter: "K3", comment: "شكراً")
        changes(&draft)
        return draft
    }

    @Test func acceptsACompleteResponse() throws {
        let response = try validator.validate(draft(), now: now).get()
        #expect(response.ratings == [5, 4, 3, 2])
        #expect(response.service == "تجديد جواز السفر")
        #expect(response.surveyID == "appendix-3")
        #expect(response.surveyVersion == 1)
    }

    @Test func acceptsSkippedQuestionsWhenOneIsRated() throws {
        let response = try validator.validate(draft { $0.ratings = [nil, "", " ", "4"] }, now: now).get()
        #expect(response.ratings == [nil, nil, nil, 4])
    }

    @Test func trimsAndDropsEmptyFreeText() throws {
        let response = try validator.validate(draft { $0.comment = "  \n"; $0.service = "  Passport  " }, now: now).get()
        #expect(response.comment == nil)
        #expect(response.service == "Passport")
    }

    /// Decision 15: a response may name the government entity that served it, an identifier checked as `centre` is.
    @Test func keepsAnOptionalEntityCheckedAsTheCentreIs() throws {
        #expect(try validator.validate(draft(), now: now).get().entity == nil)
        #expect(try validator.validate(draft { $0.entity = "  E03 " }, now: now).get().entity == "E03")
        #expect(try validator.validate(draft { $0.entity = " " }, now: now).get().entity == nil)
        var draft = draft { $0.entity = "E0\n3" }
        guard case .failure(let problems) = validator.validate(draft, now: now) else { Issue.record("a line break was accepted"); return }
        #expect(problems.problems.map(\.field) == ["entity"])
        draft.entity = String(repeating: "E", count: 65)
        guard case .failure(let long) = validator.validate(draft, now: now) else { Issue.record("65 bytes were accepted"); return }
        #expect(long.problems.first?.reason == "is 65 bytes long; at most 64 bytes of UTF-8 are accepted")
        #expect(draft.value("entity") == draft.entity)
    }

    @Test func keepsLineBreaksInComments() throws {
        let response = try validator.validate(draft { $0.comment = "سطر أول\nsecond, \"quoted\" line" }, now: now).get()
        #expect(response.comment == "سطر أول\nsecond, \"quoted\" line")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var change: @Sendable (inout ResponseDraft) -> Void
        var field: String?
        var reason: String
        var testDescription: String { name }
    }

    static let rejections: [Case] = [
        Case(name: "no id", change: { $0.id = nil }, field: "id", reason: "is missing"),
        Case(name: "id with a space", change: { $0.id = "a b" }, field: "id", reason: "holds a space"),
        Case(name: "no centre", change: { $0.centre = " " }, field: "centre", reason: "is missing"),
        Case(name: "unknown channel", change: { $0.channel = "fax" }, field: "channel", reason: "is not a channel"),
        Case(name: "no channel", change: { $0.channel = nil }, field: "channel", reason: "is missing"),
        Case(name: "no time", change: { $0.submittedAt = nil }, field: "submitted_at", reason: "is missing"),
        Case(name: "bad time", change: { $0.submittedAt = "31/03/2026" }, field: "submitted_at", reason: "ISO 8601"),
        Case(name: "future time", change: { $0.submittedAt = "2027-01-01T00:00:00Z" }, field: "submitted_at", reason: "future"),
        Case(name: "rating 6", change: { $0.ratings[0] = "6" }, field: "q1", reason: "whole number from 1 to 5"),
        Case(name: "rating 0", change: { $0.ratings[1] = "0" }, field: "q2", reason: "whole number from 1 to 5"),
        Case(name: "rating 4.5", change: { $0.ratings[2] = "4.5" }, field: "q3", reason: "whole number"),
        Case(name: "rating as a word", change: { $0.ratings[3] = "good" }, field: "q4", reason: "not a rating"),
        Case(name: "nothing rated", change: { $0.ratings = [nil, nil, nil, nil] }, field: nil, reason: "no question was rated"),
        Case(name: "bad stage", change: { $0.stage = "later" }, field: "stage", reason: "before, during or after"),
        // 4,001 Arabic letters of 2 bytes each: 8,002 bytes, over the 8,000 allowed.
        Case(name: "long comment", change: { $0.comment = String(repeating: "ب", count: 4001) }, field: "comment", reason: "8002 bytes long; at most 8000"),
        // One character (a grapheme cluster) of 1 + 20,000 combining marks of 2 bytes: 40,001 bytes, though count is 1.
        Case(name: "one long character", change: { $0.comment = "a" + String(repeating: "\u{0301}", count: 20_000) }, field: "comment", reason: "40001 bytes long"),
        Case(name: "service of 401 bytes", change: { $0.service = String(repeating: "x", count: 401) }, field: "service", reason: "at most 400 bytes"),
        Case(name: "centre of 65 bytes", change: { $0.centre = String(repeating: "C", count: 65) }, field: "centre", reason: "at most 64 bytes"),
        Case(name: "zero-width space in the centre", change: { $0.centre = "C01\u{200B}" }, field: "centre", reason: "U+200B (ZERO WIDTH SPACE)"),
        Case(name: "no-break space inside the centre", change: { $0.centre = "C\u{00A0}01" }, field: "centre", reason: "U+00A0 (NO-BREAK SPACE)"),
        Case(name: "left-to-right mark in the id", change: { $0.id = "k3\u{200E}-0001" }, field: "id", reason: "U+200E (LEFT-TO-RIGHT MARK)"),
        Case(name: "byte order mark in the channel", change: { $0.channel = "\u{FEFF}kiosk" }, field: "channel", reason: "U+FEFF"),
        Case(name: "Hangul filler in the counter", change: { $0.counter = "K\u{3164}3" }, field: "counter", reason: "U+3164"),
        Case(name: "year 1", change: { $0.submittedAt = "0001-01-01T00:00:00Z" }, field: "submitted_at", reason: "before 2015-01-01"),
        Case(name: "1970", change: { $0.submittedAt = "1970-01-01T00:00:00Z" }, field: "submitted_at", reason: "survey.earliestDate"),
        // 23:59 on 31 December 2014 in Bahrain (UTC+3) is 20:59 UTC: the day before the earliest, local time.
        Case(name: "the last minute before the earliest day", change: { $0.submittedAt = "2014-12-31T23:59:00+03:00" }, field: "submitted_at", reason: "before 2015-01-01"),
        Case(name: "control character", change: { $0.service = "a\u{0}b" }, field: "service", reason: "control character"),
    ]

    @Test(arguments: rejections)
    func rejectsWithTheFieldAndReason(_ c: Case) {
        var d = draft()
        c.change(&d)
        switch validator.validate(d, now: now, line: 7) {
        case .success:
            Issue.record("\(c.name) should be rejected")
        case .failure(let list):
            #expect(list.problems.count == 1)
            let problem = list.problems[0]
            #expect(problem.field == c.field)
            #expect(problem.reason.contains(c.reason), "\(problem.reason)")
            #expect(problem.line == 7)
        }
    }

    @Test func listsEveryProblemAtOnce() {
        let d = ResponseDraft(id: nil, centre: nil, channel: "fax", submittedAt: "soon", ratings: ["9", nil, nil, nil])
        guard case .failure(let list) = validator.validate(d, now: now) else {
            Issue.record("should be rejected")
            return
        }
        #expect(list.problems.compactMap(\.field) == ["id", "centre", "channel", "submitted_at", "q1"])
    }

    @Test func normalisesLookAlikeCentresToTheRealOne() throws {
        // A no-break space at the end is trimmed like any white space: the same centre, not a new one.
        #expect(try validator.validate(draft { $0.centre = "C01\u{00A0}" }, now: now).get().centre == "C01")
        #expect(try validator.validate(draft { $0.centre = "\u{3000}C01" }, now: now).get().centre == "C01")
        // "é" as e + U+0301 is stored composed (NFC), as U+00E9.
        #expect(try validator.validate(draft { $0.counter = "Guichet e\u{0301}" }, now: now).get().counter == "Guichet \u{00E9}")
    }

    @Test func acceptsTheFirstMinuteOfTheEarliestDayAndAnyDateWhenUnset() throws {
        // 00:00 on 1 January 2015 in Bahrain is 2014-12-31T21:00Z: the earliest day has begun, locally.
        #expect(try validator.validate(draft { $0.submittedAt = "2014-12-31T21:00:00Z" }, now: now).get().submittedAt.iso8601.hasPrefix("2014-12-31T21:00"))
        var open = validator
        open.earliestDate = nil
        #expect((try? open.validate(draft { $0.submittedAt = "1970-01-01T00:00:00Z" }, now: now).get()) != nil)
        var later = validator
        later.earliestDate = CivilDate(year: 2026, month: 4, day: 1)
        #expect((try? later.validate(draft(), now: now).get()) == nil, "2026-03-31 is before 2026-04-01")
    }

    @Test func readsTheStageInAnyCase() throws {
        #expect(try validator.validate(draft { $0.stage = "Before" }, now: now).get().stage == .before)
    }

    @Test func usesTheConfiguredChannels() {
        let custom = ResponseValidator(channels: ChannelCatalog([Channel(id: "sms", kind: .remote)]))
        #expect((try? custom.validate(draft { $0.channel = "sms" }, now: now).get()) != nil)
        #expect((try? custom.validate(draft(), now: now).get()) == nil)
    }
}
