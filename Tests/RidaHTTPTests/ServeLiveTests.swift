import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

extension Tag {
    /// Tests that take seconds (a real server, a real kill): they run in CI like every other test.
    @Tag static var slow: Self
}

/// The built `rida serve` on 127.0.0.1: a real process, a real socket, a real SQLite file.
final class ServedRida: @unchecked Sendable {
    let database: TemporaryDatabase
    var process: Process?
    var port = 0
    let output: URL
    let errors: URL
    /// More arguments for `rida serve`, such as `--config FILE`.
    var arguments: [String] = []

    init(database: TemporaryDatabase) {
        self.database = database
        output = database.folder.appendingPathComponent("serve.out")
        errors = database.folder.appendingPathComponent("serve.err")
    }

    var base: String { "http://127.0.0.1:\(port)" }

    func key(_ arguments: [String]) throws -> String {
        let result = try runRida(["keys", "create", "--db", database.path] + arguments)
        try #require(result.status == 0, "\(result.stderr)")
        return try #require(result.stdout.split(separator: "\n").last.map(String.init))
    }

    /// Starts `rida serve --port 0` and waits for the line that names its port.
    func start() throws {
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = ridaExecutable()
        process.arguments = ["serve", "--db", database.path, "--port", "0"] + arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(text[range].split(separator: ":")[1])!
                return
            }
            try #require(process.isRunning, "rida serve stopped: \((try? String(contentsOf: errors, encoding: .utf8)) ?? "")")
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("rida serve did not print its address within 30 s")
    }

    func stop(signal: Int32 = SIGTERM) -> Int32 {
        guard let process else { return -1 }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    var stderr: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    func request(_ method: String, _ path: String, key: String?, body: String? = nil,
                 contentType: String = "application/json") async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}

