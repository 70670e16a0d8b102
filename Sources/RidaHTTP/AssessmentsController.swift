import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RidaAssessment
import RidaReports
import RidaStore
import RidaSurvey
import RidaUseCases

/// `/v1/assessments`: what `rida assess list`, `show`, `history` and `record` do, over the same store calls.
///
/// Reading (the list, a sheet, its history, the guide's form) is for the quality, evaluator and admin roles: the
/// quality team acts on what stands between its unit and the next shield. Recording verdicts is for evaluators
/// and admins only. Recording goes through `SQLiteStore.record`, which checks the whole batch
/// (`HistoryEntry.problems(of:...)`, the check the command line uses) and appends all of it or nothing.
struct AssessmentsController: Sendable {
    let settings: ServiceSettings
    /// Where verdicts are recorded and assessments closed: the primary.
    let store: any RidaStorage
    /// Where the list, the sheets, the form and the history are read: the read database (a standby) when the service
    /// has one, else the primary.
    let reads: any AssessmentStore
    let auth: Authenticator
    let now: @Sendable () -> Instant

    static let readDenial = "This key submits responses; assessments are read with a quality, evaluator or admin key."
    static let recordDenial = "This key reads assessments; verdicts are recorded with an evaluator or admin key (rida keys create --role evaluator)."
    /// The most entries one request may record (framework 1 has 94 criteria).
    static let maxEntries = 500
    static let maxBodyBytes = 1024 * 1024

    func addRoutes(to router: Router<RidaRequestContext>) {
        router.get("/v1/assessments", use: list)
        router.get("/v1/assessments/{id}", use: sheet)
        router.get("/v1/assessments/{id}/form", use: form)
        router.get("/v1/assessments/{id}/history", use: history)
        router.post("/v1/assessments/{id}/verdicts", use: record)
        router.post("/v1/assessments/{id}/close", use: close)
        router.post("/v1/assessments/{id}/description", use: describe)
    }

    func authorizeReading(_ request: Request, _ context: RidaRequestContext) async throws {
        _ = try await auth.require(request, context, denial: Self.readDenial) { $0.role.readsReports }
    }

    // MARK: Reading

    /// An assessment in the list, with the shield it has reached and its standing towards the next.
    struct Summary: Encodable {
        var assessment: Assessment
        var reached: Shield?
        var next: Classification.Standing?

