import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RidaAssessment
import RidaPostgres
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// Several built `rida serve` instances over one PostgreSQL database (issue 14): what one stores, the others count and
/// show; an id sent to two at once is stored once; a killed instance loses nothing it acknowledged; a restarted server
/// makes the instances answer 503 with Retry-After (never 500, never an acknowledgement of something not committed)
/// until they reconnect by themselves.
@Suite(.tags(.slow), .serialized, .enabled(if: StoreKind.postgresURL != nil, "RIDA_TEST_POSTGRES is not set"))
struct PostgresServeLiveTests {
    /// Today in Bahrain, so the live display's day rollups count what is sent.
    static func stamp() -> String { DeploymentZone.bahrain.date(at: Instant(Date())).iso8601 + "T00:00:01+03:00" }

    /// A settings file for these instances: one kiosk key stands here for many devices answering at one instant, which
    /// the misuse rules would set aside as one device's burst; these tests are about storage across instances (the rules
    /// on PostgreSQL, two stores at once included, are MisuseTests'), so the rules watch no channel.
    static func settings(_ folder: TemporaryDatabase) throws -> String {
        // One key stands for every kiosk of the load here: neither the misuse rules nor the per-key rate limit (50 a
        // second, per instance) are what these tests are about.
        try folder.file("settings.json", #"{"misuse.channels": [], "http.rateLimit.requestsPerSecond": 0}"#)
    }

    static func body(_ id: String, centre: String = "C01", q1: Int = 5) -> String {
        #"{"id":"\#(id)","centre":"\#(centre)","channel":"kiosk","submitted_at":"\#(stamp())","q1":\#(q1),"q2":4}"#
    }

    @Test func twoInstancesServeTheKioskPageAndShowEachOthersSubmissions() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let folder = try TemporaryDatabase()
        defer { folder.remove() }
        let url = database.location.description
        let a = ServedRida(database: folder, name: "a", db: url)
        let b = ServedRida(database: folder, name: "b", db: url)
        a.arguments = ["--config", try Self.settings(folder)]
        b.arguments = a.arguments
        let kiosk = try a.key(["--role", "submitter", "--centre", "C01", "--channel", "kiosk", "--label", "Kiosk 1"])
        let other = try a.key(["--role", "submitter", "--centre", "C01", "--label", "Kiosk 2"])
        let reader = try a.key(["--role", "quality", "--label", "Quality office"])
        try a.start()
        try b.start()
        defer { _ = a.stop(); _ = b.stop() }
        for served in [a, b] {
            let page = try await served.request("GET", "/kiosk", key: nil)
            #expect(page.status == 200 && page.body.contains("كفاءة الموظف"))
            #expect(try await served.request("GET", "/health", key: nil).status == 200)
        }

        // A live display on B; a submission through A reaches it within 2 seconds.
        let events = folder.folder.appendingPathComponent("events.txt")
        _ = FileManager.default.createFile(atPath: events.path, contents: nil)
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sN", "--max-time", "30", "-H", "Authorization: Bearer \(reader)", b.base + "/v1/live/C01/events"]
        curl.standardOutput = try FileHandle(forWritingTo: events)
        try curl.run()
        defer { curl.terminate() }
        func pushed() -> String { (try? String(contentsOf: events, encoding: .utf8)) ?? "" }
        let first = Date().addingTimeInterval(10)
        while !pushed().contains("event: figures"), Date() < first { try await Task.sleep(for: .milliseconds(50)) }
        #expect(pushed().contains(#""today":{"all":{"channel":null,"mean":null,"ratings":0,"responses":0"#), "\(pushed())")
        let posted = Date()
        #expect(try await a.request("POST", "/v1/responses", key: kiosk, body: Self.body("one")).status == 201)
        let figures = #""today":{"all":{"channel":null,"mean":4.5,"ratings":2,"responses":1"#
        while !pushed().contains(figures), Date().timeIntervalSince(posted) < 2 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(pushed().contains(figures), "B's display showed A's submission within 2 s: \(pushed())")

        // The same id through both at the same moment: stored once (one 201, one 200); different content: 201 and 409.
        for round in 0..<5 {
            async let viaA = a.request("POST", "/v1/responses", key: kiosk, body: Self.body("same-\(round)"))
            async let viaB = b.request("POST", "/v1/responses", key: kiosk, body: Self.body("same-\(round)"))
            #expect(try await [viaA.status, viaB.status].sorted() == [200, 201], "round \(round)")
            async let changedA = a.request("POST", "/v1/responses", key: kiosk, body: Self.body("diff-\(round)", q1: 1))
            async let changedB = b.request("POST", "/v1/responses", key: kiosk, body: Self.body("diff-\(round)", q1: 2))
            #expect(try await [changedA.status, changedB.status].sorted() == [201, 409], "round \(round)")
        }
        // Both count the same: 1 + 5 + 5 responses, whichever instance is asked.
        for served in [a, b] {
            let live = try await served.request("GET", "/v1/live/C01", key: reader)
            #expect(live.body.contains(#""today":{"all":{"channel":null,"#) && live.body.contains(#""responses":11"#), "\(live.body)")
        }

        // A key revoked with the command line is refused by both instances once their few seconds' cache lapses.
        #expect(try await b.request("POST", "/v1/responses", key: other, body: Self.body("before-revoke")).status == 201)
        let revoked = try runRida(["keys", "revoke", "2", "--db", url])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let deadline = Date().addingTimeInterval(10)
        var statuses: [Int] = []
        var attempt = 0
        while Date() < deadline {
            attempt += 1
            statuses = [try await a.request("POST", "/v1/responses", key: other, body: Self.body("a-\(attempt)")).status,
                        try await b.request("POST", "/v1/responses", key: other, body: Self.body("b-\(attempt)")).status]
            if statuses == [401, 401] { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(statuses == [401, 401])
        #expect(try await database.store.response(id: "a-\(attempt)") == nil)
        #expect(try await database.store.response(id: "b-\(attempt)") == nil)
        #expect(!a.stderr.contains(kiosk) && !b.stderr.contains(kiosk))
    }

    @Test func aKilledInstanceLosesNothingItAcknowledgedAndTheOtherServesOn() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let folder = try TemporaryDatabase()
        defer { folder.remove() }
        let url = database.location.description
        let a = ServedRida(database: folder, name: "a", db: url)
        let b = ServedRida(database: folder, name: "b", db: url)
        a.arguments = ["--config", try Self.settings(folder)]
        b.arguments = a.arguments
        let key = try a.key(["--role", "admin", "--label", "Load"])
        try a.start()
        try b.start()
        defer { _ = b.stop() }
        let acknowledged = Acknowledged()
        let afterKill = Acknowledged()
        let killed = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                let base = worker % 2 == 0 ? a.base : b.base
                group.addTask {
                    var request = URLRequest(url: URL(string: base + "/v1/responses")!)
                    request.httpMethod = "POST"
                    request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
                    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                    request.timeoutInterval = 5
                    let stop = Date().addingTimeInterval(5)
                    var i = 0
                    while Date() < stop {
                        let id = "w\(worker)-\(i)"
                        request.httpBody = Data(Self.body(id, centre: "C0\(worker % 3)", q1: 1 + i % 5).utf8)
                        // Sent after the kill: only the other instance can have answered it. (One answered just before
                        // the kill and read just after is not "after".)
                        let sentAfterKill = killed.isSet
                        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return }
                        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                        guard status == 201 || status == 200 else { return }
                        acknowledged.add(id)
                        if sentAfterKill { afterKill.add(id) }
                        i += 1
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(2))
                _ = a.stop(signal: SIGKILL)
                killed.set()
            }
            try await group.waitForAll()
        }
        let ids = acknowledged.all
        #expect(ids.count > 100, "the load was real: \(ids.count) acknowledged")
        #expect(afterKill.all.count > 20, "the other instance served on after the kill: \(afterKill.all.count)")
        #expect(afterKill.all.allSatisfy { Int($0.dropFirst().split(separator: "-")[0])! % 2 == 1 })
        var missing: [String] = []
        for id in ids where try await database.store.response(id: id) == nil { missing.append(id) }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(5))")
        let count = try await database.store.responseCount()
        #expect(count >= ids.count && count <= ids.count + 4, "at most one unacknowledged commit per worker of A: \(count) vs \(ids.count)")
        let quarter = DeploymentZone.bahrain.quarter(at: Instant(Date()))
        let report = try await database.store.quarterlyReport(.init(quarter: quarter), policy: .init(), channels: .standard)
        #expect(report.groups.reduce(0) { $0 + $1.responses } == count, "the rollups count each stored response once")
    }

    /// `rida serve --db A --read-db B`: reports and assessments are read from B (a standby, opened read-only), while
    /// submissions and keys stay on A. The two hold different responses, so the figures say which was read. While B
    /// is away (as the service starts, and later), its reads answer 503 with Retry-After, as the primary's do, and
    /// submissions carry on.
    @Test func aReadDatabaseServesReportsAndAssessmentsWhileWritesGoToThePrimary() async throws {
        let primary = try await PostgresTestDatabase.create()
        defer { primary.remove() }
        let standby = try await PostgresTestDatabase.create()
        defer { standby.remove() }
        let folder = try TemporaryDatabase()
        defer { folder.remove() }
        let received = instant("2026-02-02T09:00:00+03:00")
        // A: one response, all 5s. B: 4444 and 2222, 8 ratings, mean (16 + 8) / 8 = 3, and an assessment of C01.
        _ = try await primary.store.save([response("p1", [5, 5, 5, 5])], receivedAt: received)
        _ = try await standby.store.save([response("s1", [4, 4, 4, 4]), response("s2", [2, 2, 2, 2])], receivedAt: received)
        try await standby.store.saveCentre(Centre(id: "C01", entity: nil, kind: .headquarters, channels: ["counter"]), at: received)
        try await standby.store.openAssessment(
            Assessment(framework: .headquarters, unit: "C01", cycle: 2026, openedAt: received, openedBy: "Evaluator"))
        try standby.makeReadOnly()
        let served = ServedRida(database: folder, name: "a", db: primary.location.description)
        let kiosk = try served.key(["--role", "submitter", "--centre", "C01", "--channel", "kiosk", "--label", "Kiosk 1"])
        let reader = try served.key(["--role", "quality", "--label", "Quality office"])

        // B away as the service starts: it starts all the same, says so, and answers B's reads 503.
        try primary.onServer("ALTER DATABASE \(standby.location.database) ALLOW_CONNECTIONS false")
        try served.start(extra: ["--read-db", standby.location.description])
        defer { _ = served.stop() }
        #expect(try String(contentsOf: served.output, encoding: .utf8).contains("Reports and assessments are read from \(standby.location)."))
        #expect(served.stderr.contains("Reports and assessments answer 503 until it can"), "\(served.stderr)")
        try await expectUnavailable(served, reader)
        #expect(try await served.request("POST", "/v1/responses", key: kiosk, body: Self.body("k0")).status == 201)

        // B back: its figures, once the pool has reconnected.
        try primary.onServer("ALTER DATABASE \(standby.location.database) ALLOW_CONNECTIONS true")
        var report = (status: 0, body: "")
        let back = Date().addingTimeInterval(20)
        while report.status != 200, Date() < back {
            report = try await served.request("GET", "/v1/reports/quarterly?quarter=2026-Q1", key: reader)
            if report.status != 200 { try await Task.sleep(for: .milliseconds(250)) }
        }
        let object = try JSONSerialization.jsonObject(with: Data(report.body.utf8)) as? [String: Any]
        let group = try #require((object?["groups"] as? [[String: Any]])?.first, "\(report.status) \(report.body)")
        #expect(group["responses"] as? Int == 2 && group["mean"] as? Double == 3)
        let assessments = try await served.request("GET", "/v1/assessments", key: reader)
        #expect(assessments.status == 200 && assessments.body.contains(#""unit":"C01""#), "\(assessments.body)")
        // Submissions and keys are the primary's: the key was made there, the responses are stored there.
        #expect(try await served.request("POST", "/v1/responses", key: kiosk, body: Self.body("k1")).status == 201)
        #expect(try await primary.store.response(id: "k0") != nil)
        #expect(try await primary.store.response(id: "k1") != nil)

        // B away while serving: 503 with Retry-After within seconds; A's submissions are still answered.
        try primary.onServer("ALTER DATABASE \(standby.location.database) ALLOW_CONNECTIONS false")
        try standby.endSessions()
        try await expectUnavailable(served, reader)
        #expect(try await served.request("POST", "/v1/responses", key: kiosk, body: Self.body("k2")).status == 201)
    }

    /// The quarterly report answers 503 `database_unavailable` with `Retry-After: 5`, within 10 s.
    func expectUnavailable(_ served: ServedRida, _ reader: String) async throws {
        var request = URLRequest(url: URL(string: served.base + "/v1/reports/quarterly?quarter=2026-Q1")!)
        request.setValue("Bearer \(reader)", forHTTPHeaderField: "Authorization")
        request.timeoutInterval = 15
        let started = Date()
        let (body, answer) = try await URLSession.shared.data(for: request)
        let http = try #require(answer as? HTTPURLResponse)
        let text = String(decoding: body, as: UTF8.self)
        #expect(http.statusCode == 503 && http.value(forHTTPHeaderField: "Retry-After") == "5", "\(text)")
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(text.contains(#""code":"database_unavailable""#), "\(text)")
    }

    // A submission in flight when PostgreSQL stops once hung the instance's group-commit writer for good (PostgresNIO
    // never answers a query written to a connection just closed); `PostgresStore.untilClosed` ends it.
    @Test
    func aRestartedServerIs503WithRetryAfterUntilTheInstancesReconnect() async throws {
        let server = try PrivatePostgres.start()
        defer { server.stop() }
        let folder = try TemporaryDatabase()
        defer { folder.remove() }
        // The kiosks here send as fast as they are answered: no rate limit, so every answer is the database's.
        let config = folder.folder.appendingPathComponent("no-rate-limit.json")
        try Data(#"{"http.rateLimit.requestsPerSecond": 0, "misuse.channels": []}"#.utf8).write(to: config)
        let a = ServedRida(database: folder, name: "a", db: server.url)
        let b = ServedRida(database: folder, name: "b", db: server.url)
        a.arguments = ["--config", config.path]
        b.arguments = ["--config", config.path]
        let key = try a.key(["--role", "admin", "--label", "Load"])
        try a.start()
        try b.start()
        defer { _ = a.stop(); _ = b.stop() }
        let outcomes = Outcomes()
        let restarted = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                let base = worker % 2 == 0 ? a.base : b.base
                group.addTask {
                    // A kiosk's queue: an id is sent until it is acknowledged, waiting as Retry-After says (shortened).
                    var request = URLRequest(url: URL(string: base + "/v1/responses")!)
                    request.httpMethod = "POST"
                    request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
                    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                    request.timeoutInterval = 10
                    var i = 0
                    let giveUp = Date().addingTimeInterval(60)
                    while !restarted.isSet || i % 50 != 0 {
                        if Date() > giveUp {
                            outcomes.gaveUp()
                            return
                        }
                        let id = "r\(worker)-\(i)"
                        request.httpBody = Data(Self.body(id, q1: 1 + i % 5).utf8)
                        let (_, response) = try await URLSession.shared.data(for: request)
                        let http = response as? HTTPURLResponse
                        let status = http?.statusCode ?? 0
                        outcomes.add(status, retryAfter: http?.value(forHTTPHeaderField: "Retry-After"))
                        if status == 201 || status == 200 {
                            outcomes.acknowledge(id)
                            i += 1
                        } else {
                            try await Task.sleep(for: .milliseconds(200))
                        }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(2))
                try server.pause()
                try await Task.sleep(for: .seconds(4))
                try server.resume()
                try await Task.sleep(for: .seconds(3))
                restarted.set()
            }
            try await group.waitForAll()
        }
        let statuses = outcomes.statuses
        #expect(!statuses.keys.contains(500), "never a 500: \(statuses)")
        #expect(Set(statuses.keys).isSubset(of: [200, 201, 503]), "\(statuses)")
        #expect(statuses[503, default: 0] > 0, "the instances said the database was away: \(statuses)")
        #expect(outcomes.every503HadRetryAfter)
        #expect(try await a.request("GET", "/health", key: nil).status == 200)
        #expect(try await b.request("GET", "/health", key: nil).status == 200)

        let store = try await PostgresStore.open(url: server.url)
        let ids = outcomes.acknowledged
        #expect(ids.count > 50)
        var missing: [String] = []
        for id in ids where try await store.response(id: id) == nil { missing.append(id) }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(5))")
        // Every id was sent until acknowledged, so the database holds exactly the acknowledged ones, once each.
        #expect(outcomes.gaveUpCount == 0, "the instances reconnected by themselves and took the kiosks' queues")
        let count = try await store.responseCount()
        #expect(count >= Set(ids).count && count <= Set(ids).count + outcomes.gaveUpCount)
        let quarter = DeploymentZone.bahrain.quarter(at: Instant(Date()))
        let report = try await store.quarterlyReport(.init(quarter: quarter), policy: .init(), channels: .standard)
        #expect(report.groups.reduce(0) { $0 + $1.responses } == count, "the rollups count each stored response once")
        await store.close()
    }
}

