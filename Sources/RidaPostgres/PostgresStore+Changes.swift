import Foundation
import Logging
import PostgresNIO
import RidaStore

/// `CommittedCentres` on PostgreSQL: each transaction that stores responses announces their centres with `NOTIFY`
/// (`pg_notify` in the transaction, so the announcement goes out when, and only if, it commits), and every instance
/// listens on a connection of its own (`LISTEN`), outside the pool.
extension PostgresStore: CommittedCentres {
    /// The channel the announcements travel on.
    static let changesChannel = "rida_responses"
    /// PostgreSQL refuses a payload of 8000 bytes or more: an announcement of more centres says "all" instead.
    static let largestAnnouncement = 7_000

    public func committedCentres() -> AsyncStream<CentresChanged> {
        let (stream, continuation) = AsyncStream<CentresChanged>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let location = self.location
        let logger = self.logger
        let listening = Task {
            var connected = false
            while !Task.isCancelled {
                do {
                    let connection = try await Self.connect(location, logger: logger)
                    // What was committed while the listener was away is unknown: every centre is due again.
                    if connected { continuation.yield(.all) }
                    connected = true
                    do {
                        try await connection.listen(on: Self.changesChannel) { notifications in
                            for try await notification in notifications {
                                continuation.yield(Self.changes(in: notification.payload))
                            }
                        }
                    } catch {
                        if !Task.isCancelled {
                            logger.warning("stopped listening for other instances' submissions; reconnecting",
                                           metadata: ["error": "\(Self.failure(error, location: location))"])
                        }
                    }
                    try? await connection.close()
                } catch {
                    // The server is away: try again in a second (the pool's operations say 503 meanwhile).
                }
                try? await Task.sleep(for: .seconds(1))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in listening.cancel() }
        return stream
    }

    /// Announces, in the transaction on `connection`, that responses of `centres` were stored.
    static func announce(_ centres: Set<String>, on connection: PostgresConnection, logger: Logger) async throws {
        guard !centres.isEmpty else { return }
        let payload = Self.payload(for: centres)
        try await connection.query("SELECT pg_notify(\(changesChannel), \(payload))", logger: logger)
    }

    /// The announcement's text: the centres as a JSON array in their order, or `*` when that is too long.
    static func payload(for centres: Set<String>) -> String {
        let data = (try? JSONEncoder().encode(centres.sorted())) ?? Data()
        guard !data.isEmpty, data.count <= largestAnnouncement else { return "*" }
        return String(decoding: data, as: UTF8.self)
    }

    /// What an announcement says; anything but a JSON array of strings counts as "all".
    static func changes(in payload: String) -> CentresChanged {
        guard payload != "*", let centres = try? JSONDecoder().decode([String].self, from: Data(payload.utf8)) else { return .all }
        return .centres(Set(centres))
    }
}
