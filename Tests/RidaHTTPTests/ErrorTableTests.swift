import Foundation
import HTTPTypes
import RidaHTTP
import RidaAggregation
import RidaAssessment
import RidaImport
import RidaPostgres
import RidaReports
import RidaStore
import RidaSurvey
import Testing

/// The one table from a kind of failure to an HTTP status, and the rule that every error type Rida declares is a
/// `RidaFailure`, so none reaches a client as an unexplained 500.
@Suite struct ErrorTableTests {
    @Test(arguments: [
        (FailureKind.invalid, 422),
        (.notFound, 404),
        (.conflict, 409),
        (.unauthorized, 401),
        (.forbidden, 403),
        (.tooLarge, 413),
        (.rateLimited, 429),
        (.unavailable, 503),
        (.internalFailure, 500),
    ])
    func everyKindHasItsStatus(kind: FailureKind, status: Int) {
        #expect(httpStatus(for: kind).code == status)
    }

    /// The table above names every kind: a kind added to `FailureKind` without a status here fails this test.
    @Test func theTableNamesEveryKind() {
        let named: Set<String> = ["invalid", "notFound", "conflict", "unauthorized", "forbidden", "tooLarge", "rateLimited",
                                  "unavailable", "internalFailure"]
        #expect(Set(FailureKind.allCases.map(\.rawValue)) == named)
        // No two kinds share a status, so a status read back gives its kind.
        #expect(Set(FailureKind.allCases.map { httpStatus(for: $0).code }).count == FailureKind.allCases.count)
    }

    /// Today's statuses and codes for the library's errors, through the one table.
    @Test func libraryErrorsKeepTheirStatusesAndCodes() {
        func answer(_ failure: any RidaFailure) -> (Int, String) {
            let error = APIError(failure)
            return (error.status.code, error.code)
        }
        #expect(answer(StoreError.unavailable(path: "x.sqlite", reason: "disk I/O error")) == (503, "database_unavailable"))
        #expect(answer(StoreError.missing(path: "x.sqlite")) == (404, "database_missing"))
        #expect(answer(PostgresURLError(url: "postgres://host/rida", reason: "it names no user")) == (422, "database_url_invalid"))
        #expect(answer(ReadOnlyDatabaseError.notRida(location: "postgres://rida@h:5432/rida")) == (503, "database_not_rida"))
        #expect(answer(ReadOnlyDatabaseError.behind(location: "postgres://rida@h:5432/rida", missing: ["2 assessment-v1"])) == (503, "database_schema_behind"))
        #expect(answer(ReadOnlyDatabaseError.writeRefused(location: "postgres://rida@h:5432/rida")) == (503, "database_read_only"))
        #expect(answer(ReadOnlyDatabaseError.notPrimary(location: "postgres://rida@h:5432/rida")) == (503, "database_not_primary"))
        #expect(answer(AssessmentError("There is no assessment A.", notFound: true)) == (404, "not_found"))
        #expect(answer(AssessmentError("The assessment A is already closed.")) == (409, "conflict"))
        #expect(answer(KeyError("A key needs a label.")) == (422, "invalid_key_request"))
        #expect(answer(RecordingError("\"import:x\" is not import:N")) == (422, "invalid_recording"))
        #expect(answer(ImportError.empty(file: "a.csv")) == (422, "empty_file"))
        #expect(answer(ReportRenderingError("The workbook could not be written.")) == (500, "rendering_failed"))
        #expect(answer(CSVReader.ReadError.unclosedQuote(line: 4)) == (422, "malformed_csv"))
        #expect(answer(ThemeLexiconError(file: "ours.json", problems: [Problem(field: "themes[0].id", reason: "x")])) == (422, "invalid_lexicon"))
        #expect(answer(ProblemList([Problem(field: "timeZone", reason: "not a time zone")])) == (422, "invalid_input"))
    }

