import Foundation

/// The one reading of text for comment themes: a comment and a lexicon's terms go through the same steps, so a term
/// matches whatever spelling variants the steps fold together. themes/README.md writes the decisions down.
///
/// 1. Unicode compatibility composition (NFKC): Arabic presentation forms and ligatures become plain letters.
/// 2. Lower case.
/// 3. Arabic: diacritics removed (U+0610–U+061A, U+064B–U+065F, U+0670, U+06D6–U+06ED), tatweel (U+0640) removed;
///    hamza forms unified (أ إ آ ٱ → ا, ؤ → و, ئ → ي, a lone ء dropped); ة → ه and ى → ي (both are written either
///    way in everyday writing); the Persian ک and ی → ك and ي.
/// 4. Words: runs of letters and digits; anything else separates them.
/// 5. English (Latin) words: a light suffix stemmer (`stem(_:)`); Arabic words are kept whole, and a match allows
///    the prefixes `arabicPrefixes` before a term's word.
///
/// ```swift
/// ThemeText.words("الإنتظـــار طَويل، Waiting!")   // ["الانتظار", "طويل", "wait"]
/// ```
public enum ThemeText {
    /// The words of `text`, normalised and (English) stemmed.
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        var latin = false
        func flush() {
            guard !current.isEmpty else { return }
            let word = String(current)
            words.append(latin ? stem(word) : word)
            current = String.UnicodeScalarView()
            latin = false
        }
        for scalar in text.precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars {
            guard let folded = fold(scalar) else { continue }
            if folded.properties.isAlphabetic || folded.properties.numericType != nil {
                current.append(folded)
                if folded.isASCII { latin = true }
            } else {
                flush()
            }
        }
        flush()
        return words
    }

    /// One Arabic character folded as step 3 says; nil when it is dropped.
    static func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar.value {
        case 0x0610...0x061A, 0x064B...0x065F, 0x0670, 0x06D6...0x06ED, 0x0640: return nil   // marks, tatweel
        case 0x0621: return nil                                                           // ء
        case 0x0622, 0x0623, 0x0625, 0x0671: return "\u{0627}"                            // آ أ إ ٱ → ا
        case 0x0624: return "\u{0648}"                                                    // ؤ → و
        case 0x0626: return "\u{064A}"                                                    // ئ → ي
        case 0x0629: return "\u{0647}"                                                    // ة → ه
        case 0x0649, 0x06CC: return "\u{064A}"                                            // ى ی → ي
        case 0x06A9: return "\u{0643}"                                                    // ک → ك
        default: return scalar
        }
    }

    /// An English word's stem: the first of `-ies` (→ `y`), `-ing`, `-ed`, `-es`, `-s` (not `-ss`) that leaves at
    /// least three letters is cut, then a final `e` when four letters remain (`care` stays, unlike `car`). Rough, and the same on both sides:
    /// `waiting`, `waited`, `waits` → `wait`; `queue`, `queues`, `queued`, `queuing` → `queu`; `fees` → `fee`;
    /// `charges`, `charged` → `charg`. Never a substring: `waiter` stays `waiter`, `feedback` stays `feedback`.
    public static func stem(_ word: String) -> String {
        var w = Array(word.unicodeScalars)
        func ends(_ suffix: String) -> Bool {
            let s = Array(suffix.unicodeScalars)
            return w.count >= s.count + 3 && Array(w.suffix(s.count)) == s
        }
        if ends("ies") {
            w.removeLast(3)
            w.append("y")
        } else if ends("ing") {
            w.removeLast(3)
        } else if ends("ed") {
            w.removeLast(2)
        } else if ends("es") {
            w.removeLast(2)
        } else if ends("s"), w[w.count - 2] != "s" {
            w.removeLast()
        }
        if w.count >= 5, w.last == "e" { w.removeLast() }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: w)
        return String(out)
    }

    /// The prefixes an Arabic word of a term may carry in a comment: a conjunction (و، ف), then a preposition
    /// (ب، ل، ك), then the article (ال), each optional; ل before ال is written لل. Twenty-four, the empty one first.
    public static let arabicPrefixes: [String] = {
        var prefixes: [String] = []
        for conjunction in ["", "و", "ف"] {
            for preposition in ["", "ب", "ل", "ك"] {
                for article in ["", "ال"] {
                    prefixes.append(conjunction + (preposition == "ل" && article == "ال" ? "لل" : preposition + article))
                }
            }
        }
        return prefixes
    }()

    /// What a comment's word may stand for in a term: the word itself, and for an Arabic word the word without each
    /// prefix it starts with (leaving at least two letters).
    static func bases(of word: String) -> [String] {
        guard let first = word.unicodeScalars.first, (0x0600...0x06FF).contains(first.value) else { return [word] }
        var bases = [word]
        let length = word.unicodeScalars.count
        for prefix in arabicPrefixes.dropFirst() where word.hasPrefix(prefix) && length - prefix.unicodeScalars.count >= 2 {
            bases.append(String(word.unicodeScalars.dropFirst(prefix.unicodeScalars.count)))
        }
        return bases
    }

    /// Whether `word` holds an Arabic letter.
    static func isArabic(_ word: String) -> Bool {
        word.unicodeScalars.contains { (0x0600...0x06FF).contains($0.value) }
    }

    /// Whether `word` holds a Latin letter.
    static func isLatin(_ word: String) -> Bool {
        word.unicodeScalars.contains { ("a"..."z").contains($0) }
    }
}
