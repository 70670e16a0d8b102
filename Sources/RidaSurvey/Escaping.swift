/// The one place where text from outside (a submitter's service name or comment, an evaluator's note, a centre's
/// name) is made safe to write into another format: HTML and inline SVG, JSON inside a `<script>` element, CSV cells.
///
/// Every function reads the text's UTF-8 bytes, never its `Character`s. Swift compares characters as grapheme
/// clusters, and a "prepend" character (U+0600–U+0605, U+06DD, U+070F, U+0890–U+0891, U+08E2, U+110BD, U+110CD)
/// joins the `<` after it into one character that is not equal to `"<"`: an escape that switches on characters lets
/// that `<` through, and with it `<img onerror=…>`. The characters escaped here are all ASCII, and in UTF-8 an ASCII
/// byte is always that ASCII character (bytes of longer sequences are 0x80 and above), so escaping by byte is
/// escaping by Unicode scalar.
///
///     let cell = "<td>\(Escaping.html(service))</td>"
///     let line = Escaping.csvRow([centre, service, "\(count)"])
public enum Escaping {
    // MARK: HTML and SVG

    /// Text for HTML or inline SVG: element content, and attribute values in double or single quotes.
    ///
    /// `&`, `<`, `>`, `"` and `'` become character references; NUL, which HTML drops or turns into U+FFFD by
    /// context, becomes U+FFFD here so that what is written is what is shown. Everything else is kept as it is.
    public static func html(_ text: String) -> String {
        let bytes = text.utf8
        guard bytes.contains(where: { htmlReference($0) != nil }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        for byte in bytes {
            if let reference = htmlReference(byte) { out += reference } else { out.append(byte) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    private static func htmlReference(_ byte: UInt8) -> [UInt8]? {
        switch byte {
        case UInt8(ascii: "&"): Array("&amp;".utf8)
        case UInt8(ascii: "<"): Array("&lt;".utf8)
        case UInt8(ascii: ">"): Array("&gt;".utf8)
        case UInt8(ascii: "\""): Array("&quot;".utf8)
        case UInt8(ascii: "'"): Array("&#39;".utf8)
        case 0: Array("\u{FFFD}".utf8)
        default: nil
        }
    }

    // MARK: JSON in a script element

    /// JSON text made safe to place inside a `<script>` element (`type="application/json"` or a script's string):
    /// `<`, `>` and `&` become `\u003c`, `\u003e` and `\u0026`, and U+2028 and U+2029 `\u2028` and `\u2029`, so no
    /// `</script>` or `<!--` can end or change the element, whatever the strings hold.
    ///
    /// Those characters occur in JSON only inside strings, where the escapes mean the same characters, so the value
    /// `JSON.parse` reads is unchanged.
    public static func scriptJSON(_ json: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(json.utf8.count + 16)
        var bytes = json.utf8.makeIterator()
        while let byte = bytes.next() {
            switch byte {
            case UInt8(ascii: "<"): out += Array("\\u003c".utf8)
            case UInt8(ascii: ">"): out += Array("\\u003e".utf8)
            case UInt8(ascii: "&"): out += Array("\\u0026".utf8)
            case 0xE2:
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
                guard let second = bytes.next() else { out.append(byte); break }
                guard let third = bytes.next() else { out += [byte, second]; break }
                if second == 0x80, third == 0xA8 {
                    out += Array("\\u2028".utf8)
                } else if second == 0x80, third == 0xA9 {
                    out += Array("\\u2029".utf8)
                } else {
                    out += [byte, second, third]
                }
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: CSV

    /// One CSV cell, made safe for spreadsheets and quoted as RFC 4180 wants.
    ///
    /// A text that begins with `=`, `+`, `-`, `@`, a tab, a carriage return or a line feed (or their full-width
    /// forms) would be read as a formula by a spreadsheet program: it gets a leading `'`, as OWASP recommends, so it
    /// is shown as the text it is. A number keeps its sign and stays a number (`-2`, `+1.5`, `-3e-5`). The cell is
    /// then quoted when it holds the delimiter, a quote or a line break, quotes doubled.
    public static func csvField(_ text: String, delimiter: Character = ",") -> String {
        var cell = text
        if startsFormula(text), !isNumber(text) { cell = "'" + text }
        let delimiterScalar = delimiter.unicodeScalars.first!
        let needsQuotes = cell.unicodeScalars.contains { $0 == delimiterScalar || $0 == "\"" || $0 == "\n" || $0 == "\r" }
        guard needsQuotes else { return cell }
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        for byte in cell.utf8 {
            if byte == UInt8(ascii: "\"") { quoted.append(byte) }
            quoted.append(byte)
        }
        quoted.append(UInt8(ascii: "\""))
        return String(decoding: quoted, as: UTF8.self)
    }

    // MARK: Terminal

    /// Text for one line of a terminal: every control character (ESC, which starts a terminal's escape sequences,
    /// line breaks and tabs among them), the line and paragraph separators and the bidirectional overrides and
    /// isolates (U+202A–U+202E, U+2066–U+2069) become a space, and runs of spaces one space.
    public static func terminalLine(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var space = false
        for scalar in text.unicodeScalars {
            let blank: Bool
            switch scalar.value {
            case 0x00...0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: blank = true
            default: blank = false
            }
            if blank {
                space = !out.isEmpty
            } else {
                if space { out.append(" ") }
                space = false
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// One CSV line of cells (`csvField` each), ended by CR LF.
    public static func csvRow(_ fields: [String], delimiter: Character = ",") -> String {
        fields.map { csvField($0, delimiter: delimiter) }.joined(separator: String(delimiter)) + "\r\n"
    }

    /// Whether a spreadsheet would take the cell for a formula (or a DDE command) from its first scalar.
    static func startsFormula(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        switch first {
        case "=", "+", "-", "@", "\t", "\r", "\n": return true
        // Full-width forms, which some spreadsheet programs read as the ASCII ones.
        case "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}": return true
        default: return false
        }
    }

    /// Whether `text` is a plain decimal number: an optional sign, digits with an optional fraction, an optional
    /// exponent (`-2`, `+0.5`, `-.5`, `1e-05`).
    static func isNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        func digits() -> Int {
            var count = 0
            while let byte = bytes.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                bytes = bytes.dropFirst()
                count += 1
            }
            return count
        }
        var mantissa = digits()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            mantissa += digits()
        }
        guard mantissa > 0 else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}