        enum Key: String, CodingKey { case id, framework, unit, entity, cycle, period, openedAt, openedBy, closing, provisional, reached, next }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(assessment.id, forKey: .id)
            try c.encode(assessment.framework, forKey: .framework)
            try c.encode(assessment.unit, forKey: .unit)
            try c.encodeIfPresent(assessment.entity, forKey: .entity)
            try c.encode(assessment.cycle, forKey: .cycle)
            try c.encode(assessment.quarters.map(\.description), forKey: .period)
            try c.encode(assessment.openedAt, forKey: .openedAt)
            try c.encode(assessment.openedBy, forKey: .openedBy)
            try c.encode(assessment.closing, forKey: .closing)
            try c.encode(!assessment.isClosed, forKey: .provisional)
            try c.encode(reached, forKey: .reached)
            try c.encode(next, forKey: .next)
        }
    }

    struct SummaryList: Encodable {
        var assessments: [Summary]
    }

    @Sendable func list(_ request: Request, context: RidaRequestContext) async throws -> Response {
        try await authorizeReading(request, context)
        let time = now()
        var summaries: [Summary] = []
        for assessment in try await reads.assessments() {
            let sheet = try await reads.assessmentSheet(assessment.id, policy: settings.policy, now: time)
            let classification = sheet.classification
            summaries.append(Summary(assessment: assessment, reached: classification.reached,
                                     next: classification.next.flatMap { classification.standing($0) }))
        }
        return JSONBody.response(SummaryList(assessments: summaries))
    }

    /// The sheet as `rida assess show --format json` prints it: every criterion with its recorded entry, its computed
    /// verdict and the figures it rests on, and the classification.
    @Sendable func sheet(_ request: Request, context: RidaRequestContext) async throws -> Response {
        try await authorizeReading(request, context)
        let sheet = try await reads.assessmentSheet(try context.pathParameter("id"), policy: settings.policy, now: now())
        return JSONBody.text(try AssessmentForm.json(sheet), contentType: Document.json)
    }

    /// The guide's form (appendix 5 or 6) as `rida assess show` renders it: HTML (the default), JSON or text.
    @Sendable func form(_ request: Request, context: RidaRequestContext) async throws -> Response {
        try await authorizeReading(request, context)
        let query = Query(request)
        let format = try query.choice("format", ["html", "json", "text"], default: "html")
        let language = try query.language()
        let sheet = try await reads.assessmentSheet(try context.pathParameter("id"), policy: settings.policy, now: now())
        let name = "rida-assessment-\(sheet.assessment.id)-\(language.rawValue)"
        switch format {
        case "json":
            return JSONBody.text(try AssessmentForm.json(sheet), contentType: Document.json)
        case "text":
            return Document.response(Data(AssessmentForm(sheet).text(language).utf8), contentType: Document.text, filename: name + ".txt", inline: true)
        default:
            return Document.response(Data(AssessmentForm(sheet).html(language).utf8), contentType: Document.html, filename: name + ".html", inline: true)
        }
    }

    struct HistoryBody: Encodable {
        var assessment: String
        var entries: [HistoryEntry]
    }

    /// Every entry of the history, oldest first, as `rida assess history --format json` gives them.
    @Sendable func history(_ request: Request, context: RidaRequestContext) async throws -> Response {
        try await authorizeReading(request, context)
        let id = try context.pathParameter("id")
        guard try await reads.assessment(id) != nil else {
            throw APIError.notFound("There is no assessment \(id): GET /v1/assessments lists them.")
        }
        let criterion = Query(request)["criterion"]
        let entries = try await reads.history(of: id).filter { criterion == nil || $0.criterion == criterion }
        return JSONBody.response(HistoryBody(assessment: id, entries: entries))
    }

    // MARK: Recording

    struct Recorded: Encodable {
        var assessment: String
        var recorded: Int
        var entries: [HistoryEntry]
    }

    /// Appends the body's entries to the assessment's history: all of them, or none with every problem named.
    @Sendable func record(_ request: Request, context: RidaRequestContext) async throws -> Response {
        var request = request
        let key = try await auth.require(request, context, denial: Self.recordDenial) { $0.role == .evaluator || $0.role == .admin }
        let id = try context.pathParameter("id")
        try ResponsesController.requireContentType(request, "application/json")
        let body = try await ResponsesController.collect(&request, limit: Self.maxBodyBytes)
        let value: JSONValue
        do {
            value = try JSONReader.read(Array(body.readableBytesView))
        } catch {
            throw APIError.malformedJSON()
        }
        guard try await store.assessment(id) != nil else {
            throw APIError.notFound("There is no assessment \(id): GET /v1/assessments lists them (rida assess open opens one).")
        }
        var decoded = VerdictsDecoding(value, assessment: id, evaluator: key.label, at: now(), maxEntries: Self.maxEntries)
        if !decoded.imports.isEmpty {
            let known = Set(try await store.imports().map(\.id))
            for (field, importID) in decoded.imports where !known.contains(importID) {
                decoded.problems.append(Problem(field: field, reason: "there is no import #\(importID) (rida imports lists them)"))
            }
        }
        // The use case `rida assess record` calls: the store checks the batch against the catalogue and the history in the
        // transaction that appends it, and refuses it with the problems of reading it and of checking the entries that
        // could be read, all at once.
        let stored = try await RecordVerdicts(store: store, policy: settings.policy)
            .run(decoded.entries, at: now(), positions: decoded.indices, unread: decoded.problems)
        return JSONBody.response(Recorded(assessment: id, recorded: stored.count, entries: stored), status: .created)
    }
}

