import Foundation
import HTTPTypes
import Hummingbird
import RidaSurvey
import RidaUseCases

/// A request's query parameters, read strictly: an empty value is no value, and a value outside its choices is a 422
/// naming the parameter.
struct Query {
    let parameters: Hummingbird.Parameters

    init(_ request: Request) {
        parameters = request.uri.queryParameters
    }

    /// The parameter's text; nil when absent or empty.
    subscript(_ name: String) -> String? {
        parameters[name[...]].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// One of `choices`, or `fallback` when absent.
    func choice(_ name: String, _ choices: [String], default fallback: String) throws -> String {
        guard let value = self[name] else { return fallback }
        guard choices.contains(value) else {
            throw APIError.invalidParameter(name, "must be \(Self.list(choices)), not \"\(value)\"")
        }
        return value
    }

    /// `lang=ar|en`, Arabic by default.
    func language(default fallback: Language = .ar) throws -> Language {
        Language(rawValue: try choice("lang", Language.allCases.map(\.rawValue), default: fallback.rawValue))!
    }

    /// `true` or `false`; false when absent.
    func flag(_ name: String) throws -> Bool {
        try choice(name, ["true", "false"], default: "false") == "true"
    }

    /// The quarter asked for (`YEAR-Qn`), nil when absent.
    func quarter() throws -> Quarter? {
        guard let text = self["quarter"] else { return nil }
        guard let quarter = Quarter(text) else { throw APIError.invalidParameter("quarter", Quarter.spellingProblem(text)) }
        return quarter
    }

    static func list(_ choices: [String]) -> String {
        choices.count < 2 ? choices.joined() : choices.dropLast().joined(separator: ", ") + " or " + choices.last!
    }
}

extension RidaRequestContext {
    /// The path parameter `name`, percent-decoded (the router matches the raw path); text that is not valid
    /// percent-encoded UTF-8, or that holds NUL, is a 422 naming the parameter.
    func pathParameter(_ name: String) throws -> String {
        let raw = parameters.get(name) ?? ""
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError.invalidParameter(name, "is not valid percent-encoded UTF-8")
        }
        if decoded.unicodeScalars.contains("\u{0}") { throw APIError.invalidParameter(name, "holds U+0000 (NUL)") }
        return decoded
    }
}

/// A rendered document as an answer: an HTML page, a workbook, a CSV file, a form.
enum Document {
    // The media types are RidaUseCases' one table, which reports rendered by `ShowReport` and `SavedReports` carry.
    static let html = RenderedReport.contentTypes[.html]!
    static let json = RenderedReport.contentTypes[.json]!
    static let text = RenderedReport.contentTypes[.text]!

    static let sha256Header = HTTPField.Name("X-Content-SHA256")!
    static let engineHeader = HTTPField.Name("X-Engine-Version")!

    /// A rendered page has inline styles and SVG only: no script, nothing loaded from anywhere.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"

    /// `data` as `contentType`, named `filename` for a browser (shown in place when `inline`, else downloaded).
    /// Not cached: reports carry comments and figures of staff.
    static func response(_ data: Data, contentType: String, filename: String, inline: Bool = false) -> Response {
        var response = JSONBody.bytes(data, contentType: contentType)
        response.headers[.contentDisposition] = "\(inline ? "inline" : "attachment"); filename=\"\(safe(filename))\""
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        if contentType == html { response.headers[.contentSecurityPolicy] = contentSecurityPolicy }
        return response
    }

    /// A file name of letters, digits, `.`, `-` and `_` only (ids come from requests and the registry).
    static func safe(_ name: String) -> String {
        String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || ".-_".unicodeScalars.contains(scalar)) ? Character(scalar) : "_"
        })
    }
}