    /// A refused batch keeps the API's sentence and names each problem's entry in its field; other problems keep theirs.
    @Test func problemsReachTheBody() throws {
        let refused = APIError(AssessmentError("Nothing was recorded: x; y.", problems: [
            Problem(entry: 2, field: "verdict", reason: "x"), Problem(entry: 0, reason: "y"),
        ]))
        #expect(refused.status.code == 422)
        #expect(refused.code == "invalid_verdicts")
        #expect(refused.message == "The verdicts have 2 problems and nothing was recorded: correct them and send the entries again.")
        #expect(try fields(refused) == ["entries[2].verdict", "entries[0]"])
        let mapping = APIError(ImportError.badMapping(file: "m.json", problems: [Problem(field: "q1", reason: "z")]))
        #expect(try fields(mapping) == ["q1"])
        #expect(APIError(KeyError("k")).listed == nil)
    }

    /// The `field` of each of the body's `problems`, as a client reads them.
    func fields(_ error: APIError) throws -> [String?] {
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(error)) as? [String: Any]
        let problems = try #require(object?["problems"] as? [[String: Any]])
        return problems.map { $0["field"] as? String }
    }

    /// An APIError is its own answer; its kind is read back from its status.
    @Test func anAPIErrorKeepsItsStatus() {
        let unread = APIError(.badRequest, "malformed_json", "The body is not valid JSON.")
        #expect(APIError(unread).status.code == 400)
        #expect(unread.kind == .invalid)
        #expect(APIError(.notFound, "not_found", "x").kind == .notFound)
        #expect(APIError(.tooManyRequests, "rate_limited", "x").kind == .rateLimited)
        #expect(APIError(.internalServerError, "internal", "x").kind == .internalFailure)
    }

    /// Every error type declared in Sources/ conforms to `RidaFailure` (in its declaration or an extension), but for
    /// the few listed here: internal errors thrown with typed throws and caught in their own module, or an error
    /// the middleware answers itself. A new error type that could reach a client as a bare 500 fails this test.
    @Test func everyErrorTypeInSourcesIsARidaFailure() throws {
        let exempt: [String: String] = [
            "LeaseTimeout": "RidaPostgres-internal: PostgresStore.failure turns it into StoreError.unavailable before it leaves the store",
            "JSONFieldProblem": "RidaImport: a field's problem, caught where the row's problems are collected",
            "ShapeError": "RidaHTTP: the batch body's shape, caught by ResponsesController and told as invalid_response",
            "MalformedJSON": "RidaHTTP: caught by every controller and told as malformed_json",
            "Refusal": "RidaHTTP: LiveFeed's refusal, caught by the live controller and told as 429",
            "ClientGone": "RidaHTTP: the client left; the middleware answers 499 to nobody",
        ]
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 50)
        let declaration = try Regex(#"(?m)^\s*(?:public\s+|internal\s+|fileprivate\s+|private\s+)?(?:struct|enum|class|actor)\s+(\w+)\s*:\s*([^{]*)\{"#)
        let conformance = try Regex(#"extension\s+([\w.]+)\s*:\s*[^{]*\bRidaFailure\b"#)
        var errorTypes: [String: String] = [:]
        var conforming: Set<String> = []
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: declaration) {
                let name = String(match.output[1].substring ?? "")
                let inherits = (match.output[2].substring ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                if inherits.contains("RidaFailure") { conforming.insert(name) }
                if inherits.contains("Error") { errorTypes[name] = file }
            }
            for match in text.matches(of: conformance) {
                conforming.insert(String((match.output[1].substring ?? "").split(separator: ".").last ?? ""))
            }
        }
        // The scan finds the error types it must: a regex that matched nothing would pass every rule.
        #expect(errorTypes["ClientGone"] != nil)
        #expect(conforming.isSuperset(of: ["StoreError", "AssessmentError", "KeyError", "ImportError", "ProblemList", "APIError"]))
        let strays = errorTypes.keys.filter { !conforming.contains($0) && exempt[$0] == nil }.sorted()
        #expect(strays.isEmpty, "not RidaFailure: \(strays.map { "\($0) in \(errorTypes[$0]!)" })")
        // An exemption for a type that no longer exists, or that now conforms, is dropped from the list.
        #expect(Set(exempt.keys).subtracting(errorTypes.keys).isEmpty)
        #expect(Set(exempt.keys).intersection(conforming).isEmpty)
    }
}
