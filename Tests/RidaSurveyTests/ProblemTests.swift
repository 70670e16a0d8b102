import Foundation
import Testing
import RidaSurvey

@Suite struct ProblemTests {
    @Test func aProblemIsAtALineAnEntryOrNowhere() {
        let atLine = Problem(line: 12, field: "q1", reason: "\"6\" is not a rating from 1 to 5")
        #expect(atLine.location == .line(12))
        #expect(atLine.line == 12)
        #expect(atLine.entry == nil)
        let atEntry = Problem(entry: 2, field: "verdict", reason: "\"maybe\" is not a verdict")
        #expect(atEntry.location == .entry(2))
        #expect(atEntry.line == nil)
        #expect(atEntry.entry == 2)
        let nowhere = Problem(field: "timeZone", reason: "not a time zone")
        #expect(nowhere.location == nil)
    }

    @Test(arguments: [
        (Problem(line: 3, field: "q1", reason: "r"), "line 3, q1: r"),
        (Problem(line: 3, reason: "r"), "line 3: r"),
        (Problem(entry: 0, field: "note", reason: "r"), "entries[0].note: r"),
        (Problem(entry: 4, reason: "r"), "entries[4]: r"),
        (Problem(field: "http.port", reason: "r"), "http.port: r"),
        (Problem(reason: "r"), "r"),
    ])
    func aProblemReadsAsItsPlaceFieldAndReason(problem: Problem, expected: String) {
        #expect(problem.description == expected)
    }

    /// The JSON form keeps the names problems had before they shared one type: `line` for a file's problems,
    /// `index` for a batch entry's, absent keys for what is not known.
    @Test func theJSONFormKeepsLineAndIndex() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let problems = [Problem(line: 7, field: "q2", reason: "a"), Problem(entry: 1, field: "note", reason: "b"), Problem(reason: "c")]
        let json = String(decoding: try encoder.encode(problems), as: UTF8.self)
        #expect(json == #"[{"field":"q2","line":7,"reason":"a"},{"field":"note","index":1,"reason":"b"},{"reason":"c"}]"#)
        #expect(try JSONDecoder().decode([Problem].self, from: Data(json.utf8)) == problems)
    }

    @Test func movingAProblemKeepsItsFieldAndReason() {
        let moved = Problem(field: "channels", reason: "fax is not a channel").located(.line(9))
        #expect(moved == Problem(line: 9, field: "channels", reason: "fax is not a channel"))
    }
}