/// A PostgreSQL server of a test's own (scripts/postgres), for a test that stops and starts it.
struct PrivatePostgres {
    let directory: String
    let url: String

    static func start() throws -> PrivatePostgres {
        let exports = try script(["start"])
        func value(_ name: String) throws -> String {
            let part = try #require(exports.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix(name + "=") })
            return String(part.dropFirst(name.count + 1))
        }
        return PrivatePostgres(directory: try value("RIDA_PG_DIR"), url: try value("RIDA_TEST_POSTGRES"))
    }

    func pause() throws { _ = try Self.script(["pause", directory]) }
    func resume() throws { _ = try Self.script(["resume", directory]) }
    func stop() { _ = try? Self.script(["stop", directory]) }

    @discardableResult
    static func script(_ arguments: [String]) throws -> String {
        // Spawned and waited for by hand, its output in a file: the server it starts outlives it, and Foundation's
        // Process neither sees the end of a pipe the server inherited nor, here, reaps the script.
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("rida-pg-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        let path = repositoryRoot().appendingPathComponent("scripts/postgres").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        try #require(spawned == 0, "scripts/postgres could not be started: \(spawned)")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        try #require(status == 0, "scripts/postgres \(arguments.joined(separator: " ")) failed (\(status))")
        return try String(contentsOf: output, encoding: .utf8)
    }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

/// What the kiosks of a failure test were answered.
final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Int: Int] = [:]
    private var ids: [String] = []
    private var missingRetryAfter = 0

    func add(_ status: Int, retryAfter: String?) {
        lock.lock(); defer { lock.unlock() }
        counts[status, default: 0] += 1
        if status == 503, retryAfter == nil { missingRetryAfter += 1 }
    }

    private var pending = 0
    /// A kiosk stopped with an id not yet acknowledged (it may have been committed and its answer lost).
    func gaveUp() { lock.lock(); pending += 1; lock.unlock() }
    var gaveUpCount: Int { lock.lock(); defer { lock.unlock() }; return pending }
    func acknowledge(_ id: String) { lock.lock(); ids.append(id); lock.unlock() }
    var statuses: [Int: Int] { lock.lock(); defer { lock.unlock() }; return counts }
    var acknowledged: [String] { lock.lock(); defer { lock.unlock() }; return ids }
    var every503HadRetryAfter: Bool { lock.lock(); defer { lock.unlock() }; return missingRetryAfter == 0 }
}