@Suite(.tags(.slow), .serialized) struct ServeLiveTests {
    @Test func servesTheAPIOnLoopbackAndStopsCleanlyOnSIGTERM() async throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let served = ServedRida(database: database)
        let kiosk = try served.key(["--role", "submitter", "--centre", "C01", "--channel", "kiosk", "--label", "Kiosk 3"])
        let reader = try served.key(["--role", "quality", "--label", "Quality office"])
        #expect(kiosk.hasPrefix("rida_") && kiosk.count == 48)
        let list = try runRida(["keys", "list", "--db", database.path])
        #expect(list.stdout.contains("Kiosk 3") && list.stdout.contains("C01 (kiosk)") && list.stdout.contains("never"))
        #expect(!list.stdout.contains(kiosk) && !list.stdout.contains(reader))

        try served.start()
        #expect(try await served.request("GET", "/health", key: nil).status == 200)
        // The event stream, read by curl as any client would; a response stored for C01 is pushed to it.
        let events = database.folder.appendingPathComponent("events.txt")
        _ = FileManager.default.createFile(atPath: events.path, contents: nil)
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sN", "--max-time", "20", "-H", "Authorization: Bearer \(reader)", served.base + "/v1/live/C01/events"]
        curl.standardOutput = try FileHandle(forWritingTo: events)
        try curl.run()
        func eventCount() -> Int {
            ((try? String(contentsOf: events, encoding: .utf8)) ?? "").components(separatedBy: "event: figures").count - 1
        }
        let first = Date().addingTimeInterval(10)
        while eventCount() < 1, Date() < first { try await Task.sleep(for: .milliseconds(50)) }
        #expect(eventCount() == 1)

        let body = #"{"id":"live-1","centre":"C01","channel":"kiosk","submitted_at":"\#(Instant(Date()).iso8601)","q1":5,"q2":4,"comment":"شكراً"}"#
        let posted = Date()
        let created = try await served.request("POST", "/v1/responses", key: kiosk, body: body)
        #expect(created.status == 201)
        while eventCount() < 2, Date().timeIntervalSince(posted) < 2 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(eventCount() >= 2, "the stream pushed the new figures within 2 s")
        let pushed = (try? String(contentsOf: events, encoding: .utf8)) ?? ""
        #expect(pushed.contains(#""today":{"all":{"channel":null,"mean":4.5,"ratings":2,"responses":1"#))
        #expect(try await served.request("POST", "/v1/responses", key: kiosk, body: body).status == 200)
        #expect(try await served.request("POST", "/v1/responses", key: reader, body: body).status == 403)

        // SIGTERM with a stream still open: the service ends the stream, answers what is in flight, closes the database.
        let stopped = Date()
        #expect(served.stop() == 0)
        #expect(Date().timeIntervalSince(stopped) < 15)
        #expect(served.stderr.contains("the database is closed"))
        curl.waitUntilExit()
        #expect(!served.stderr.contains("شكراً") && !served.stderr.contains(kiosk))

        let revoke = try runRida(["keys", "revoke", "1", "--db", database.path])
        #expect(revoke.status == 0)
        #expect(try runRida(["keys", "list", "--db", database.path]).stdout.contains("revoked"))
        let store = try SQLiteStore(path: database.path, create: false)
        defer { try? store.close() }
        #expect(try await store.response(id: "live-1")?.comment == "شكراً")
        #expect(try await store.keys().first?.lastUsedAt != nil, "the last use was recorded at shutdown")
    }

    /// `rida serve --demo`: builds the demo database, makes demo keys, prints addresses that work.
    @Test func servesTheDemoWithWorkingAddresses() async throws {
        let database = try TemporaryDatabase(name: "demo.sqlite")
        defer { database.remove() }
        let process = Process()
        process.executableURL = ridaExecutable()
        process.arguments = ["serve", "--demo", "--db", database.path, "--port", "0"]
        let output = database.folder.appendingPathComponent("demo.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGTERM); process.waitUntilExit() } }
        var text = ""
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, !text.contains("Stop with Ctrl-C") {
            try await Task.sleep(for: .milliseconds(100))
            text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        }
        func address(after label: String) throws -> String {
            let line = try #require(text.split(separator: "\n").first { $0.contains(label) }, "no \(label) in \(text)")
            return String(try #require(line.split(separator: " ").last))
        }
        let kiosk = try address(after: "Kiosk page:")
        let live = try address(after: "Live display:")
        let api = try address(after: "API:")
        #expect(kiosk.contains("/kiosk/setup#centre=C01&key=rida_"))
        #expect(live.contains("/live/C01#key=rida_"))
        let readerKey = String(live.split(separator: "=").last!)
        let kioskKey = String(kiosk.split(separator: "=").last!)
        let (document, _) = try await URLSession.shared.data(from: URL(string: api)!)
        #expect((try JSONSerialization.jsonObject(with: document) as? [String: Any])?["openapi"] as? String == "3.1.0")
        var request = URLRequest(url: URL(string: api.replacingOccurrences(of: "/v1/openapi.json", with: "/v1/reports/quarterly?format=csv"))!)
        request.setValue("Bearer \(readerKey)", forHTTPHeaderField: "Authorization")
        let (csv, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: csv, as: UTF8.self).contains("C03,kiosk"), "the demo's report is served")
        request = URLRequest(url: URL(string: api.replacingOccurrences(of: "/v1/openapi.json", with: "/v1/key"))!)
        request.setValue("Bearer \(kioskKey)", forHTTPHeaderField: "Authorization")
        let (key, _) = try await URLSession.shared.data(for: request)
        #expect(String(decoding: key, as: UTF8.self).contains(#""role":"submitter""#))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    /// Submit under load, SIGKILL the server, restart it: every acknowledged id is stored, exactly once.
    @Test func everyAcknowledgedResponseSurvivesASIGKILL() async throws {
        // Today in Bahrain: the live display's day rollups keep days near the time of receipt only.
        let now = Instant(Date())
        let today = DeploymentZone.bahrain.date(at: now)
        let stamp = today.iso8601 + "T00:00:01+03:00"
        let quarter = DeploymentZone.bahrain.quarter(at: now)
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let served = ServedRida(database: database)
        let key = try served.key(["--role", "admin", "--label", "Load"])
        try served.start()
        let acknowledged = Acknowledged()
        let base = served.base
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    var request = URLRequest(url: URL(string: base + "/v1/responses")!)
                    request.httpMethod = "POST"
                    request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
                    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                    request.timeoutInterval = 5
                    for i in 0..<100_000 {
                        let id = "w\(worker)-\(i)"
                        request.httpBody = Data(#"{"id":"\#(id)","centre":"C0\#(worker % 3)","channel":"counter","submitted_at":"\#(stamp)","q1":\#(1 + i % 5)}"#.utf8)
                        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return }
                        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                        if status == 201 || status == 200 { acknowledged.add(id) } else { return }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(2))
                _ = served.stop(signal: SIGKILL)
            }
            try await group.waitForAll()
        }
        let ids = acknowledged.all
        #expect(ids.count > 100, "the load was real: \(ids.count) acknowledged before the kill")

        try served.start()  // recovery happens as the restarted service opens the file
        #expect(try await served.request("GET", "/health", key: nil).status == 200)
        // Re-sending an acknowledged response is a duplicate: it was stored, and is not counted again.
        for id in ids.prefix(20) {
            let worker = Int(id.dropFirst().split(separator: "-")[0])!
            let i = Int(id.split(separator: "-")[1])!
            let again = try await served.request("POST", "/v1/responses", key: key,
                body: #"{"id":"\#(id)","centre":"C0\#(worker % 3)","channel":"counter","submitted_at":"\#(stamp)","q1":\#(1 + i % 5)}"#)
            #expect(again.status == 200)
        }
        #expect(served.stop() == 0)

        let store = try SQLiteStore(path: database.path, create: false)
        defer { try? store.close() }
        var missing: [String] = []
        for id in ids where try await store.response(id: id) == nil { missing.append(id) }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(5))")
        let count = try await store.responseCount()
        let report = try await store.quarterlyReport(.init(quarter: quarter), policy: .init(), channels: .standard)
        #expect(report.groups.reduce(0) { $0 + $1.responses } == count, "the rollups count each stored response once")
        var days = 0
        for centre in ["C00", "C01", "C02"] {
            let day = today
            days += try await store.dayCounts(centre: centre, from: day, through: day)["counter"]?.responses ?? 0
        }
        #expect(days == count)
        #expect(count >= ids.count)
    }
}

final class Acknowledged: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String] = []
    func add(_ id: String) { lock.lock(); ids.append(id); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return ids }
}
