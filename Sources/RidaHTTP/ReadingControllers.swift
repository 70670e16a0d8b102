import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RidaAggregation
import RidaAssessment
import RidaReports
import RidaStore
import RidaSurvey
import ServiceLifecycle

/// `GET /v1/surveys/{id}` and `GET /v1/key`: what any key may read.
struct SurveysController: Sendable {
    let auth: Authenticator

    func addRoutes(to router: Router<RidaRequestContext>) {
        router.get("/v1/surveys/{id}", use: survey)
        router.get("/v1/key", use: key)
    }

    @Sendable func survey(_ request: Request, context: RidaRequestContext) async throws -> Response {
        _ = try await auth.authenticate(request, context)
        let id = try context.pathParameter("id")
        guard let text = BuiltInSurvey.named(id)?.definition else {
            throw APIError.notFound("There is no survey \"\(id)\": the built-in surveys are appendix-3 and appendix-4.")
        }
        return JSONBody.text(text, contentType: "application/json; charset=utf-8")
    }

    @Sendable func key(_ request: Request, context: RidaRequestContext) async throws -> Response {
        let key = try await auth.authenticate(request, context)
        return JSONBody.response(KeyBody(key))
    }

    /// A key as the API shows it: never the key itself, nor its hash.
    struct KeyBody: Encodable {
        var id: Int64
        var label: String
        var role: String
        var centre: String?
        var channels: [String]?

        init(_ key: APIKey) {
            id = key.id
            label = key.label
            role = key.role.rawValue
            centre = key.centre
            channels = key.channels
        }

        enum Key: String, CodingKey { case id, label, role, centre, channels }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(id, forKey: .id)
            try c.encode(label, forKey: .label)
            try c.encode(role, forKey: .role)
            try c.encode(centre, forKey: .centre)
            try c.encode(channels, forKey: .channels)
        }
    }
}

/// `GET /v1/live/{centre}` and its event stream `GET /v1/live/{centre}/events`.
struct LiveController: Sendable {
    let settings: ServiceSettings
    let store: any RidaStorage
    let auth: Authenticator
    let feed: LiveFeed
    let now: @Sendable () -> Instant

    func addRoutes(to router: Router<RidaRequestContext>) {
        router.get("/v1/live/{centre}", use: figures)
        router.get("/v1/live/{centre}/events", use: events)
    }

    /// The centre asked for and the key asking. Reading keys see every centre; a submitter or display key sees only its
    /// own centre.
    func authorize(_ request: Request, _ context: RidaRequestContext) async throws -> (centre: String, key: APIKey) {
        let raw = try context.pathParameter("centre")
        let centre: String
        switch Identifier.check(raw, field: "centre") {
        case .success(let value): centre = value
        case .failure(let problem): throw APIError.invalidParameter("centre", problem.reason)
        }
        let key = try await auth.authenticate(request, context, allowsDisplay: true)
        guard key.role.readsReports || key.centre == centre else {
            throw APIError.forbidden(key.role == .display
                ? Authenticator.displayDenial(key)
                : "This key submits for another centre; it may show only its own centre's live figures.")
        }
        return (centre, key)
    }

    /// Whether `key` is a display bound to `centre`: only such a display is evidence that the live page was shown at the
    /// centre (framework 1's 2.3.5, guide-notes decision 11); a reading key from anywhere, or a kiosk's key, is not.
    static func isDisplay(_ key: APIKey, of centre: String) -> Bool { key.role == .display && key.centre == centre }

    /// The centre and local day last recorded as served, so each is written once per process, not per request.
    private let served = LockedValue<Set<String>>([])

    /// Records, once per centre and local day, that the live display served the centre (evidence for 2.3.5).
    /// A failure to record never stops the display: it is logged.
    static func recordServed(_ centre: String, at time: Instant, store: any RidaStorage, settings: ServiceSettings,
                             served: LockedValue<Set<String>>, context: RidaRequestContext) async {
        let key = centre + "\u{0}" + settings.zone.date(at: time).iso8601
        guard served.withLock({ $0.insert(key).inserted }) else { return }
        do {
            try await store.recordLiveDisplayServed(centre: centre, at: time)
        } catch {
            _ = served.withLock { $0.remove(key) }
            context.logger.warning("could not record that the live display served a centre", metadata: ["error": "\(error)"])
        }
    }

    @Sendable func figures(_ request: Request, context: RidaRequestContext) async throws -> Response {
        let (centre, key) = try await authorize(request, context)
        let bound = Self.isDisplay(key, of: centre)
        let time = now()
        if bound { await Self.recordServed(centre, at: time, store: store, settings: settings, served: served, context: context) }
        return JSONBody.response(try await LiveFigures.compute(centre: centre, store: store, settings: settings, at: time))
    }

