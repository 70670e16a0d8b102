import Foundation
import RidaSurvey

/// One theme of comments: an id, an Arabic and English label, and the terms that put a comment in it.
public struct Theme: Sendable, Hashable, Codable {
    public var id: String
    public var label: LocalizedText
    /// Terms as written in the lexicon: words or short phrases, Arabic and English.
    public var arabicTerms: [String]
    public var englishTerms: [String]

    public init(id: String, label: LocalizedText, arabicTerms: [String], englishTerms: [String]) {
        self.id = id
        self.label = label
        self.arabicTerms = arabicTerms
        self.englishTerms = englishTerms
    }
}

/// The themes comments are grouped into, in display order: Rida's starter lexicon (`themes/starter.json`, built in)
/// or a deployment's own file (the `themes.lexicon` setting), in the same format (themes/README.md).
///
/// ```swift
/// let lexicon = try ThemeLexicon.read(data, file: "themes.json")   // every problem at once, or a lexicon
/// ThemeMatcher(lexicon).themes(of: "الموظفين متعاونين")               // ["staff_conduct", "praise"]
/// ```
public struct ThemeLexicon: Sendable, Hashable {
    /// The lexicon's name, shown with the themes (`starter` for Rida's).
    public var name: String
    public var themes: [Theme]

    public init(name: String, themes: [Theme]) {
        self.name = name
        self.themes = themes
    }

    /// Rida's starter lexicon.
    public static let starter: ThemeLexicon = {
        do {
            return try read(Data(StarterLexicon.json.utf8), file: "themes/starter.json")
        } catch {
            preconditionFailure("the built-in themes/starter.json is invalid: \(error)")
        }
    }()

    /// Reads a lexicon file's content; `file` names it in the problems. Every problem is found before refusing.
    public static func read(_ data: Data, file: String) throws -> ThemeLexicon {
        guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
            throw ThemeLexiconError(file: file, problems: [Problem(reason: "it is not a JSON object with \"lexicon\" and \"themes\"")])
        }
        var problems: [Problem] = []
        for key in root.keys.sorted() where !["lexicon", "themes"].contains(key) {
            problems.append(Problem(field: key, reason: "\"\(key)\" is not a key of a lexicon (keys: lexicon, themes)"))
        }
        let name = root["lexicon"] as? String ?? ""
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(Problem(field: "lexicon", reason: "the lexicon needs a name (\"lexicon\": \"…\")"))
        }
        guard let list = root["themes"] as? [Any], !list.isEmpty else {
            problems.append(Problem(field: "themes", reason: "the lexicon needs a list of themes"))
            throw ThemeLexiconError(file: file, problems: problems)
        }
        var themes: [Theme] = []
        var ids: Set<String> = []
        for (i, item) in list.enumerated() {
            let at = "themes[\(i)]"
            guard let entry = item as? [String: Any] else {
                problems.append(Problem(field: at, reason: "\(at) is not an object with id, label and terms"))
                continue
            }
            let id = entry["id"] as? String ?? ""
            let named = id.isEmpty ? at : "theme \"\(id)\""
            for key in entry.keys.sorted() where !["id", "label", "terms"].contains(key) {
                problems.append(Problem(field: "\(at).\(key)", reason: "\(named): \"\(key)\" is not a key of a theme (keys: id, label, terms)"))
            }
            if case .failure(let problem) = Identifier.check(id, field: "id", spaces: .none) {
                problems.append(Problem(field: "\(at).id", reason: "\(named): \(problem.reason)"))
            } else if !ids.insert(id).inserted {
                problems.append(Problem(field: "\(at).id", reason: "\(named) is given twice"))
            }
            let label = entry["label"] as? [String: Any]
            let ar = (label?["ar"] as? String)?.trimmingCharacters(in: .whitespaces) ?? ""
            let en = (label?["en"] as? String)?.trimmingCharacters(in: .whitespaces) ?? ""
            if ar.isEmpty || en.isEmpty {
                problems.append(Problem(field: "\(at).label", reason: "\(named) needs a label in Arabic and English ({\"ar\": …, \"en\": …})"))
            }
            let terms = entry["terms"] as? [String: Any]
            if terms == nil {
                problems.append(Problem(field: "\(at).terms", reason: "\(named) needs terms ({\"ar\": […], \"en\": […]})"))
            }
            for key in (terms?.keys.sorted() ?? []) where !["ar", "en"].contains(key) {
                problems.append(Problem(field: "\(at).terms.\(key)", reason: "\(named): terms are listed under \"ar\" and \"en\", not \"\(key)\""))
            }
            var seen: [[String]: String] = [:]
            func readTerms(_ language: Language) -> [String] {
                let field = "\(at).terms.\(language.rawValue)"
                guard let raw = terms?[language.rawValue] else { return [] }
                guard let values = raw as? [Any] else {
                    problems.append(Problem(field: field, reason: "\(named): \(field) must be a list of terms"))
                    return []
                }
                var kept: [String] = []
                for (j, value) in values.enumerated() {
                    guard let term = value as? String else {
                        problems.append(Problem(field: "\(field)[\(j)]", reason: "\(named): \(field)[\(j)] is not a text"))
                        continue
                    }
                    let words = ThemeText.words(term)
                    if words.isEmpty {
                        problems.append(Problem(field: "\(field)[\(j)]", reason: "\(named): the term \"\(term)\" has no letters once normalised"))
                    } else if language == .ar, !words.allSatisfy(ThemeText.isArabic) {
                        problems.append(Problem(field: "\(field)[\(j)]", reason: "\(named): the Arabic term \"\(term)\" holds a word that is not in Arabic letters"))
                    } else if language == .en, words.contains(where: ThemeText.isArabic) {
                        problems.append(Problem(field: "\(field)[\(j)]", reason: "\(named): the English term \"\(term)\" holds Arabic letters"))
                    } else if let first = seen[words] {
                        problems.append(Problem(field: "\(field)[\(j)]", reason: "\(named): the term \"\(term)\" is the same as \"\(first)\" once normalised"))
                    } else {
                        seen[words] = term
                        kept.append(term)
                    }
                }
                return kept
            }
            let arabic = readTerms(.ar), english = readTerms(.en)
            if terms != nil, arabic.isEmpty, english.isEmpty {
                problems.append(Problem(field: "\(at).terms", reason: "\(named) has no terms"))
            }
            themes.append(Theme(id: id, label: LocalizedText(ar: ar, en: en), arabicTerms: arabic, englishTerms: english))
        }
        if !problems.isEmpty { throw ThemeLexiconError(file: file, problems: problems) }
        return ThemeLexicon(name: name, themes: themes)
    }
}

