import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import RidaStore
import RidaSurvey
import RidaUseCases
import ServiceLifecycle

/// Builds Rida's HTTP service over `store`: API v1, the kiosk page, the live display, health and metrics.
///
/// ```swift
/// let store = try SQLiteStore(path: "rida.sqlite")
/// let app = buildApplication(ServiceSettings(port: 8080), store: store, logger: logger)
/// try await app.runService()   // until SIGTERM or SIGINT; in-flight requests finish
/// try store.close()
/// ```
/// `reads`, when given, is where reports and assessments are read (`--read-db`: a streaming standby, opened read-only);
/// everything else (submissions, keys, the live display, recording verdicts, health) uses `store`, the primary.
/// `now` is the clock: it stamps receipt times, bounds `submitted_at` and cuts the live display's days.
/// `arrivals`, when given, stores responses made on this machine while the service runs (the demo's halls).
public func buildApplication(
    _ settings: ServiceSettings, store: any RidaStorage, reads: (any RidaStorage)? = nil, logger: Logger,
    now: @escaping @Sendable () -> Instant = { Instant(Date()) },
    arrivals: (any Arrivals)? = nil, firstArrivalAfter: Duration = .seconds(1),
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let writer = GroupCommitWriter(store: store, maxGroupResponses: settings.groupCommit ? 5_000 : 1)
    let metrics = Metrics()
    let keys = KeyRing(store: store, cacheMilliseconds: settings.keyCacheMilliseconds, logger: logger, now: now)
    let feed = LiveFeed(
        limits: LiveFeed.Limits(total: settings.maxStreams, perKey: settings.maxStreamsPerKey, heartbeat: settings.heartbeat),
        event: { centre in LiveController.event(try await LiveFigures.compute(centre: centre, store: store, settings: settings, at: now())) },
        revoked: { ids in
            guard let all = try? await store.keys() else { return [] }
            return Set(all.filter { ids.contains($0.id) && $0.revokedAt != nil }.map(\.id))
        })
    let connections = ConnectionRegistry(limits: settings.connections, logger: logger)
    let auth = Authenticator(
        keys: keys, limiter: settings.rateLimit.map { RateLimiter<Int64>(limit: $0) },
        unknownLimiter: settings.unknownKeysPerMinute.map { RateLimiter<String>(limit: RateLimit(requestsPerSecond: $0 / 60, burst: min(10, $0))) },
        now: now)

    let router = Router(context: RidaRequestContext.self)
    router.add(middleware: ServiceMiddleware(metrics: metrics))
    HealthController(store: store, auth: auth, metrics: metrics, minimumFreeBytes: settings.minimumFreeBytes).addRoutes(to: router)
    SurveysController(auth: auth).addRoutes(to: router)
    ResponsesController(settings: settings, writer: writer, auth: auth, feed: feed, metrics: metrics, now: now).addRoutes(to: router)
    ReportsController(settings: settings, store: reads ?? store, auth: auth, now: now).addRoutes(to: router)
    AssessmentsController(settings: settings, store: store, reads: reads ?? store, auth: auth, now: now).addRoutes(to: router)
    LiveController(settings: settings, store: store, auth: auth, feed: feed, now: now).addRoutes(to: router)
    MisuseController(store: store, auth: auth, now: now).addRoutes(to: router)
    let cases = FollowUpCases(store: store, retentionDays: settings.caseRetentionDays, now: now)
    CasesController(cases: cases, auth: auth).addRoutes(to: router)
    InvitationsController(invitations: Invitations(store: store, validator: settings.validator, now: now), auth: auth, feed: feed,
                          channels: settings.channels, baseURL: settings.invitationBaseURL).addRoutes(to: router)
    SignsController(signs: Signs(store: store, validator: settings.validator, now: now), auth: auth, feed: feed,
                    channels: settings.channels, baseURL: settings.invitationBaseURL).addRoutes(to: router)
    WidgetsController(widgets: Widgets(store: store, validator: settings.validator, now: now), auth: auth, feed: feed,
                      channels: settings.channels).addRoutes(to: router)
    PagesController(settings: settings).addRoutes(to: router)

    var app = Application(
        router: router,
        server: .http1(configuration: HTTP1Channel.Configuration(additionalChannelHandlers: [ConnectionGuard(registry: connections)])),
        configuration: ApplicationConfiguration(
            address: .hostname(settings.host, port: settings.port), serverName: "Rida"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? settings.port) },
        logger: logger)
    app.addServices(keys, feed)
    // Scheduled backups copy one SQLite file; another store is backed up by its own server's tools.
    if let schedule = settings.backups, let store = store as? SQLiteStore {
        app.addServices(BackupService(schedule: schedule, store: store, metrics: metrics, logger: logger, now: now))
    }
    // Several instances over one database: submissions through the others reach this one's live displays too.
    if let changes = store as? any CommittedCentres {
        app.addServices(OtherInstancesService(changes: changes, feed: feed))
    }
    // Contacts past their retention are erased hourly (and on every read of the cases).
    app.addServices(ContactErasureService(cases: cases, logger: logger))
    if let arrivals {
        app.addServices(ArrivalsService(arrivals: arrivals, firstWait: firstArrivalAfter, writer: writer, feed: feed,
                                        metrics: metrics, logger: logger, now: now))
    }
    return app
}