    @Sendable func events(_ request: Request, context: RidaRequestContext) async throws -> Response {
        let (centre, key) = try await authorize(request, context)
        let bound = Self.isDisplay(key, of: centre)
        let time = now()
        if bound { await Self.recordServed(centre, at: time, store: store, settings: settings, served: served, context: context) }
        let first = try await LiveFigures.compute(centre: centre, store: store, settings: settings, at: time)
        let (id, events): (Int, AsyncStream<ByteBuffer>)
        do {
            (id, events) = try feed.subscribe(centre: centre, key: key.id)
        } catch .tooManyForKey(let limit) {
            throw APIError(.tooManyRequests, "too_many_streams",
                           "This key has \(limit) live streams open, the most one key may hold (live.maxStreamsPerKey): close one first.")
        } catch .tooMany(let limit) {
            var error = APIError(.serviceUnavailable, "too_many_streams",
                                 "Rida has \(limit) live streams open, the most it holds (live.maxStreams): retry in a minute.")
            error.headers[.retryAfter] = "60"
            throw error
        }
        let (store, settings, feed, now, served) = (self.store, self.settings, self.feed, self.now, self.served)
        let body = ResponseBody { writer in
            defer { feed.unsubscribe(centre: centre, id: id) }
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            try await writer.write(Self.event(first))
            // The feed computes the centre's figures once per change (and every heartbeat) for every stream of it.
            for await bytes in events.cancelOnGracefulShutdown() {
                // A display left open for days serves each of them: recorded once a day.
                if bound { await Self.recordServed(centre, at: now(), store: store, settings: settings, served: served, context: context) }
                try await writer.write(bytes)
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
            body: body)
    }

    static func event(_ figures: LiveFigures) -> ByteBuffer {
        var buffer = ByteBuffer(string: "event: figures\ndata: ")
        buffer.writeBytes(JSONBody.data(figures))
        buffer.writeString("\n\n")
        return buffer
    }
}

/// `GET /health` (no key) and `GET /metrics` (a reading key).
struct HealthController: Sendable {
    let store: any RidaStorage
    let auth: Authenticator
    let metrics: Metrics
    /// Below this much free space on the database's disk, `/health` says the database is unwritable.
    var minimumFreeBytes: Int64 = 16 * 1024 * 1024

    func addRoutes(to router: Router<RidaRequestContext>) {
        router.get("/health", use: health)
        router.get("/metrics", use: metricsText)
    }

    struct Health: Encodable {
        var status: String
        var database: String
        /// Rida's version: the same as `rida --version` and the engine version stored with reports.
        var version = RidaEngine.version
        /// With `deep=1`: the problems the quick checks found, one sentence each (empty when sound).
        var problems: [String]?
    }

    static let deepDenial = "The deep health check reads the whole database: it needs an admin key (rida keys create --role admin)."

    /// `/health` answers from one small query, for load balancers and monitors every few seconds. `/health?deep=1`,
    /// with an admin key, runs the store's quick checks (`rida db check --quick`): 200 when sound, 503 with the problems.
    @Sendable func health(_ request: Request, context: RidaRequestContext) async throws -> Response {
        if let deep = request.uri.queryParameters.get("deep"), ["1", "true", "yes"].contains(deep) {
            _ = try await auth.require(request, context, denial: Self.deepDenial) { $0.role == .admin }
            let problems = try await store.check(.quick)
            if !problems.isEmpty {
                context.logger.error("deep health check found problems", metadata: ["problems": "\(problems.count)"])
            }
            return JSONBody.response(
                Health(status: problems.isEmpty ? "ok" : "damaged", database: problems.isEmpty ? "ok" : "damaged",
                       problems: problems.map(\.description)),
                status: problems.isEmpty ? .ok : .serviceUnavailable)
        }
        do {
            try await store.ping()
            if let reason = await store.unwritableReason(minimumFreeBytes: minimumFreeBytes) {
                context.logger.error("health check: the database cannot take writes", metadata: ["error": "\(reason)"])
                return JSONBody.response(Health(status: "unavailable", database: "unwritable: " + reason), status: .serviceUnavailable)
            }
            return JSONBody.response(Health(status: "ok", database: "ok"))
        } catch {
            context.logger.error("health check: the database does not answer", metadata: ["error": "\(error)"])
            return JSONBody.response(Health(status: "unavailable", database: "\(error)"), status: .serviceUnavailable)
        }
    }

    @Sendable func metricsText(_ request: Request, context: RidaRequestContext) async throws -> Response {
        _ = try await auth.require(request, context, denial: ReportsController.denial) { $0.role.readsReports }
        return JSONBody.text(metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}
