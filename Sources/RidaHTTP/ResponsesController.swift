import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RidaStore
import RidaSurvey

/// `POST /v1/responses`, `/v1/responses/batch` and `/v1/responses/ivr`: validation by `ResponseValidator`,
/// storage through the group-commit writer into `SQLiteStore.save` (created, duplicate and conflict decided there).
struct ResponsesController: Sendable {
    let settings: ServiceSettings
    let writer: GroupCommitWriter
    let auth: Authenticator
    let feed: LiveFeed
    let metrics: Metrics
    let now: @Sendable () -> Instant

    func addRoutes(to router: Router<RidaRequestContext>) {
        router.post("/v1/responses", use: submit)
        router.post("/v1/responses/batch", use: submitBatch)
        router.post("/v1/responses/ivr", use: submitIVR)
    }

    static let denial = "This key reads reports; responses are submitted with a submitter key (rida keys create --role submitter)."

    @Sendable func submit(_ request: Request, context: RidaRequestContext) async throws -> Response {
        var request = request
        let key = try await auth.require(request, context, denial: Self.denial) { $0.role == .submitter || $0.role == .admin }
        try Self.requireContentType(request, "application/json")
        let body = try await Self.collect(&request, limit: settings.maxBodyBytes)
        var decoded: DraftDecoding
        do {
            decoded = DraftDecoding(try JSONReader.read(Array(body.readableBytesView)))
        } catch {
            throw APIError.malformedJSON()
        }
        if let denial = Self.scopeProblem(key, decoded.draft)?.reason { throw APIError.forbidden(denial) }
        let time = now()
        if decoded.serverClock {
            // The kiosk page's clock is wrong: its time is Rida's (as the page last saw it), or Rida's now.
            if decoded.draft.submittedAt == nil { decoded.draft.submittedAt = time.iso8601 }
            context.logger.warning("a device's clock is wrong: the server's time is used", metadata: ["key.id": "\(key.id)", "key.label": "\(key.label)"])
        }
        let response: SurveyResponse
        switch settings.validator.validate(decoded.draft, now: time) {
        case .success(let valid) where decoded.problems.isEmpty:
            response = valid
        case .success:
            throw APIError.invalid(decoded.problems)
        case .failure(let list):
            throw APIError.invalid(decoded.problems + list.problems)
        }
        return try await store(response, at: time, platformTimed: true, key: key, serverClock: decoded.serverClock)
    }

    @Sendable func submitIVR(_ request: Request, context: RidaRequestContext) async throws -> Response {
        var request = request
        let key = try await auth.require(request, context, denial: Self.denial) { $0.role == .submitter || $0.role == .admin }
        try Self.requireContentType(request, "application/x-www-form-urlencoded")
        let body = try await Self.collect(&request, limit: settings.maxBodyBytes)
        let form = FormFields(String(decoding: body.readableBytesView, as: UTF8.self))
        let time = now()
        var problems: [Problem] = []
        let callID = form["call_id"]?.trimmingCharacters(in: .whitespaces) ?? ""
        if callID.isEmpty { problems.append(Problem(field: "call_id", reason: "is missing: give the platform's id of the call")) }
        var ratings: [String?] = [nil, nil, nil, nil]
        let presses = (form["digits"] ?? "").filter { !$0.isWhitespace && $0 != "," }
        if presses.count > SurveyResponse.ratedQuestionCount {
            problems.append(Problem(field: "digits", reason: "has \(presses.count) key presses; the survey has \(SurveyResponse.ratedQuestionCount) rated questions, one press each"))
        } else {
            for (index, press) in presses.enumerated() {
                switch press {
                case "1", "2", "3", "4", "5": ratings[index] = String(press)
                case "0", "*": ratings[index] = nil
                default: problems.append(Problem(field: "digits", reason: "\"\(press)\" is not a key press Rida reads: 1 to 5 rate, 0 or * skips a question"))
                }
            }
        }
        // A platform numbers its own calls: the id carries the centre (the form's, else the key's), so one call
        // centre's call 777001 is not another's.
        let centre = form["centre"] ?? key.centre
        let idCentre = (try? Identifier.normalized(centre, field: "centre")) ?? centre
        let draft = ResponseDraft(
            id: callID.isEmpty ? nil : IVRCall.id(centre: idCentre ?? "", call: callID), centre: centre, channel: form["channel"] ?? "call_centre",
            submittedAt: form["submitted_at"] ?? time.iso8601, stage: form["stage"] ?? "after",
            ratings: ratings, service: form["service"], counter: form["counter"], comment: nil)
        if let denial = Self.scopeProblem(key, draft)?.reason { throw APIError.forbidden(denial) }
        switch settings.validator.validate(draft, now: time) {
        case .success(let response) where problems.isEmpty:
            return try await store(response, at: time, platformTimed: form["submitted_at"] != nil, key: key)
        case .success:
            throw APIError.invalid(problems)
        case .failure(let list):
            // The validator names the draft's fields; the platform knows `call_id` and `digits`.
            let renamed = list.problems.map { problem -> Problem in
                var problem = problem
                if problem.field == "id" { problem.field = "call_id" }
                if problem.field == nil || problem.field?.hasPrefix("q") == true { problem.field = "digits" }
                return problem
            }
            throw APIError.invalid(problems + renamed)
        }
    }

