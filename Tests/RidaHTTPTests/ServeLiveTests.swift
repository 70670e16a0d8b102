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

    /// The `--db` it serves: the temporary SQLite file, or a PostgreSQL URL.
    let db: String

    /// `name` names its output files in the temporary folder (several instances); `db` replaces the SQLite file.
    init(database: TemporaryDatabase, name: String = "serve", db: String? = nil) {
        self.database = database
        self.db = db ?? database.path
        output = database.folder.appendingPathComponent("\(name).out")
        errors = database.folder.appendingPathComponent("\(name).err")
    }

    var base: String { "http://127.0.0.1:\(port)" }

    func key(_ arguments: [String]) throws -> String {
        let result = try runRida(["keys", "create", "--db", db] + arguments)
        try #require(result.status == 0, "\(result.stderr)")
        return try #require(result.stdout.split(separator: "\n").last.map(String.init))
    }

    /// Starts `rida serve --port 0` and waits for the line that names its port.
    func start(extra: [String] = []) throws {
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = ridaExecutable()
        process.arguments = ["serve", "--db", db, "--port", "0"] + arguments + extra
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(text[range].split(separator: ":").last!)!
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
        #expect(eventCount() >= 1)
        // A heartbeat may add one on a loaded machine: the push is the first event after the submission.
        let before = eventCount()

        let body = #"{"id":"live-1","centre":"C01","channel":"kiosk","submitted_at":"\#(Instant(Date()).iso8601)","q1":5,"q2":4,"comment":"شكراً"}"#
        let posted = Date()
        let created = try await served.request("POST", "/v1/responses", key: kiosk, body: body)
        #expect(created.status == 201)
        while eventCount() <= before, Date().timeIntervalSince(posted) < 2 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(eventCount() > before, "the stream pushed the new figures within 2 s")
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
        let displayKey = String(live.split(separator: "=").last!)
        let kioskKey = String(kiosk.split(separator: "=").last!)
        let tryLine = try #require(text.split(separator: "\n").first { $0.contains("Try:") }, "no Try: in \(text)")
        let readerKey = try #require(tryLine.split(separator: " ").first { $0.hasPrefix("rida_") }.map { String($0.dropLast()) })
        let base = api.replacingOccurrences(of: "/v1/openapi.json", with: "")
        func get(_ path: String, _ key: String) async throws -> (status: Int, body: String) {
            var request = URLRequest(url: URL(string: base + path)!)
            request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }
        // The printed display key shows C01's live figures, and nothing else.
        func todayAtC01() async throws -> Int {
            let answer = try await get("/v1/live/C01", displayKey)
            #expect(answer.status == 200)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
            let week = try #require((body["week"] as? [String: Any])?["all"] as? [String: Any])
            #expect((week["responses"] as? Int ?? 0) > 0, "this week's figures at start")
            return try #require(((body["today"] as? [String: Any])?["all"] as? [String: Any])?["responses"] as? Int)
        }
        let atStart = try await todayAtC01()
        #expect(try await get("/v1/live/C02", displayKey).status == 403)
        #expect(try await get("/v1/reports/quarterly?format=csv", displayKey).status == 403)
        // New responses keep arriving while it serves (one every 2 to 8 s, half of them at C01).
        var now = atStart
        let waitUntil = Date().addingTimeInterval(60)
        while now <= atStart, Date() < waitUntil {
            try await Task.sleep(for: .milliseconds(500))
            now = try await todayAtC01()
        }
        #expect(now > atStart, "the demo's trickle reached C01's display within a minute")
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
                // Killed under load: after two seconds, and once more than 100 were acknowledged (a loaded machine may
                // take longer than two seconds to get there), within 30 s.
                try await Task.sleep(for: .seconds(2))
                for _ in 0..<280 where acknowledged.count <= 100 { try await Task.sleep(for: .milliseconds(100)) }
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
    var count: Int { lock.lock(); defer { lock.unlock() }; return ids.count }
}