/// A lexicon file Rida cannot use: the file, and every problem, each naming the theme and the term.
public struct ThemeLexiconError: RidaFailure, Equatable {
    public var file: String
    public var problems: [Problem]

    public init(file: String, problems: [Problem]) {
        self.file = file
        self.problems = problems
    }

    public var kind: FailureKind { .invalid }
    public var code: String { "invalid_lexicon" }
    public var description: String {
        "The themes lexicon \(file) has problems: " + problems.map(\.reason).joined(separator: "; ") + "."
    }
}

/// Puts comments into a lexicon's themes: whole words only, after `ThemeText`'s normalisation, an Arabic word of a
/// term allowing the common prefixes before it; a phrase matches its words in a row.
public struct ThemeMatcher: Sendable {
    public let lexicon: ThemeLexicon
    /// For each first word of a term: the term's words and its theme's position.
    let index: [String: [(words: [String], theme: Int)]]

    public init(_ lexicon: ThemeLexicon) {
        self.lexicon = lexicon
        var index: [String: [(words: [String], theme: Int)]] = [:]
        for (t, theme) in lexicon.themes.enumerated() {
            for term in theme.arabicTerms + theme.englishTerms {
                let words = ThemeText.words(term)
                guard let first = words.first else { continue }
                index[first, default: []].append((words, t))
            }
        }
        self.index = index
    }

    /// The positions in the lexicon of the themes `text` falls in, in lexicon order; empty when it falls in none.
    public func themePositions(of text: String) -> [Int] {
        let bases = ThemeText.words(text).map(ThemeText.bases)
        var found = Set<Int>()
        for start in bases.indices {
            for base in bases[start] {
                for (words, theme) in index[base] ?? [] where !found.contains(theme) && start + words.count <= bases.count {
                    if words.indices.dropFirst().allSatisfy({ bases[start + $0].contains(words[$0]) }) { found.insert(theme) }
                }
            }
        }
        return found.sorted()
    }

    /// The ids of the themes `text` falls in, in lexicon order.
    public func themes(of text: String) -> [String] {
        themePositions(of: text).map { lexicon.themes[$0].id }
    }
}
