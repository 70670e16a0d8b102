import Testing
@testable import RidaSurvey

/// The one escaping path (`Escaping`), attacked the way a submitter key would: markup after a character that Swift
/// joins with the next one into a single grapheme cluster.
@Suite struct EscapingTests {
    /// The Unicode "prepend" characters (Grapheme_Cluster_Break=Prepend): each joins the `<` after it into one Character.
    static let prepends: [Unicode.Scalar] = [
        "\u{0600}", "\u{0601}", "\u{0602}", "\u{0603}", "\u{0604}", "\u{0605}", "\u{06DD}", "\u{070F}",
        "\u{0890}", "\u{0891}", "\u{08E2}", "\u{110BD}", "\u{110CD}",
    ]

    @Test(arguments: prepends)
    func escapesTheMarkupAfterAPrependCharacter(_ prepend: Unicode.Scalar) {
        let attack = "\(prepend)<img src=x onerror=alert(1)//\(prepend)>\(prepend)\"\(prepend)'\(prepend)&"
        // The trap: Swift sees the prepend character and `<` as one Character, which is not "<".
        #expect(attack.first != "<" && !attack.contains(where: { $0 == "<" }), "the test must hold a joined prepend character")
        let escaped = Escaping.html(attack)
        #expect(escaped == "\(prepend)&lt;img src=x onerror=alert(1)//\(prepend)&gt;\(prepend)&quot;\(prepend)&#39;\(prepend)&amp;")
        #expect(!escaped.utf8.contains(UInt8(ascii: "<")) && !escaped.utf8.contains(UInt8(ascii: ">")))
        #expect(!escaped.utf8.contains(UInt8(ascii: "\"")) && !escaped.utf8.contains(UInt8(ascii: "'")))
    }

    @Test func escapesMarkupCarryingCombiningMarks() {
        // `<` followed by combining marks is one Character "<\u{0301}\u{0327}" that is not "<" either.
        let attack = "<\u{0301}\u{0327}script>alert(1)</\u{0301}script>"
        #expect(Escaping.html(attack) == "&lt;\u{0301}\u{0327}script&gt;alert(1)&lt;/\u{0301}script&gt;")
        // A quote with a combining mark would end an attribute value.
        #expect(Escaping.html("x\"\u{0301} onmouseover=alert(1)") == "x&quot;\u{0301} onmouseover=alert(1)")
    }

    @Test func keepsArabicAndPlainTextAsTheyAre() {
        let text = "تجديد جواز السفر — Passport ✓"
        #expect(Escaping.html(text) == text)
        #expect(Escaping.html("a\u{0}b") == "a\u{FFFD}b")
    }

    @Test(arguments: prepends)
    func keepsScriptJSONFromEndingItsElement(_ prepend: Unicode.Scalar) {
        let json = "{\"name\":\"\(prepend)</script><script>alert(1)</script>\(prepend)<!--&\u{2028}\u{2029}\"}"
        let safe = Escaping.scriptJSON(json)
        #expect(safe == "{\"name\":\"\(prepend)\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\(prepend)\\u003c!--\\u0026\\u2028\\u2029\"}")
        #expect(!safe.utf8.contains(UInt8(ascii: "<")))
    }

    // MARK: CSV

    @Test(arguments: [
        ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        ("@SUM(1)", "'@SUM(1)"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "\"'\r=1\""),
        ("\u{FF1D}1+1", "'\u{FF1D}1+1"),
        ("=1,2", "\"'=1,2\""),
    ])
    func neutralisesFormulas(_ text: String, _ cell: String) {
        #expect(Escaping.csvField(text) == cell)
    }

    @Test(arguments: ["-2", "+1", "-0.05", "-.5", "1e-05", "-3E+2", "0", "42", "3.14"])
    func keepsNumbersNumeric(_ number: String) {
        #expect(Escaping.csvField(number) == number)
    }

    @Test(arguments: ["-", "+", "-e5", "-1e", "-1.2.3", "--1", "-1-", "- 1"])
    func treatsWhatIsNotANumberAsText(_ text: String) {
        #expect(Escaping.csvField(text).hasPrefix("'"))
    }

    @Test func quotesAndKeepsPlainCells() {
        #expect(Escaping.csvRow(["C01", "a, b", "say \"hi\"", "line\nbreak", "عربي", "a=b"])
                == "C01,\"a, b\",\"say \"\"hi\"\"\",\"line\nbreak\",عربي,a=b\r\n")
        // A prepend character before `=` is not a formula: the spreadsheet sees U+0600 first.
        #expect(Escaping.csvField("\u{0600}=1") == "\u{0600}=1")
    }
}
