import Foundation

/// Identifiers as Rida keeps them (centres, entities, channels, counters, response and call ids), read one way by
/// every entry point: the validator, the HTTP service, imports and the command line.
///
/// An identifier is trimmed of white space at both ends and put in Unicode NFC, so `"C01\u{00A0}"` and `"C01"` are one
/// centre and a decomposed `"é"` equals the composed one. It is refused when it still holds a character that does not
/// show or shows as a space: a control or format character (U+200B, U+200E, U+FEFF…), a default-ignorable one
/// (variation selectors, Hangul fillers), a private-use, unassigned or non-character code point, U+2800, or a space
/// other than one U+0020 between words; otherwise `"C01\u{200B}"` would be a new centre that prints as "C01".
///
///     let centre = try Identifier.normalized(" C01 ", field: "centre")   // "C01"
///     _ = try Identifier.normalized("C01\u{200B}", field: "centre")      // throws: …U+200B (ZERO WIDTH SPACE)…
public enum Identifier {
    /// Whether the identifier may hold single spaces between words (a centre or counter name) or none (a token:
    /// a response id, a channel).
    public enum Spaces: Sendable {
        case between
        case none
    }

    /// `text` trimmed and in NFC; nil when nil or empty after trimming. Throws a `Problem` naming `field` and the
    /// character (U+XXXX and its name) when the identifier holds one it must not.
    public static func normalized(_ text: String?, field: String, spaces: Spaces = .between) throws(Problem) -> String? {
        guard let text, !text.isEmpty else { return nil }
        // Fast path: printable ASCII without spaces ("C01", a UUID) is already trimmed, visible and NFC.
        if text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return text }
        if let flaw = flaw(in: text, spaces: spaces) { throw Problem(field: field, reason: sentence(field, flaw)) }
        let trimmed = trimmed(text)
        guard !trimmed.isEmpty else { return nil }
        // ASCII is NFC already: the common case costs one pass over the bytes.
        if trimmed.utf8.allSatisfy({ $0 < 0x80 }) { return trimmed }
        return trimmed.precomposedStringWithCanonicalMapping
    }

    /// The same, as a result: the normalised text, or the sentence of the problem.
    public static func check(_ text: String, field: String, spaces: Spaces = .between) -> Result<String, Problem> {
        do {
            guard let value = try normalized(text, field: field, spaces: spaces) else {
                return .failure(Problem(field: field, reason: "the \(field) is empty"))
            }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    /// What is wrong with `text` as an identifier, or nil.
    enum Flaw: Equatable {
        case hidden(Unicode.Scalar)
        case space(Unicode.Scalar)
        case doubleSpace
    }

    static func flaw(in text: String, spaces: Spaces) -> Flaw? {
        let scalars = Array(text.unicodeScalars)
        var start = 0, end = scalars.count
        while start < end, scalars[start].properties.isWhitespace { start += 1 }
        while end > start, scalars[end - 1].properties.isWhitespace { end -= 1 }
        var previousSpace = false
        for scalar in scalars[start..<end] {
            if scalar == " " {
                if spaces == .none { return .space(scalar) }
                if previousSpace { return .doubleSpace }
                previousSpace = true
                continue
            }
            previousSpace = false
            if scalar.isASCII {
                if scalar.value < 0x20 || scalar.value == 0x7F { return .hidden(scalar) }
                continue
            }
            if scalar.properties.isWhitespace { return .space(scalar) }
            if isHidden(scalar) { return .hidden(scalar) }
        }
        return nil
    }

    /// Whether `scalar` does not show, or cannot be told from nothing.
    static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        switch properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned, .spaceSeparator:
            return true
        default:
            break
        }
        if properties.isDefaultIgnorableCodePoint || properties.isNoncharacterCodePoint { return true }
        // BRAILLE PATTERN BLANK draws nothing but is a symbol, not a space.
        return scalar.value == 0x2800
    }

    static func trimmed(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
              first.properties.isWhitespace || last.properties.isWhitespace else { return text }
        let scalars = Array(text.unicodeScalars)
        var start = 0, end = scalars.count
        while start < end, scalars[start].properties.isWhitespace { start += 1 }
        while end > start, scalars[end - 1].properties.isWhitespace { end -= 1 }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return String(view)
    }

    /// `U+200B (ZERO WIDTH SPACE)`.
    public static func describe(_ scalar: Unicode.Scalar) -> String {
        var hex = String(scalar.value, radix: 16, uppercase: true)
        while hex.count < 4 { hex = "0" + hex }
        let name = scalar.properties.name ?? scalar.properties.nameAlias
        return "U+\(hex)" + (name.map { " (\($0))" } ?? "")
    }

    static func sentence(_ field: String, _ flaw: Flaw) -> String {
        switch flaw {
        case .hidden(let scalar):
            "the \(field) holds \(describe(scalar)), a character that does not show: it would look like another \(field); remove it"
        case .space(let scalar) where scalar == " ":
            "the \(field) holds a space, which it must not: remove it"
        case .space(let scalar):
            "the \(field) holds \(describe(scalar)), a space that is not the ordinary one: use a plain space (U+0020) or none"
        case .doubleSpace:
            "the \(field) holds two spaces in a row, which look like one: use a single space"
        }
    }
}

extension Problem: Error {}
