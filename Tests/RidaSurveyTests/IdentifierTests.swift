import Testing
@testable import RidaSurvey

/// `Identifier.normalized`: the one reading of centres, entities, channels, counters and ids.
@Suite struct IdentifierTests {
    @Test(arguments: [
        ("C01", "C01"), (" C01 ", "C01"), ("C01\u{00A0}", "C01"), ("\u{00A0}C01", "C01"), ("\u{2003}C01\t\n", "C01"),
        ("مركز المحرق", "مركز المحرق"), ("Cafe\u{0301}", "Caf\u{00E9}"), ("Counter 3", "Counter 3"),
    ])
    func trimsAndComposes(_ text: String, _ expected: String) throws {
        #expect(try Identifier.normalized(text, field: "centre") == expected)
    }

    @Test(arguments: [
        ("C01\u{200B}", "U+200B (ZERO WIDTH SPACE)"),
        ("C\u{200E}01", "U+200E (LEFT-TO-RIGHT MARK)"),
        ("\u{FEFF}C01", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
        ("C\u{00A0}01", "U+00A0 (NO-BREAK SPACE)"),
        ("C\u{202F}01", "U+202F (NARROW NO-BREAK SPACE)"),
        ("C\u{0007}01", "U+0007"),
        ("C01\u{034F}", "U+034F (COMBINING GRAPHEME JOINER)"),
        ("C01\u{FE0F}", "U+FE0F (VARIATION SELECTOR-16)"),
        ("C\u{3164}01", "U+3164 (HANGUL FILLER)"),
        ("C\u{2800}01", "U+2800 (BRAILLE PATTERN BLANK)"),
        ("C01\u{E0041}", "U+E0041 (TAG LATIN CAPITAL LETTER A)"),
        ("C\u{E000}01", "U+E000"),
        ("C\u{202E}10", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("C  01", "two spaces in a row"),
    ])
    func refusesWhatDoesNotShow(_ text: String, _ named: String) {
        #expect(throws: Problem.self) { try Identifier.normalized(text, field: "centre") }
        do {
            _ = try Identifier.normalized(text, field: "centre")
        } catch {
            #expect(error.field == "centre")
            #expect(error.reason.hasPrefix("the centre holds"))
            #expect(error.reason.contains(named), "\(error.reason)")
        }
    }

    @Test func refusesSpacesInTokens() throws {
        #expect(try Identifier.normalized("Counter 3", field: "counter", spaces: .between) == "Counter 3")
        #expect(throws: Problem.self) { try Identifier.normalized("call centre", field: "channel", spaces: .none) }
    }

    @Test func readsNothingAsNothing() throws {
        #expect(try Identifier.normalized(nil, field: "centre") == nil)
        #expect(try Identifier.normalized(" \u{00A0} ", field: "centre") == nil)
        if case .success = Identifier.check(" ", field: "centre") { Issue.record("an empty identifier must be refused") }
    }
}