    /// Stores one response and answers 201, 200 or 409. `platformTimed` is false when the server stamped
    /// `submitted_at` (an IVR post without one): a re-send then differs only by that stamp and is a duplicate.
    func store(_ response: SurveyResponse, at time: Instant, platformTimed: Bool, key: APIKey, serverClock: Bool = false) async throws -> Response {
        var response = response
        // The device the misuse rules watch; none when the server timed the response (the rules read the device's clock).
        response.source = platformTimed && !serverClock ? key.source : nil
        let outcome = try await writer.save([response], receivedAt: time)[0]
        switch outcome {
        case .created:
            feed.changed(centres: [response.centre])
            metrics.recordStored(channel: response.channel)
            var result = SubmissionResult(id: response.id, outcome: .created)
            if serverClock { result.clock = "server" }
            return JSONBody.response(result, status: .created)
        case .duplicate:
            var result = SubmissionResult(id: response.id, outcome: .duplicate)
            if serverClock { result.clock = "server" }
            return JSONBody.response(result)
        case .conflict(let fields) where !platformTimed && fields == ["submitted_at"]:
            return JSONBody.response(SubmissionResult(id: response.id, outcome: .duplicate))
        case .conflict(let fields):
            guard let shown = Self.conflictFields(fields, for: key) else { throw APIError.idTaken(id: response.id) }
            throw APIError.conflict(id: response.id, fields: shown)
        }
    }

    @Sendable func submitBatch(_ request: Request, context: RidaRequestContext) async throws -> Response {
        var request = request
        let key = try await auth.require(request, context, denial: Self.denial) { $0.role == .submitter || $0.role == .admin }
        try Self.requireContentType(request, "application/json")
        let body = try await Self.collect(&request, limit: settings.maxBatchBodyBytes)
        let value: JSONValue
        do {
            value = try JSONReader.read(Array(body.readableBytesView))
        } catch {
            throw APIError.malformedJSON()
        }
        let batch: BatchDecoding
        do {
            batch = try BatchDecoding(value)
        } catch {
            throw APIError(.unprocessableContent, "invalid_batch",
                           "A batch is a JSON object {\"responses\": [...]} holding up to \(settings.maxBatchResponses) responses.")
        }
        if batch.items.count > settings.maxBatchResponses {
            throw APIError(.contentTooLarge, "batch_too_large",
                           "The batch holds \(batch.items.count) responses; send at most \(settings.maxBatchResponses) per batch.")
        }
        let time = now()
        var results: [SubmissionResult?] = Array(repeating: nil, count: batch.items.count)
        var valid: [(index: Int, response: SurveyResponse)] = []
        var serverTimed = Set<Int>()
        var summary = BatchResult()
        for (index, item) in batch.items.enumerated() {
            var item = item
            if item.serverClock, item.draft.submittedAt == nil {
                item.draft.submittedAt = time.iso8601
                serverTimed.insert(index)
            }
            var problems = item.problems
            if let scope = Self.scopeProblem(key, item.draft) { problems.append(scope) }
            switch settings.validator.validate(item.draft, now: time) {
            case .success(let response) where problems.isEmpty:
                valid.append((index, response))
            case .success:
                break
            case .failure(let list):
                problems += list.problems
            }
            if !problems.isEmpty {
                results[index] = SubmissionResult(index: index, id: item.draft.id, problems: problems)
                summary.rejected += 1
            }
        }
        let outcomes = try await writer.save(valid.map { item in
            var response = item.response
            response.source = serverTimed.contains(item.index) ? nil : key.source
            return response
        }, receivedAt: time)
        var centres = Set<String>()
        var stored: [String: Int] = [:]
        for ((index, response), outcome) in zip(valid, outcomes) {
            var shown = outcome
            if case .conflict(let fields) = outcome { shown = .conflict(fields: Self.conflictFields(fields, for: key) ?? []) }
            results[index] = SubmissionResult(index: index, id: response.id, outcome: shown)
            switch outcome {
            case .created:
                summary.created += 1
                centres.insert(response.centre)
                stored[response.channel, default: 0] += 1
            case .duplicate: summary.duplicates += 1
            case .conflict: summary.conflicts += 1
            }
        }
        if !centres.isEmpty { feed.changed(centres: centres) }
        for (channel, count) in stored { metrics.recordStored(channel: channel, count: count) }
        summary.results = results.compactMap { $0 }
        return JSONBody.bytes(Data(summary.json), contentType: "application/json; charset=utf-8")
    }

