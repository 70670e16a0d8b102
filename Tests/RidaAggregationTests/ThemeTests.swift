import Foundation
import RidaAggregation
import RidaSurvey
import RidaTesting
import Testing

/// Comment themes: the normalisation, the stemmer, whole-word matching with Arabic prefixes, the lexicon's
/// validation, and the digest's counts, low ratings and examples on the hand-written fixture (RidaTesting's
/// `ThemeFixture`).
@Suite struct ThemeTests {
    let matcher = ThemeMatcher(.starter)

    @Test(arguments: ThemeFixture.comments)
    func eachFixtureCommentFallsInItsThemes(comment: ThemeFixtureComment) {
        #expect(matcher.themes(of: comment.text) == comment.themes, "\(comment.id): \(comment.text)")
    }

    @Test func arabicIsFoldedWithoutDiacriticsTatweelOrHamzaForms() {
        #expect(ThemeText.words("الإنتظـــار طَويلٌ، Waiting!") == ["الانتظار", "طويل", "wait"])
        // أ إ آ ٱ → ا; ؤ → و; ئ → ي; a lone ء dropped; ة → ه; ى → ي; Persian ک and ی → ك and ي.
        #expect(ThemeText.words("أمل إيمان آمنة ٱسم مسؤول مسائل سماء مبنى کتاب یوم")
            == ["امل", "ايمان", "امنه", "اسم", "مسوول", "مسايل", "سما", "مبني", "كتاب", "يوم"])
        // The superscript alef (U+0670) and a Quranic mark (U+06E1) go; a presentation-form lam-alef ligature is two letters.
        #expect(ThemeText.words("هٰذا قُلۡ \u{FEFB}") == ["هذا", "قل", "لا"])
        // Punctuation and line breaks separate words; digits stay.
        #expect(ThemeText.words("wait—2 hours\nشكراً.") == ["wait", "2", "hour", "شكرا"])
    }

    @Test(arguments: [
        ("waiting", "wait"), ("waited", "wait"), ("waits", "wait"), ("wait", "wait"),
        ("queue", "queu"), ("queues", "queu"), ("queued", "queu"), ("queuing", "queu"),
        ("fee", "fee"), ("fees", "fee"), ("charge", "charg"), ("charges", "charg"), ("charged", "charg"),
        ("copies", "copy"), ("hours", "hour"), ("process", "process"), ("bus", "bus"), ("care", "care"),
        ("waiter", "waiter"), ("feedback", "feedback"), ("appreciate", "appreciat"),
    ])
    func stemsEnglishSuffixes(word: String, stem: String) {
        #expect(ThemeText.stem(word) == stem)
    }

    @Test func arabicTermsAllowTheCommonPrefixesAndNothingElse() throws {
        let lexicon = ThemeLexicon(name: "test", themes: [
            Theme(id: "staff", label: LocalizedText(ar: "الموظفون", en: "Staff"), arabicTerms: ["موظف"], englishTerms: []),
        ])
        let matcher = ThemeMatcher(lexicon)
        for word in ["موظف", "الموظف", "والموظف", "فالموظف", "بالموظف", "كالموظف", "للموظف", "وللموظف", "فللموظف", "وبموظف", "لموظف"] {
            #expect(matcher.themes(of: "كان \(word) هنا") == ["staff"], "\(word)")
        }
        // A suffix, a letter that is not a prefix, a prefix in the wrong order, the term inside another word.
        for word in ["موظفين", "يموظف", "بوموظف", "الموظفات", "استموظف"] {
            #expect(matcher.themes(of: "كان \(word) هنا").isEmpty, "\(word)")
        }
    }

    @Test func aPhraseMatchesItsWordsInARowOnly() {
        #expect(matcher.themes(of: "the SYSTEM is down again") == ["system_down"])
        #expect(matcher.themes(of: "the system, which is down") == [])
        #expect(matcher.themes(of: "وقت طويل جداً") == ["waiting_time"])
        #expect(matcher.themes(of: "طويل وقت") == [])
    }

    /// The fixture by hand (ids t01 … t22; L marks a low rating, a mean below 3):
    ///
    ///     theme          counter              kiosk          website                   all   low
    ///     waiting_time   t01L t12L t22L       t11L t19L      t20L                      6     6
    ///     staff_conduct  t02 t09 t13L                                                  3     1
    ///     documents      t03L t10 (mean 3)                                             2     1
    ///     fees                                t04L           t14L                      2     2
    ///     system_down                         t05L           t17L                      2     2
    ///     parking        t06L                                t17L                      2     2
    ///     website_app                                        t07L t17L t20L            3     3
    ///     praise         t02 t09                             t08 t16                   4     0
    ///     no theme       t15 t21              t18                                      3     0
    ///     comments       11 (6 L)             5 (4 L)        6 (4 L)                   22    14
    @Test func theDigestCountsThemesLowRatingsAndUnmatchedComments() {
        let digest = ThemeDigest.build(comments: Self.entries(), lexicon: .starter, channels: .standard, quarter: Quarter(year: 2026, number: 1))
        #expect(digest.lexicon == "starter")
        #expect(digest.channels.map(\.channel) == ["counter", "kiosk", "website"])
        func counts(_ group: ChannelThemes) -> [String: [Int]] {
            var result: [String: [Int]] = [:]
            for theme in group.themes where theme.comments > 0 { result[theme.theme] = [theme.comments, theme.lowRated] }
            result["unmatched"] = [group.unmatched, group.unmatchedLowRated]
            result["comments"] = [group.comments, group.lowRated]
            return result
        }
        #expect(counts(digest.all) == [
            "waiting_time": [6, 6], "staff_conduct": [3, 1], "documents": [2, 1], "fees": [2, 2], "system_down": [2, 2],
            "parking": [2, 2], "website_app": [3, 3], "praise": [4, 0], "unmatched": [3, 0], "comments": [22, 14],
        ])
        #expect(counts(digest.channels[0]) == [
            "waiting_time": [3, 3], "staff_conduct": [3, 1], "documents": [2, 1], "parking": [1, 1], "praise": [2, 0],
            "unmatched": [2, 0], "comments": [11, 6],
        ])
        #expect(counts(digest.channels[1]) == [
            "waiting_time": [2, 2], "fees": [1, 1], "system_down": [1, 1], "unmatched": [1, 0], "comments": [5, 4],
        ])
        #expect(counts(digest.channels[2]) == [
            "waiting_time": [1, 1], "fees": [1, 1], "system_down": [1, 1], "parking": [1, 1], "website_app": [3, 3],
            "praise": [2, 0], "unmatched": [0, 0], "comments": [6, 4],
        ])
        // Every theme of the lexicon is listed, in its order, zero or not.
        #expect(digest.all.themes.map(\.theme) == ThemeLexicon.starter.themes.map(\.id))
        #expect(digest.channels[1].themes.first { $0.theme == "praise" }?.comments == 0)
        // Examples: the first three given; t22 was given on 5 January.
        func examples(_ theme: String, _ group: ChannelThemes) -> [String] {
            group.themes.first { $0.theme == theme }!.examples.map(\.text)
        }
        #expect(examples("waiting_time", digest.all) == ["تأخّر الموعد", "الانتظـــار طويل جداً", "The wait was too long"])
        #expect(examples("praise", digest.all) == ["المُوَظَّفة متعاونة جداً", "شكراً لكم", "أشكر الموظفين على سرعة الإنجاز"])
        #expect(examples("documents", digest.all) == ["لم يقبلوا صورة الجواز", "إثبات الهوية مطلوب"])
        #expect(examples("waiting_time", digest.channels[1]) == ["The wait was too long", "Very slow service at the kiosk"])
    }

    @Test func examplesAreTheFirstThreeDistinctTexts() {
        func entry(_ text: String, _ day: String) -> CommentEntry {
            CommentEntry(centre: "C01", channel: "kiosk", day: day, service: nil, ratingSum: 4, ratingCount: 4, text: text)
        }
        let comments = [entry("long wait", "2026-01-01"), entry("long wait", "2026-01-02"), entry("waiting again", "2026-01-03"),
                        entry("long wait", "2026-01-04"), entry("a wait", "2026-01-05"), entry("more waiting", "2026-01-06")]
        let digest = ThemeDigest.build(comments: comments, lexicon: .starter, channels: .standard, quarter: Quarter(year: 2026, number: 1))
        // Six comments counted, all low-rated (mean 1); the examples skip the repeated "long wait".
        #expect(digest.all.themes[0].comments == 6 && digest.all.themes[0].lowRated == 6)
        #expect(digest.all.themes[0].examples.map(\.day) == ["2026-01-01", "2026-01-03", "2026-01-05"])
    }

    /// The fixture as the store gives it: by submitted time.
    static func entries() -> [CommentEntry] {
        ThemeFixture.comments.sorted { $0.submitted < $1.submitted }.map { c in
            let ratings = c.ratings.compactMap { $0 }
            return CommentEntry(centre: "C01", channel: c.channel, day: String(c.submitted.prefix(10)), service: nil,
                                ratingSum: ratings.reduce(0, +), ratingCount: ratings.count, text: c.text)
        }
    }

    @Test func theFixturesLowRatingsAreTheDigests() {
        // The fixture's own reading of "low" agrees with the digest's (CommentEntry.lowRated) on every comment.
        let entries = Self.entries()
        let byText = Dictionary(uniqueKeysWithValues: entries.map { ($0.text, $0.lowRated) })
        for comment in ThemeFixture.comments { #expect(byText[comment.text] == comment.lowRated, "\(comment.id)") }
        #expect(ThemeFixture.comments.filter(\.lowRated).count == 14)
    }

    // MARK: The lexicon

    @Test func theEmbeddedStarterLexiconIsTheFileByteForByte() throws {
        let data = try Data(contentsOf: repositoryRoot().appendingPathComponent("themes/starter.json"))
        #expect(Data((StarterLexicon.json + "\n").utf8) == data, "run scripts/embed-themes")
        #expect(ThemeLexicon.starter.themes.map(\.id) == [
            "waiting_time", "staff_conduct", "documents", "fees", "system_down", "parking", "website_app", "praise",
        ])
        for theme in ThemeLexicon.starter.themes {
            #expect(!theme.label.ar.isEmpty && !theme.label.en.isEmpty && !theme.arabicTerms.isEmpty && !theme.englishTerms.isEmpty)
        }
    }

    @Test func aLexiconWithProblemsIsRefusedWithEachNamingTheFileThemeAndTerm() throws {
        let text = """
            {"lexicon": "ours", "colour": 1, "themes": [
              {"id": "fees", "label": {"ar": "الرسوم", "en": "Fees"}, "terms": {"ar": ["رسوم", "ـــ", "fee"], "en": ["fee", "fees", "رسوم"]}},
              {"id": "fees", "label": {"ar": "", "en": "Again"}, "terms": {"ar": ["أوراق", "اوراق"], "de": ["Gebühr"]}},
              {"id": "", "label": {"ar": "ا", "en": "b"}, "terms": {"en": []}}
            ]}
            """
        let error = try #require(throws: ThemeLexiconError.self) { try ThemeLexicon.read(Data(text.utf8), file: "ours.json") }
        #expect(error.code == "invalid_lexicon" && error.kind == .invalid)
        #expect(error.description.hasPrefix("The themes lexicon ours.json has problems: "))
        #expect(error.problems.map(\.field) == [
            "colour", "themes[0].terms.ar[1]", "themes[0].terms.ar[2]", "themes[0].terms.en[1]", "themes[0].terms.en[2]",
            "themes[1].id", "themes[1].label", "themes[1].terms.de", "themes[1].terms.ar[1]",
            "themes[2].id", "themes[2].terms",
        ])
        let reasons = error.problems.map(\.reason)
        #expect(reasons[1] == "theme \"fees\": the term \"ـــ\" has no letters once normalised")
        #expect(reasons[2] == "theme \"fees\": the Arabic term \"fee\" holds a word that is not in Arabic letters")
        #expect(reasons[3] == "theme \"fees\": the term \"fees\" is the same as \"fee\" once normalised")
        #expect(reasons[4] == "theme \"fees\": the English term \"رسوم\" holds Arabic letters")
        #expect(reasons[5] == "theme \"fees\" is given twice")
        #expect(reasons[8] == "theme \"fees\": the term \"اوراق\" is the same as \"أوراق\" once normalised")
        #expect(reasons[10] == "themes[2] has no terms")
        #expect(throws: ThemeLexiconError.self) { try ThemeLexicon.read(Data("[1]".utf8), file: "x.json") }
    }
}
