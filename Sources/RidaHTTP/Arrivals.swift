import Logging
import RidaStore
import RidaSurvey
import ServiceLifecycle

/// Responses that arrive on the serving machine itself rather than from a client: `rida serve --demo`'s waiting
/// halls. Each one is stored as a kiosk's submission is (the same writer, the live display's streams told, the
/// metrics counted), so the demo's live display moves as a real hall's does.
public protocol Arrivals: Sendable {
    /// The response that arrives at `time` (stamped with it), and how long until the next one.
    mutating func arrival(at time: Instant) -> (response: SurveyResponse, next: Duration)
}

/// Stores `arrivals` one by one while the service runs: a `Service` of the application's group, so it stops at
/// the graceful shutdown (SIGTERM, SIGINT) before the database is closed. Time comes from the injected clock; the
/// waits from the source, so a seeded source makes the same arrivals every run.
struct ArrivalsService: Service {
    let arrivals: any Arrivals
    let firstWait: Duration
    let writer: GroupCommitWriter
    let feed: LiveFeed
    let metrics: Metrics
    let logger: Logger
    let now: @Sendable () -> Instant

    func run() async throws {
        var source = arrivals
        var wait = firstWait
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let delay = wait
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            } catch {
                break  // shutting down
            }
            let time = now()
            let (response, next) = source.arrival(at: time)
            wait = next
            do {
                if case .created = try await writer.save([response], receivedAt: time)[0] {
                    feed.changed(centres: [response.centre])
                    metrics.recordStored(channel: response.channel)
                }
            } catch {
                logger.warning("could not store a demo arrival", metadata: ["error": "\(error)"])
            }
        }
    }
}
