import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RidaAssessment
import RidaStore
import RidaSurvey

/// The one table from a kind of failure to the HTTP status a client gets. Every `RidaFailure` reaches a client
/// through it (`APIError(_:)`), so a new error type is a kind Rida already answers for, never a bare 500.
public func httpStatus(for kind: FailureKind) -> HTTPResponse.Status {
    switch kind {
    case .invalid: .unprocessableContent          // 422
    case .notFound: .notFound                     // 404
    case .conflict: .conflict                     // 409
    case .unauthorized: .unauthorized             // 401
    case .forbidden: .forbidden                   // 403
    case .tooLarge: .contentTooLarge              // 413
    case .rateLimited: .tooManyRequests           // 429
    case .unavailable: .serviceUnavailable        // 503
    case .internalFailure: .internalServerError   // 500
    }
}

/// An error a client sees: an HTTP status, a machine code, and a sentence a person can act on.
///
/// Every error body is `{"error": {"code": ..., "message": ..., "problems"?: [...], "fields"?: [...]}}`.
/// Controllers throw it for what only HTTP knows (a missing key, a body that is not JSON, a bad parameter); every other
/// Rida error is a `RidaFailure` that `APIError(_:)` turns into one through `httpStatus(for:)`.
public struct APIError: RidaFailure, HTTPResponseError {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// The problems the body lists; nil leaves `problems` out of the body (an empty list is sent as one).
    public var listed: [Problem]?
    public var fields: [String]?
    public var id: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String,
                problems: [Problem]? = nil, fields: [String]? = nil, id: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.listed = problems
        self.fields = fields
        self.id = id
    }

    /// A failure of the library as the API tells it: the table's status, the failure's code and sentence, its problems.
    public init(_ failure: any RidaFailure) {
        if let failure = failure as? APIError {
            self = failure
            return
        }
        let problems = failure.problems
        if failure.code == "invalid_verdicts", !problems.isEmpty {
            // A refused batch of verdicts: the API's sentence counts the problems each `problems[]` names.
            self = .invalidEntries(problems)
            return
        }
        self.init(httpStatus(for: failure.kind), failure.code, failure.description, problems: problems.isEmpty ? nil : problems)
        // The database is away for now (a restarting server, a full disk): a client retries, and is told when.
        if status == .serviceUnavailable { headers[.retryAfter] = "5" }
    }

    /// The kind the status stands for: what this error is to a client, read back from the table's statuses (a request
    /// the service cannot read, 400, 415 or 499, is invalid input too).
    public var kind: FailureKind {
        FailureKind.allCases.first { httpStatus(for: $0) == status }
            ?? (status.code >= 500 ? .internalFailure : .invalid)
    }

    public var description: String { message }
    public var problems: [Problem] { listed ?? [] }

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
        if let listed { try c.encode(listed.map(ProblemBody.init), forKey: .problems) }
        if let fields { try c.encode(fields, forKey: .fields) }
        if let id { try c.encode(id, forKey: .id) }
    }
}

/// A problem as the API shows it: the field (null for the whole response) and the reason. A problem located at a
/// batch's entry names it in the field, `entries[i].field` (or `entries[i]` for the whole entry).
struct ProblemBody: Encodable {
    var field: String?
    var reason: String

    init(_ problem: Problem) {
        if let entry = problem.entry {
            field = "entries[\(entry)]" + (problem.field.map { ".\($0)" } ?? "")
        } else {
            field = problem.field
        }
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

    /// A request other than a response refused with every problem: `code` names what (`invalid_invitations`), `what`
    /// says it in the sentence ("The invitations").
    static func invalid(_ problems: [Problem], code: String, what: String, nothing: String) -> APIError {
        let count = problems.count
        return APIError(
            .unprocessableContent, code,
            "\(what) \(count == 1 ? "has a problem" : "have \(count) problems") and \(nothing): correct \(count == 1 ? "it" : "them") and send again.",
            problems: problems)
    }

    /// A batch of verdicts refused, nothing recorded: each problem names its entry and field, `entries[i].field`
    /// (`ProblemBody` writes a problem located at an entry so).
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
