import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RidaAssessment
import RidaStore
import RidaSurvey

/// An error a client sees: an HTTP status, a machine code, and a sentence a person can act on.
///
/// Every error body is `{"error": {"code": ..., "message": ..., "problems"?: [...], "fields"?: [...]}}`.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var problems: [Problem]?
    public var fields: [String]?
    public var id: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String,
                problems: [Problem]? = nil, fields: [String]? = nil, id: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.problems = problems
        self.fields = fields
        self.id = id
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONBody.response(ErrorBody(error: self), status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    struct ErrorBody: Encodable {
        var error: APIError
    }
}

extension APIError: Encodable {
    enum Key: String, CodingKey { case code, message, problems, fields, id }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        if let problems { try c.encode(problems.map(ProblemBody.init), forKey: .problems) }
        if let fields { try c.encode(fields, forKey: .fields) }
        if let id { try c.encode(id, forKey: .id) }
    }
}

/// A problem as the API shows it: the field (null for the whole response) and the reason.
struct ProblemBody: Encodable {
    var field: String?
    var reason: String

    init(_ problem: Problem) {
        field = problem.field
        reason = problem.reason
    }

    enum Key: String, CodingKey { case field, reason }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(field, forKey: .field)
        try c.encode(reason, forKey: .reason)
    }
}

extension APIError {
    static func missingKey() -> APIError {
        var error = APIError(.unauthorized, "missing_key",
                             "This endpoint needs an API key: send it as \"Authorization: Bearer KEY\" (rida keys create makes one).")
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }

    static func unknownKey() -> APIError {
        var error = APIError(.unauthorized, "unknown_key",
                             "The API key is not known or was revoked: ask the administrator for a new one (rida keys create).")
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }

    static func forbidden(_ message: String) -> APIError {
        APIError(.forbidden, "forbidden", message)
    }

    static func rateLimited(retryAfter seconds: Int, unknownKey: Bool = false) -> APIError {
        let who = unknownKey ? "This address sent more requests with keys Rida does not know than it allows" : "This key sent more requests than its limit allows"
        var error = APIError(.tooManyRequests, "rate_limited", "\(who): retry after \(seconds) second\(seconds == 1 ? "" : "s").")
        error.headers[.retryAfter] = "\(seconds)"
        return error
    }

    static func unsupportedMediaType(_ expected: String) -> APIError {
        APIError(.unsupportedMediaType, "unsupported_media_type", "Send the body as \(expected) (set the Content-Type header).")
    }

    static func bodyTooLarge(_ limit: Int) -> APIError {
        APIError(.contentTooLarge, "body_too_large",
                 "The body is larger than \(limit) bytes, the limit of this endpoint: send fewer or smaller responses.")
    }

    static func malformedJSON() -> APIError {
        APIError(.badRequest, "malformed_json", "The body is not valid JSON: check its quotes, commas and brackets.")
    }

    static func invalid(_ problems: [Problem], message: String? = nil) -> APIError {
        let count = problems.count
        return APIError(
            .unprocessableContent, "invalid_response",
            message ?? "The response has \(count) problem\(count == 1 ? "" : "s"): correct \(count == 1 ? "it" : "them") and send it again.",
            problems: problems)
    }

    /// A batch of verdicts refused, nothing recorded: each problem names its entry and field, `entries[i].field`.
    static func invalidEntries(_ problems: [RecordingProblem]) -> APIError {
        invalidEntries(problems.map { Problem(field: entryField($0), reason: $0.reason) })
    }

    /// `entries[i].field`, or `entries[i]` for a problem with the whole entry.
    static func entryField(_ problem: RecordingProblem) -> String {
        "entries[\(problem.index)]" + (problem.field.map { ".\($0)" } ?? "")
    }

    static func invalidEntries(_ problems: [Problem]) -> APIError {
        let count = problems.count
        return APIError(
            .unprocessableContent, "invalid_verdicts",
            "The verdicts have \(count) problem\(count == 1 ? "" : "s") and nothing was recorded: correct \(count == 1 ? "it" : "them") and send the entries again.",
            problems: problems)
    }

    static func invalidParameter(_ name: String, _ reason: String) -> APIError {
        APIError(.unprocessableContent, "invalid_parameter", "The parameter \(name) \(reason).",
                 problems: [Problem(field: name, reason: reason)])
    }

    static func notFound(_ message: String) -> APIError {
        APIError(.notFound, "not_found", message)
    }

    static func conflict(id: String, fields: [String]) -> APIError {
        APIError(.conflict, "conflict",
                 "A response with id \(id) is already stored with another \(fields.joined(separator: ", ")); the first stays. Give a new response a new id.",
                 fields: fields, id: id)
    }

    /// A conflict on a response the caller may not see: nothing of it is told.
    static func idTaken(id: String) -> APIError {
        APIError(.conflict, "conflict", "The id \(id) is taken: give a new response a new id.", id: id)
    }

    static func unavailable(_ error: StoreError) -> APIError {
        APIError(.serviceUnavailable, "database_unavailable", error.description)
    }
}

/// Encodes JSON bodies the same way everywhere: sorted keys, unescaped slashes, Arabic as it is.
enum JSONBody {
    static func data(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data(#"{"error":{"code":"internal","message":"The answer could not be encoded."}}"#.utf8)
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        bytes(data(value), contentType: "application/json; charset=utf-8", status: status)
    }

    static func bytes(_ data: Data, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        return Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: buffer))
    }

    static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