/// Operating the built `rida` beside a running `rida serve` (issue 9): backups under load, restores refused while it
/// serves, scheduled backups, checks.
@Suite(.tags(.slow), .serialized) struct OperationsLiveTests {
    @Test func backsUpWhileServingChecksAndRestoresOnlyOnceStopped() async throws {
        let today = DeploymentZone.bahrain.date(at: Instant(Date()))
        let stamp = today.iso8601 + "T00:00:01+03:00"
        let database = try TemporaryDatabase()
        defer { database.remove() }
        // Scheduled backups every second, the last 2 kept, in a folder of their own.
        let backups = database.folder.appendingPathComponent("scheduled").path
        let config = try database.file("rida.json", #"{"backup.every": "1s", "backup.keep": 2, "backup.dir": "\#(backups)"}"#)
        let served = ServedRida(database: database)
        let key = try served.key(["--role", "admin", "--label", "Load"])
        try served.start(extra: ["--config", config])
        let acknowledged = Acknowledged()
        let before = AckSnapshot()
        let base = served.base
        let copy = database.folder.appendingPathComponent("copy.sqlite").path
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var request = URLRequest(url: URL(string: base + "/v1/responses")!)
                    request.httpMethod = "POST"
                    request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
                    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                    for i in 0..<100_000 {
                        if before.finished { return }
                        let id = "w\(worker)-\(i)"
                        request.httpBody = Data(#"{"id":"\#(id)","centre":"C01","channel":"kiosk","submitted_at":"\#(stamp)","q1":\#(1 + i % 5)}"#.utf8)
                        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return }
                        if [200, 201].contains((response as? HTTPURLResponse)?.statusCode ?? 0) { acknowledged.add(id) }
                    }
                }
            }
            group.addTask {
                while acknowledged.all.count < 300 { try await Task.sleep(for: .milliseconds(20)) }
                before.ids = acknowledged.all
                let result = try runRida(["backup", "--db", database.path, "--out", copy])
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.stdout.contains("integrity_check ok"))
                before.backupDone = true
                try await Task.sleep(for: .milliseconds(300))
                before.finished = true
            }
            try await group.waitForAll()
        }
        let acked = before.ids
        #expect(acked.count >= 300)
        // The copy: integrity_check passes (rida db check runs it), and every response acknowledged before it began is in it.
        let check = try runRida(["db", "check", "--db", copy])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let store = try SQLiteStore(path: copy, create: false)
        var missing: [String] = []
        for id in acked where try await store.response(id: id) == nil { missing.append(id) }
        try store.close()
        #expect(missing.isEmpty, "acknowledged before the backup, missing from it: \(missing.prefix(5))")
        #expect(permissions(copy) == 0o600 && permissions(database.path) == 0o600)

        // While it serves, the database is never replaced, even with --force.
        let refused = try runRida(["restore", copy, "--db", database.path, "--force"])
        #expect(refused.status != 0 && refused.stderr.contains("another process has it open"), "\(refused.stderr)")
        // The scheduled backups ran meanwhile; only the last 2 are kept.
        let deadline = Date().addingTimeInterval(10)
        var scheduled: [String] = []
        while Date() < deadline {
            scheduled = ((try? FileManager.default.contentsOfDirectory(atPath: backups)) ?? []).filter { $0.hasSuffix("Z.sqlite") }
            if scheduled.count == 2 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(scheduled.count == 2, "\(scheduled)")
        let metrics = try await served.request("GET", "/metrics", key: key)
        #expect(metrics.body.contains(#"rida_backups_total{outcome="ok"}"#) && metrics.body.contains("rida_backup_last_success_timestamp_seconds"))
        let deep = try await served.request("GET", "/health?deep=1", key: key)
        #expect(deep.status == 200 && deep.body.contains(#""problems":[]"#), "\(deep.body)")
        #expect(served.stop() == 0)

        // Stopped: the restore goes through, keeping the replaced database aside.
        let restored = try runRida(["restore", copy, "--db", database.path, "--force"])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("The database it replaced is kept at \(database.path).replaced-"))
        #expect(try runRida(["db", "check", "--db", database.path]).status == 0)
        let back = try SQLiteStore(path: database.path, create: false)
        #expect(try await back.responseCount() >= acked.count)
        try back.close()
    }
}

final class AckSnapshot: @unchecked Sendable {
    private let lock = NSLock()
    private var _ids: [String] = []
    private var _done = false
    private var _finished = false
    var ids: [String] { get { lock.lock(); defer { lock.unlock() }; return _ids } set { lock.lock(); _ids = newValue; lock.unlock() } }
    var backupDone: Bool { get { lock.lock(); defer { lock.unlock() }; return _done } set { lock.lock(); _done = newValue; lock.unlock() } }
    var finished: Bool { get { lock.lock(); defer { lock.unlock() }; return _finished } set { lock.lock(); _finished = newValue; lock.unlock() } }
}

func permissions(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
}
