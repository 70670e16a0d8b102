import Foundation
import Hummingbird
import RidaStore
import RidaSurvey
import RidaUseCases

/// `GET /v1/misuse` and `POST /v1/misuse/reinstate`, as `rida misuse list` and `rida misuse reinstate`: the responses the
/// misuse rules set aside, and the quality team's reinstatement of those that were real customers' (issue 16).
/// Quality, evaluator and admin keys list; quality and admin keys reinstate (the evaluators assess the figures, so they
/// do not change them). A reinstatement records who decided (the body's `by`, else the key's label) with the key's id.
struct MisuseController: Sendable {
    let store: any MisuseStore
    let auth: Authenticator
    let now: @Sendable () -> Instant

    static let denial = "The responses set aside are the quality team's: use a quality, evaluator or admin key."
    static let reinstateDenial = "Reinstating responses is the quality team's decision: use a quality or admin key."
    static let maxBodyBytes = 256 * 1024

    func addRoutes(to router: Router<RidaRequestContext>) {
        router.get("/v1/misuse", use: list)
        router.post("/v1/misuse/reinstate", use: reinstate)
    }

    struct Listing: Encodable {
        var responses: [SetAsideResponse]
    }

    /// `?centre=&quarter=&limit=` (limit 1 to 10000, 200 by default), newest first.
    @Sendable func list(_ request: Request, context: RidaRequestContext) async throws -> Response {
        _ = try await auth.require(request, context, denial: Self.denial) { $0.role.readsReports }
        let query = Query(request)
        let quarter = try query.quarter()
        var limit = 200
        if let text = query["limit"] {
            guard let number = Int(text), (1...10_000).contains(number) else {
                throw APIError.invalid([Problem(field: "limit", reason: "must be a whole number from 1 to 10000")])
            }
            limit = number
        }
        let centre: String?
        do { centre = try Identifier.normalized(query["centre"], field: "centre") } catch { throw APIError.invalid([error]) }
        let responses = try await store.setAsideResponses(centre: centre, quarter: quarter, limit: limit)
        return JSONBody.response(Listing(responses: responses))
    }

    struct Reinstated: Encodable {
        var reinstated: [String]
    }

    /// The body names ids, or a device's burst, with the reason and, optionally, who decided:
    /// `{"ids": ["k1-0001"], "reason": "…"}` or `{"source": "key:7", "from": "…", "through": "…", "reason": "…", "by": "…"}`.
    /// Answers 200 with the ids counted again (none when nothing selected was set aside).
    @Sendable func reinstate(_ request: Request, context: RidaRequestContext) async throws -> Response {
        var request = request
        let key = try await auth.require(request, context, denial: Self.reinstateDenial) { $0.role == .quality || $0.role == .admin }
        try ResponsesController.requireContentType(request, "application/json")
        let body = try await ResponsesController.collect(&request, limit: Self.maxBodyBytes)
        guard case .object(let members)? = try? JSONReader.read(Array(body.readableBytesView)) else {
            throw APIError.malformedJSON()
        }
        var fields: [String: JSONValue] = [:]
        for (name, value) in members { fields[name] = value }
        var problems: [Problem] = []
        func text(_ name: String) -> String? {
            guard let value = fields[name] else { return nil }
            if case .string(let text) = value { return text }
            problems.append(Problem(field: name, reason: "is a text"))
            return nil
        }
        for name in fields.keys.sorted() where !["ids", "source", "from", "through", "reason", "by"].contains(name) {
            problems.append(Problem(field: name, reason: "is not a field of a reinstatement (ids, or source, from and through; reason; by)"))
        }
        let reason = text("reason") ?? ""
        let who = text("by") ?? key.label
        var which: Reinstatement?
        if let value = fields["ids"] {
            if case .array(let items) = value, items.allSatisfy({ if case .string = $0 { true } else { false } }) {
                which = .ids(items.compactMap { if case .string(let id) = $0 { id } else { nil } })
            } else {
                problems.append(Problem(field: "ids", reason: "is a list of response ids"))
            }
        }
        let source = text("source"), from = text("from"), through = text("through")
        if source != nil || from != nil || through != nil {
            if which != nil {
                problems.append(Problem(field: "source", reason: "names a burst where ids are given already: send one or the other"))
            } else if let source, let from, let through {
                guard case .instant(let start) = ISO8601Timestamp.parse(from) else {
                    throw APIError.invalid(problems + [Problem(field: "from", reason: "is an instant with its offset, such as 2026-02-01T10:00:00+03:00")])
                }
                guard case .instant(let end) = ISO8601Timestamp.parse(through) else {
                    throw APIError.invalid(problems + [Problem(field: "through", reason: "is an instant with its offset, such as 2026-02-01T10:05:00+03:00")])
                }
                which = .burst(source: source, from: start, through: end)
            } else {
                problems.append(Problem(field: "source", reason: "a burst is named by source, from and through together"))
            }
        }
        if which == nil && problems.isEmpty { problems.append(Problem(field: "ids", reason: "or a burst (source, from, through) says what to reinstate")) }
        guard let which, problems.isEmpty else { throw APIError.invalid(problems) }
        // The key that sent the decision is recorded with the name given, so a name cannot be borrowed unseen.
        let signed = who.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? who : "\(who) (key \(key.id))"
        let ids = try await ReinstateResponses(store: store, now: now).run(which, by: signed, reason: reason)
        context.logger.info("responses reinstated", metadata: ["count": "\(ids.count)", "key.id": "\(key.id)"])
        return JSONBody.response(Reinstated(reinstated: ids))
    }
}
