import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import RidaHTTP
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// The command line and the API asked the same question about a report give the same answer: the built `rida` on the
/// fixture's file, and the service on a real socket on 127.0.0.1 over the same file.
@Suite struct AgreementTests {
    struct Question: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        var query: String
        /// The HTTP status, and the exit status of `rida`.
        var status: Int
        var exit: Int32
        var testDescription: String { name }
    }

    static let questions = [
        // An unknown centre is an error in both, never an empty report.
        Question(name: "an unknown centre", arguments: ["--quarter", "2026-Q1", "--centre", "C99", "--format", "json"],
                 query: "quarter=2026-Q1&centre=C99&format=json", status: 404, exit: 2),
        Question(name: "a bad quarter", arguments: ["--quarter", "2026-Q5", "--format", "csv"],
                 query: "quarter=2026-Q5&format=csv", status: 422, exit: 2),
        // An entity whose centres are not registered has nothing to report on: a conflict with the registry.
        Question(name: "an entity without centres", arguments: ["--quarter", "2026-Q1", "--entity", "E02", "--format", "json"],
                 query: "quarter=2026-Q1&entity=E02&format=json", status: 409, exit: 2),
        // A known centre in a quarter without responses is a report of no responses, the same bytes in both.
        Question(name: "a known centre in a quarter without responses", arguments: ["--quarter", "2026-Q3", "--centre", "C03", "--format", "json"],
                 query: "quarter=2026-Q3&centre=C03&format=json", status: 200, exit: 0),
        Question(name: "a centre's figures", arguments: ["--quarter", "2026-Q1", "--centre", "C01", "--format", "csv"],
                 query: "quarter=2026-Q1&centre=C01&format=csv", status: 200, exit: 0),
        // The comment themes: the fixture has no comment, so every count is 0, the same bytes in both.
        Question(name: "a centre's comment themes", arguments: ["--quarter", "2026-Q1", "--centre", "C01", "--format", "csv", "--themes"],
                 query: "quarter=2026-Q1&centre=C01&format=csv&themes=true", status: 200, exit: 0),
        Question(name: "themes asked of a page", arguments: ["--quarter", "2026-Q1", "--format", "html", "--themes"],
                 query: "quarter=2026-Q1&format=html&themes=true", status: 422, exit: 2),
    ]

    @Test(arguments: questions)
    func theCommandLineAndTheAPIGiveTheSameAnswer(_ question: Question) async throws {
        let f = try await Fixture(.sqliteFile)
        defer { f.remove() }
        let sqlite = try f.sqlite
        let secret = APIKeySecret.generate()
        _ = try await f.store.createKey(secret, label: "quality", role: .quality, centre: nil, channels: nil, at: Fixture.now)

        let cli = try runRida(["report", "--db", sqlite.path] + question.arguments)
        var logger = Logger(label: "agreement")
        logger.logLevel = .critical
        let app = buildApplication(ServiceSettings(rateLimit: nil), store: sqlite, logger: logger, now: { Fixture.now })
        let (status, body, message) = try await app.test(.live) { client in
            let answer = try await client.execute(uri: "/v1/reports/quarterly?" + question.query, method: .get,
                                                  headers: [.authorization: "Bearer \(secret.text)"])
            let body = String(buffer: answer.body)
            let error = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
            return (Int(answer.status.code), body, (error?["error"] as? [String: Any])?["message"] as? String)
        }

        #expect(status == question.status)
        #expect(cli.status == question.exit)
        if question.status == 200 {
            #expect(cli.stdout == body)
            #expect(cli.stderr.isEmpty)
        } else {
            // The same sentence; where the failure has a next step, the command line tells it as the command that does it.
            let sentence = try #require(message)
            let stem = "rida: " + (sentence.hasSuffix(".") ? String(sentence.dropLast()) : sentence)
            #expect(cli.stderr.hasPrefix(stem), "\(cli.stderr)")
            let rest = cli.stderr.dropFirst(stem.count)
            #expect(rest == ".\n" || (rest.contains("rida ") && rest.hasSuffix(".\n") && !rest.dropLast().contains("\n")), "\(rest)")
            #expect(cli.stdout.isEmpty)
        }
    }

    @Test func theBadQuarterSentenceNamesTheQuarterInBoth() async throws {
        // The sentence both shells give for 2026-Q5, the use case's: the parameter and the spelling expected.
        let cli = try runRida(["report", "--quarter", "2026-Q5"])
        #expect(cli.stderr == "rida: The parameter quarter \"2026-Q5\" is not a quarter; write it as YEAR-Qn, for example 2026-Q1.\n")
    }
}
