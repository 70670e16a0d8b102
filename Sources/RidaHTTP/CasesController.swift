import Foundation
import Hummingbird
import RidaAggregation
import RidaStore
import RidaSurvey
import RidaUseCases
import Logging
import ServiceLifecycle

/// `GET /v1/cases`, `GET /v1/cases/{id}` and `POST /v1/cases/{id}`, as `rida cases`: the follow-up cases of customers
/// who asked to be contacted (issue 16). Quality and admin keys only: a case carries the customer's phone or e-mail.
/// A key bound to a centre sees and changes that centre's cases only. Answers are never cached, and no log line
/// carries a contact, a note or a reason.
struct CasesController: Sendable {
    let cases: FollowUpCases
    let auth: Authenticator

    static let denial = "Follow-up cases carry customers' contact details: use a quality or admin key."
    static let maxBodyBytes = 64 * 1024

    func addRoutes(to router: Router<RidaRequestContext>) {
        router.get("/v1/cases", use: list)
        router.get("/v1/cases/:id", use: show)
        router.post("/v1/cases/:id", use: update)
    }

    struct Listing: Encodable {
        var cases: [FollowUpCase]
    }

    struct Shown: Encodable {
        var `case`: FollowUpCase
        var events: [CaseEvent]
    }

    static func unstored(_ response: Response) -> Response {
        var response = response
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// `?centre=&status=&owner=&quarter=&limit=` (limit 1 to 10000, 200 by default), newest first.
    @Sendable func list(_ request: Request, context: RidaRequestContext) async throws -> Response {
        let key = try await auth.require(request, context, denial: Self.denial) { $0.role == .quality || $0.role == .admin }
        let query = Query(request)
        var asked = CaseQuery(quarter: try query.quarter())
        if let text = query["limit"] {
            guard let number = Int(text), (1...10_000).contains(number) else {
                throw APIError.invalid([Problem(field: "limit", reason: "must be a whole number from 1 to 10000")])
            }
            asked.limit = number
        }
        if let text = query["status"] {
            asked.status = CaseStatus(rawValue: try query.choice("status", CaseStatus.allCases.map(\.rawValue), default: text))
        }
        do { asked.centre = try Identifier.normalized(query["centre"], field: "centre") } catch { throw APIError.invalid([error]) }
        if let bound = key.centre {
            if let centre = asked.centre, centre != bound {
                throw APIError.invalid([Problem(field: "centre", reason: "this key is bound to centre \(bound) and sees only its cases")])
            }
            asked.centre = bound
        }
        asked.owner = query["owner"]
        return Self.unstored(JSONBody.response(Listing(cases: try await cases.list(asked))))
    }

    @Sendable func show(_ request: Request, context: RidaRequestContext) async throws -> Response {
        let key = try await auth.require(request, context, denial: Self.denial) { $0.role == .quality || $0.role == .admin }
        let id = try Self.caseID(context)
        let found = try await cases.show(id, centre: key.centre)
        return Self.unstored(JSONBody.response(Shown(case: found.case, events: found.events)))
    }

    /// The body: any of `owner`, `status` (contacted, resolved, closed), `note`, `reason` (to close without contact),
    /// and `by` (who, else the key's label; recorded with the key's id). Answers 200 with the case as it now is.
    @Sendable func update(_ request: Request, context: RidaRequestContext) async throws -> Response {
        var request = request
        let key = try await auth.require(request, context, denial: Self.denial) { $0.role == .quality || $0.role == .admin }
        let id = try Self.caseID(context)
        try ResponsesController.requireContentType(request, "application/json")
        let body = try await ResponsesController.collect(&request, limit: Self.maxBodyBytes)
        guard case .object(let members)? = try? JSONReader.read(Array(body.readableBytesView)) else {
            throw APIError.malformedJSON()
        }
        var problems: [Problem] = []
        var fields: [String: String] = [:]
        for (name, value) in members {
            guard ["owner", "status", "note", "reason", "by"].contains(name) else {
                problems.append(Problem(field: name, reason: "is not a field of a case change (owner, status, note, reason, by)"))
                continue
            }
            switch value {
            case .string(let text): fields[name] = text
            case .null: break
            default: problems.append(Problem(field: name, reason: "is a text"))
            }
        }
        var change = CaseChange(owner: fields["owner"], note: fields["note"], closeReason: fields["reason"])
        if let text = fields["status"] {
            if let status = CaseStatus(rawValue: text), status != .open {
                change.status = status
            } else {
                problems.append(Problem(field: "status", reason: "must be contacted, resolved or closed"))
            }
        }
        guard problems.isEmpty else {
            throw APIError.invalid(problems, code: "invalid_case_change", what: "The change", nothing: "the case is as it was")
        }
        let who = fields["by"] ?? key.label
        let signed = who.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? who : "\(who) (key \(key.id))"
        let updated = try await cases.update(id, change, by: signed, centre: key.centre)
        context.logger.info("case changed", metadata: ["case": "\(id)", "status": "\(updated.status.rawValue)", "key.id": "\(key.id)"])
        return Self.unstored(JSONBody.response(updated))
    }

    static func caseID(_ context: RidaRequestContext) throws -> Int64 {
        let text = try context.pathParameter("id")
        guard let id = Int64(text), id > 0 else { throw APIError.invalidParameter("id", "is a case number, such as 12") }
        return id
    }
}

/// Erases the contacts of follow-up cases past their retention, when the service starts and every hour after. A
/// failure is logged (without any contact) and tried again at the next hour; it never stops the service.
struct ContactErasureService: Service {
    let cases: FollowUpCases
    let logger: Logger
    var every: Duration = .seconds(3_600)

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let erased = try await cases.eraseExpired()
                if erased > 0 { logger.info("contacts erased after their retention", metadata: ["cases": "\(erased)"]) }
            } catch {
                logger.warning("contacts could not be erased now; trying again in an hour", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
            } catch {
                break
            }
        }
    }
}