    /// The problem when a submitter key sends a response for another centre or channel, or with an IVR call's id
    /// derived for another centre; nil when in scope. Identifiers are read as the validator reads them (an invalid
    /// one is left to the validator's sentence).
    static func scopeProblem(_ key: APIKey, _ draft: ResponseDraft) -> Problem? {
        guard key.role == .submitter, let own = key.centre else { return nil }
        if let centre = (try? Identifier.normalized(draft.centre, field: "centre")) ?? nil, centre != own {
            return Problem(field: "centre", reason: "this key submits for centre \(own) only, not \(centre)")
        }
        if let channel = (try? Identifier.normalized(draft.channel, field: "channel", spaces: .none)) ?? nil,
           !key.maySubmit(centre: own, channel: channel) {
            let channels = key.channels?.joined(separator: ", ") ?? ""
            return Problem(field: "channel", reason: "this key submits on \(channels) only, not \(channel)")
        }
        if let id = (try? Identifier.normalized(draft.id, field: "id", spaces: .none)) ?? nil, IVRCall.isDerived(id),
           !IVRCall.belongs(id, to: own) {
            return Problem(field: "id", reason: "ids beginning \"ivr-\" are the ids of IVR calls, which carry their centre: this key's begin \"\(IVRCall.prefix(own))\"")
        }
        return nil
    }

    /// The fields a 409 may name to `key`; nil when the stored response may lie outside the key's scope (another
    /// centre, or a channel a channel-bound key may not submit on): the answer is then only that the id is taken,
    /// so a key cannot learn another centre's answers field by field.
    static func conflictFields(_ fields: [String], for key: APIKey) -> [String]? {
        guard key.role == .submitter else { return fields }
        if fields.contains("centre") || (key.channels != nil && fields.contains("channel")) { return nil }
        return fields
    }

    static func requireContentType(_ request: Request, _ expected: String) throws {
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == expected else { throw APIError.unsupportedMediaType(expected) }
    }

    static func collect(_ request: inout Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError.bodyTooLarge(limit)
        }
        do {
            return try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit)
        } catch {
            // The connection closed (or was closed for stalling) before the whole body arrived.
            throw ClientGone(reason: "\(type(of: error))")
        }
    }
}

/// The client closed the connection before its request's body arrived: nobody waits for an answer.
struct ClientGone: Error {
    var reason: String
}

/// The ids of responses posted by IVR platforms: `ivr-CENTRE-CALL`, the centre percent-encoded (every byte but ASCII
/// letters, digits, `.`, `_` and `~`), so the first `-` after `ivr-` ends it and no two centres' calls share an id.
enum IVRCall {
    static func id(centre: String, call: String) -> String {
        prefix(centre) + call
    }

    /// `ivr-C01-`.
    static func prefix(_ centre: String) -> String {
        var encoded = ""
        for byte in centre.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.append(Character(Unicode.Scalar(byte)))
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return "ivr-" + encoded + "-"
    }

    static func isDerived(_ id: String) -> Bool { id.hasPrefix("ivr-") }

    static func belongs(_ id: String, to centre: String) -> Bool { id.hasPrefix(prefix(centre)) }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// The fields of an `application/x-www-form-urlencoded` body; the first value of a repeated name wins.
struct FormFields {
    private var values: [String: String] = [:]

    init(_ text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            if values[name] == nil { values[name] = value }
        }
    }

    subscript(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    static func decode(_ text: Substring) -> String {
        let plus = text.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding ?? plus
    }
}