extension AssessmentsController {
    /// `POST /v1/assessments/{id}/close`, as `rida assess close`: freezes the computed verdicts with their figures; later
    /// imports no longer change them. The evaluator is the body's `evaluator` (an optional JSON object), else the key's
    /// label. Answers with the closed sheet.
    @Sendable func close(_ request: Request, context: RidaRequestContext) async throws -> Response {
        var request = request
        let key = try await auth.require(request, context, denial: Self.recordDenial) { $0.role == .evaluator || $0.role == .admin }
        let id = context.parameters.get("id") ?? ""
        let body = try await ResponsesController.collect(&request, limit: 64 * 1024)
        var evaluator = key.label
        if body.readableBytes > 0 {
            guard case .object(let fields)? = try? JSONReader.read(Array(body.readableBytesView)) else {
                throw APIError.malformedJSON()
            }
            if let value = fields.first(where: { $0.0 == "evaluator" })?.1 {
                guard case .string(let name) = value, !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw APIError.invalidEntries([Problem(field: "evaluator", reason: "the evaluator is a non-empty string")])
                }
                evaluator = name
            }
        }
        guard try await store.assessment(id) != nil else {
            throw APIError.notFound("There is no assessment \(id): GET /v1/assessments lists them.")
        }
        let sheet = try await store.closeAssessment(id, by: evaluator, policy: settings.policy, now: now())
        return JSONBody.text(try AssessmentForm.json(sheet), contentType: Document.json)
    }
}

extension AssessmentsController {
    struct Described: Encodable {
        var assessment: String
        var entries: [DescriptionEntry]
    }

    /// `POST /v1/assessments/{id}/description`, as `rida assess describe`: the form's descriptive evaluation, each item's
    /// text appended (`strengths`, `areas-to-develop` for appendix 5; `channel-strengths`, `services` for appendix 6),
    /// with an optional `evaluator` (default: the key's label). Answers 201 with the texts as stored.
    @Sendable func describe(_ request: Request, context: RidaRequestContext) async throws -> Response {
        var request = request
        let key = try await auth.require(request, context, denial: Self.recordDenial) { $0.role == .evaluator || $0.role == .admin }
        let id = context.parameters.get("id") ?? ""
        try ResponsesController.requireContentType(request, "application/json")
        let body = try await ResponsesController.collect(&request, limit: Self.maxBodyBytes)
        guard case .object(let fields)? = try? JSONReader.read(Array(body.readableBytesView)) else {
            throw APIError.malformedJSON()
        }
        var evaluator = key.label
        var texts: [(item: DescriptionItem, text: String)] = []
        var unread: [Problem] = []
        for (name, value) in fields {
            if name == "evaluator" {
                if case .string(let who) = value, !who.trimmingCharacters(in: .whitespaces).isEmpty { evaluator = who }
                else { unread.append(Problem(field: name, reason: "the evaluator is a non-empty string")) }
                continue
            }
            guard let item = DescriptionItem(text: name), item.spelling == name else {
                unread.append(Problem(field: name, reason: "is not an item of the forms (strengths, areas-to-develop, channel-strengths, services)"))
                continue
            }
            guard case .string(let text) = value else {
                unread.append(Problem(field: name, reason: "is a text"))
                continue
            }
            texts.append((item, text))
        }
        // The texts are checked once, by the use case (framework, empty text, evaluator), with what could not be read.
        let stored = try await DescribeAssessment(store: store, now: now).run(id, texts: texts, evaluator: evaluator, unread: unread)
        return JSONBody.response(Described(assessment: id, entries: stored), status: .created)
    }
}

/// The body of `POST /v1/assessments/{id}/verdicts`, read into history entries, with a problem for each field that
/// cannot be read (`entries[i].field`). The evaluator is the entry's `evaluator`, else the body's, else the key's label.
///
/// ```json
/// {"evaluator": "Fatima", "entries": [
///   {"criterion": "1.1.1", "verdict": "met", "mechanism": "field-visit", "note": "signs in both languages",
///    "evidence": ["https://intranet/visit-12", "import:3", {"file": "door.jpg", "sha256": "9f86…", "bytes": 52311}]}]}
/// ```
struct VerdictsDecoding {
    var entries: [HistoryEntry] = []
    /// The position in the body of each entry read.
    var indices: [Int] = []
    var problems: [Problem] = []
    /// Imports named as evidence, with the field naming them: the controller checks that they exist.
    var imports: [(field: String, id: Int64)] = []

