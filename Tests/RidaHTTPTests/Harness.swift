import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RidaHTTP
import RidaStore
import RidaSurvey
import RidaTesting
import Synchronization
import Testing

/// A service over a real SQLite file, with keys of every role, at a fixed time: 2026-02-01 12:00 in Bahrain.
struct Harness {
    let database: TemporaryDatabase
    let store: SQLiteStore
    let settings: ServiceSettings
    let logs: LogRecorder
    let now: Instant
    var submitter = ""
    var kioskOnly = ""
    var quality = ""
    var evaluator = ""
    var admin = ""
    var otherCentre = ""
    var revoked = ""

    static let noon = instant("2026-02-01T12:00:00+03:00")

    init(settings: ServiceSettings = ServiceSettings(rateLimit: nil), now: Instant = Harness.noon) async throws {
        database = try TemporaryDatabase()
        store = try database.open()
        self.settings = settings
        self.now = now
        logs = LogRecorder()
        submitter = try await makeKey(.submitter, centre: "C01")
        kioskOnly = try await makeKey(.submitter, centre: "C01", channels: ["kiosk"])
        otherCentre = try await makeKey(.submitter, centre: "C02")
        quality = try await makeKey(.quality)
        evaluator = try await makeKey(.evaluator)
        admin = try await makeKey(.admin)
        revoked = try await makeKey(.submitter, centre: "C01")
        let keys = try await store.keys()
        try await store.revokeKey(keys.last!.id, at: now)
    }

    func makeKey(_ role: Role, centre: String? = nil, channels: [String]? = nil) async throws -> String {
        let secret = APIKeySecret.generate()
        _ = try await store.createKey(secret, label: "\(role.rawValue) \(centre ?? "")", role: role, centre: centre,
                                      channels: channels, at: now)
        return secret.text
    }

    /// Runs `body` against the application in process (`.router`) or on a real socket (`.live`).
    func test<Value: Sendable>(_ setup: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let now = self.now
        let app = buildApplication(settings, store: store, logger: logs.logger, now: { now })
        return try await app.test(setup) { client in try await body(client) }
    }

    func remove() {
        try? store.close()
        database.remove()
    }
}

extension TestClientProtocol {
    func post(_ uri: String, key: String?, json: String, contentType: String = "application/json") async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: contentType]
        if let key { headers[.authorization] = "Bearer \(key)" }
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    func get(_ uri: String, key: String?) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let key { headers[.authorization] = "Bearer \(key)" }
        return try await execute(uri: uri, method: .get, headers: headers)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object.
    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(text)")
    }

    /// The error body's machine code.
    func errorCode() throws -> String? {
        (try json()["error"] as? [String: Any])?["code"] as? String
    }
}

/// A response body as the API takes it, `submitted_at` on 2026-02-01 10:00 in Bahrain unless given.
func responseJSON(_ id: String, centre: String = "C01", channel: String = "counter",
                  at submitted: String = "2026-02-01T10:00:00+03:00", _ ratings: [Any?] = [5, 4, 4, 5],
                  comment: String? = nil) -> String {
    var object: [String: Any] = ["id": id, "centre": centre, "channel": channel, "submitted_at": submitted]
    for (index, rating) in ratings.enumerated() { if let rating { object["q\(index + 1)"] = rating } }
    if let comment { object["comment"] = comment }
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

/// Keeps every log line in memory, with its metadata, so tests can read what the service logged.
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "rida-test") { _ in Handler(recorder: self) }
        logger.logLevel = .trace
        return logger
    }

    var all: [String] { lines.withLock { $0 } }

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            for (key, value) in event.metadata ?? [:] { all[key] = value }
            let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            recorder.append("\(event.level) \(event.message) \(fields)")
        }
    }
}
