import Foundation
@testable import RidaHTTP
import RidaStore
import RidaSurvey
import Testing

@Suite struct JSONReaderTests {
    @Test(arguments: [
        (#"{"q1": 4, "q2": "4", "q3": 4.0, "q4": -1e3}"#, JSONValue.object([("q1", .number("4")), ("q2", .string("4")), ("q3", .number("4.0")), ("q4", .number("-1e3"))])),
        (#" [true, false, null, [], {}] "#, .array([.bool(true), .bool(false), .null, .array([]), .object([])])),
        (#""\"\\\/\b\f\n\r\t\u0041\u00e9\u062b\ud83d\ude00""#, .string("\"\\/\u{08}\u{0C}\n\r\tAé\u{062B}😀")),
        (#""ممتاز، شكراً""#, .string("ممتاز، شكراً")),
        ("0", .number("0")),
        (#"{"a":1,"a":2}"#, .object([("a", .number("1")), ("a", .number("2"))])),
    ])
    func readsValidJSON(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSONReader.read(Array(text.utf8)) == expected)
    }

    @Test(arguments: [
        "", " ", "{", "}", #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#, "[1,]", "[1 2]", "01", "1.", ".5", "-", "1e", "+1",
        "tru", "nul", "NaN", "Infinity", #"{'a':1}"#, #"{a:1}"#, "\"a", "\"\u{01}\"", #""\x""#, #""\u12""#,
        #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, "{} {}", "[1]]", "// c\n1",
        String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
    ])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: MalformedJSON.self) { try JSONReader.read(Array(text.utf8)) }
        // Foundation agrees, but for deep nesting and trailing commas, which it allows and RFC 8259 does not.
        if !text.hasPrefix("[[[[") && !text.contains(",]") && !text.contains(",}") {
            #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) == nil)
        }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: MalformedJSON.self) { try JSONReader.read([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: MalformedJSON.self) { try JSONReader.read([0x22, 0x61, 0x5C, 0x6E, 0xFF, 0x22]) }
    }

    @Test func readsWhatFoundationWritesBackToTheSameValues() throws {
        let object: [String: Any] = ["id": "a-1", "q1": 5, "comment": "سطر\nوآخر \"مقتبس\" \\ / \u{7F}", "list": [1, 2.5, true, NSNull()]]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let value = try JSONReader.read(Array(data))
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        let byName = Dictionary(members, uniquingKeysWith: { $1 })
        #expect(byName["comment"] == .string("سطر\nوآخر \"مقتبس\" \\ / \u{7F}"))
        #expect(byName["q1"] == .number("5"))
        #expect(byName["list"] == .array([.number("1"), .number("2.5"), .bool(true), .null]))
    }
}

@Suite struct BatchResultJSONTests {
    /// The hand-written batch answer is byte for byte what `JSONEncoder` writes with sorted keys.
    @Test func writesWhatJSONEncoderWrites() throws {
        var result = BatchResult(created: 1, duplicates: 1, conflicts: 1, rejected: 1)
        result.results = [
            SubmissionResult(index: 0, id: "a", outcome: .created),
            SubmissionResult(index: 1, id: "b \"q\" \\ / é", outcome: .duplicate),
            SubmissionResult(index: 2, id: "c", outcome: .conflict(fields: ["q1", "comment"])),
            SubmissionResult(index: 3, id: nil, problems: [
                .init(field: "q1", reason: "\"9\" is not a rating\n\t\u{01}"), .init(field: nil, reason: "لا شيء"),
            ]),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(result), as: UTF8.self)
        #expect(String(decoding: result.json, as: UTF8.self) == expected)
    }
}