    static let bodyFields = ["evaluator", "entries"]
    static let entryFields = ["criterion", "verdict", "note", "reason", "mechanism", "evidence", "evaluator"]

    init(_ value: JSONValue, assessment: String, evaluator keyLabel: String, at time: Instant, maxEntries: Int) {
        guard case .object(let members) = value else {
            problems.append(Problem(reason: "the body is a JSON object: {\"entries\": [{\"criterion\": \"1.1.1\", \"verdict\": \"met\", ...}]}"))
            return
        }
        var list: [JSONValue]?
        var bodyEvaluator: String?
        for (name, member) in members {
            switch name {
            case "entries":
                if case .array(let items) = member { list = items } else { problems.append(Problem(field: "entries", reason: "must be an array of entries")) }
            case "evaluator":
                bodyEvaluator = text(member, "evaluator")
            default:
                problems.append(Problem(field: name, reason: "is not a field of the body (fields: \(Self.bodyFields.joined(separator: ", ")))"))
            }
        }
        guard let list else {
            if !problems.contains(where: { $0.field == "entries" }) {
                problems.append(Problem(field: "entries", reason: "is missing: give one entry or more"))
            }
            return
        }
        if list.isEmpty { problems.append(Problem(field: "entries", reason: "is empty: give one entry or more")) }
        if list.count > maxEntries {
            problems.append(Problem(field: "entries", reason: "holds \(list.count) entries; at most \(maxEntries) are recorded at once"))
            return
        }
        for (index, item) in list.enumerated() {
            if let entry = self.entry(item, index: index, assessment: assessment, evaluator: bodyEvaluator ?? keyLabel, at: time) {
                entries.append(entry)
                indices.append(index)
            }
        }
    }

    /// A JSON string (or null, read as absent); a problem for anything else.
    mutating func text(_ value: JSONValue, _ field: String) -> String? {
        switch value {
        case .string(let text): return text
        case .null: return nil
        default:
            problems.append(Problem(field: field, reason: "must be text"))
            return nil
        }
    }

    mutating func entry(_ value: JSONValue, index: Int, assessment: String, evaluator fallback: String, at time: Instant) -> HistoryEntry? {
        let at = "entries[\(index)]"
        guard case .object(let members) = value else {
            problems.append(Problem(field: at, reason: "must be an object with criterion and verdict"))
            return nil
        }
        let before = problems.count
        var fields: [String: JSONValue] = [:]
        for (name, member) in members {
            if Self.entryFields.contains(name) {
                fields[name] = member
            } else {
                problems.append(Problem(field: "\(at).\(name)", reason: "is not a field of an entry (fields: \(Self.entryFields.joined(separator: ", ")))"))
            }
        }
        let criterion = fields["criterion"].flatMap { text($0, "\(at).criterion") }?.trimmingCharacters(in: .whitespaces) ?? ""
        if criterion.isEmpty, Self.isTextOrAbsent(fields["criterion"]) {
            problems.append(Problem(field: "\(at).criterion", reason: "is missing: give the criterion's id, such as 1.1.1"))
        }
        var verdict: RecordedVerdict?
        let verdictText = fields["verdict"].flatMap { text($0, "\(at).verdict") } ?? ""
        if verdictText.trimmingCharacters(in: .whitespaces).isEmpty {
            if Self.isTextOrAbsent(fields["verdict"]) {
                problems.append(Problem(field: "\(at).verdict", reason: "is missing: give \(RecordedVerdict.spellings)"))
            }
        } else if let read = RecordedVerdict(text: verdictText) {
            verdict = read
        } else {
            problems.append(Problem(field: "\(at).verdict", reason: "\"\(verdictText)\" is not one of \(RecordedVerdict.spellings)"))
        }
        let note = fields["note"].flatMap { text($0, "\(at).note") }.flatMap(Self.nonBlank)
        let reason = fields["reason"].flatMap { text($0, "\(at).reason") }.flatMap(Self.nonBlank)
        if note != nil, reason != nil {
            problems.append(Problem(field: "\(at).reason", reason: "give the reason in note or in reason, not both: the history keeps one text"))
        }
        var mechanism: Mechanism?
        if let text = fields["mechanism"].flatMap({ text($0, "\(at).mechanism") }).flatMap(Self.nonBlank) {
            mechanism = Mechanism(text: text)
            if mechanism == nil { problems.append(Problem(field: "\(at).mechanism", reason: "\"\(text)\" is not one of \(Mechanism.spellings)")) }
        }
        var evidence: [EvidenceReference] = []
        switch fields["evidence"] {
        case nil, .null?: break
        case .array(let items)?:
            for (position, item) in items.enumerated() {
                if let reference = self.evidence(item, field: "\(at).evidence[\(position)]") { evidence.append(reference) }
            }
        default:
            problems.append(Problem(field: "\(at).evidence", reason: "must be an array of web addresses, import:N, or files as {\"file\", \"sha256\", \"bytes\"}"))
        }
        let evaluator = fields["evaluator"].flatMap { text($0, "\(at).evaluator") } ?? fallback
        guard problems.count == before, let verdict else { return nil }
        return HistoryEntry(assessment: assessment, criterion: criterion, verdict: verdict, evaluator: evaluator, at: time,
                            note: note ?? reason, mechanism: mechanism, evidence: evidence)
    }

