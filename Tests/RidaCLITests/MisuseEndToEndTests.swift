import Foundation
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// `rida misuse list` and `rida misuse reinstate` through the built `rida`, on a file where kiosk key 1 sent three
/// customers and then sixty fives in a minute (stored as `rida serve` stores them: with their key as source).
@Suite struct MisuseEndToEndTests {
    let temp: TemporaryDatabase

    init() async throws {
        temp = try TemporaryDatabase()
        let store = try temp.open()
        var responses = [
            response("o1", channel: "kiosk", at: "2026-02-01T09:00:00+03:00", [4, 4, 3, 5]),
            response("o2", channel: "kiosk", at: "2026-02-01T09:05:00+03:00", [2, 3, 2, 3]),
            response("o3", channel: "kiosk", at: "2026-02-01T09:30:00+03:00", [5, 4, 5, 4]),
        ]
        responses += (0..<60).map { response(String(format: "h%02d", $0), channel: "kiosk", at: String(format: "2026-02-01T09:20:%02d+03:00", $0), [5, 5, 5, 5]) }
        for i in responses.indices { responses[i].source = "key:1" }
        _ = try await store.save(responses, receivedAt: instant("2026-02-01T12:00:00+03:00"))
        try store.close()
    }

    func rida(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try runRida(arguments + ["--db", temp.path], in: temp.folder, environment: environment)
    }

    func kioskResponses() throws -> Int? {
        let result = try rida(["report", "--quarter", "2026-Q1", "--centre", "C01", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return (object?["groups"] as? [[String: Any]])?.first { $0["channel"] as? String == "kiosk" }?["responses"] as? Int
    }

    @Test func listsTheBurstAndReinstatesItWithWhoAndWhy() throws {
        defer { temp.remove() }
        #expect(try kioskResponses() == 3)
        var result = try rida(["report", "--quarter", "2026-Q1", "--centre", "C01"])
        #expect(result.stdout.contains("Set aside by the misuse rules (60 responses"))

        result = try rida(["misuse", "list", "--centre", "C01", "--limit", "5"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        // A header, a rule, the five newest, the hint.
        #expect(lines.count == 8)
        let newest = try #require(lines.dropFirst(2).first).split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(newest == ["2026-02-01T06:20:59.000Z", "h59", "C01", "kiosk", "key:1", "burst", "5", "5", "5", "5"])
        result = try rida(["misuse", "list", "--format", "json"])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(listed.count == 60 && listed.allSatisfy { $0["rule"] as? String == "burst" })

        // Refused, each with its sentence and exit 2: both ways of naming at once; no one deciding; an empty reason.
        result = try rida(["misuse", "reinstate", "--id", "h00", "--source", "key:1", "--reason", "x", "--by", "Q"])
        #expect(result.status == 2 && result.stderr.contains("not both"))
        result = try rida(["misuse", "reinstate", "--id", "h00", "--reason", "real"], environment: ["RIDA_EVALUATOR": ""])
        #expect(result.status == 2 && result.stderr.contains("--by NAME"))
        result = try rida(["misuse", "reinstate", "--id", "h00", "--reason", " ", "--by", "Quality"])
        #expect(result.status == 2 && result.stderr.contains("The parameter reason must say why"))
        #expect(try kioskResponses() == 3)

        result = try rida(["misuse", "reinstate", "--source", "key:1", "--from", "2026-02-01T09:20:00+03:00",
                           "--through", "2026-02-01T09:20:59+03:00", "--by", "Quality, C01", "--reason", "a school visit"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Reinstated 60 responses, counted from now on: h00, h01"))
        #expect(try kioskResponses() == 63)
        result = try rida(["misuse", "list"])
        #expect(result.stdout == "No response is set aside.\n")
        result = try rida(["db", "check"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    /// Settings that would silently turn the rules off, or set aside every honest answer, are refused with a sentence each.
    @Test func misuseSettingsThatCannotBeMeantAreRefused() throws {
        defer { temp.remove() }
        let config = try temp.file("rida.json", #"{"misuse.channels": ["Kiosk"], "misuse.identicalCount": 1, "misuse.burstSeconds": -5}"#)
        let result = try rida(["misuse", "list", "--config", config])
        #expect(result.status == 2)
        #expect(result.stderr.contains("misuse.channels names Kiosk, which survey.channels does not"))
        #expect(result.stderr.contains("misuse.identicalCount must be a whole number from 0 (the rule off) to 86400, and not 1"))
        #expect(result.stderr.contains("misuse.burstSeconds must be a whole number from 0"))
    }
}