    /// One evidence item: a web address or `import:N` as text (read by `EvidenceReference.read`, as the command
    /// line reads them), or a file the evaluator holds, named with its SHA-256 (the service cannot read a client's files).
    mutating func evidence(_ value: JSONValue, field: String) -> EvidenceReference? {
        switch value {
        case .string(let text):
            switch EvidenceReference.read(text) {
            case .failure(let problem):
                problems.append(Problem(field: field, reason: problem.description))
            case .success(.url(let url)):
                return .url(url)
            case .success(.importRecord(let id)):
                imports.append((field, id))
                return .importRecord(id)
            case .success(.file):
                problems.append(Problem(field: field, reason: "\"\(text)\" is neither a web address nor import:N; give a file as {\"file\": NAME, \"sha256\": its SHA-256 in hex, \"bytes\": its size} (sha256sum prints it)"))
            }
        case .object(let members):
            var name: String?
            var sha: String?
            var bytes: Int64?
            for (key, member) in members {
                switch (key, member) {
                case ("file", .string(let text)): name = Self.nonBlank(text)
                case ("sha256", .string(let text)): sha = text.lowercased()
                case ("bytes", .number(let text)):
                    bytes = Int64(text)
                    if bytes == nil || bytes! < 0 { problems.append(Problem(field: "\(field).bytes", reason: "must be a whole number of bytes")) }
                case ("file", _), ("sha256", _), ("bytes", _):
                    problems.append(Problem(field: "\(field).\(key)", reason: key == "bytes" ? "must be a whole number of bytes" : "must be text"))
                default:
                    problems.append(Problem(field: "\(field).\(key)", reason: "is not a field of a file's evidence (file, sha256, bytes)"))
                }
            }
            guard let name else {
                problems.append(Problem(field: "\(field).file", reason: "is missing: give the file's name"))
                return nil
            }
            guard let sha, sha.count == 64, sha.allSatisfy({ $0.isHexDigit && $0.isASCII }) else {
                problems.append(Problem(field: "\(field).sha256", reason: "must be the file's SHA-256: 64 hexadecimal digits (sha256sum prints it)"))
                return nil
            }
            guard let bytes, bytes >= 0 else {
                if !problems.contains(where: { $0.field == "\(field).bytes" }) {
                    problems.append(Problem(field: "\(field).bytes", reason: "is missing: give the file's size in bytes"))
                }
                return nil
            }
            return .file(name: name, sha256: sha, byteCount: bytes)
        default:
            problems.append(Problem(field: field, reason: "must be a web address, import:N, or a file as {\"file\", \"sha256\", \"bytes\"}"))
        }
        return nil
    }

    /// Whether a field is text, null or absent: otherwise `text(_:_:)` has already said it must be text.
    static func isTextOrAbsent(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?, .string?: true
        default: false
        }
    }

    static func nonBlank(_ text: String) -> String? {
        text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }
}
