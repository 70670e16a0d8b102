import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import RidaStore
import RidaSurvey
import ServiceLifecycle

/// The API keys the service knows, read from the store and trusted for a few seconds.
///
/// An actor: it guards the cache of keys by hash and the times keys were last used, which it
/// writes to the store every half minute and at shutdown (one small write, not one per request).
actor KeyRing: Service {
    let store: any RidaStorage
    let now: @Sendable () -> Instant
    let cacheMilliseconds: Int64
    let logger: Logger
    private var cache: [String: (key: APIKey?, fetched: Instant)] = [:]
    private var uses: [Int64: Instant] = [:]

    init(store: any RidaStorage, cacheMilliseconds: Int64, logger: Logger, now: @escaping @Sendable () -> Instant) {
        self.store = store
        self.cacheMilliseconds = cacheMilliseconds
        self.logger = logger
        self.now = now
    }

    /// The valid key whose text is `text`; nil when it is unknown or revoked.
    func key(for text: String) async throws -> APIKey? {
        let hash = APIKeySecret.hash(text)
        let time = now()
        let key: APIKey?
        if let cached = cache[hash], time.millisecondsSince1970 - cached.fetched.millisecondsSince1970 < cacheMilliseconds {
            key = cached.key
        } else {
            key = try await store.key(hash: hash)
            if cache.count > 10_000 { cache.removeAll() }  // unknown keys must not grow it without bound
            cache[hash] = (key, time)
        }
        guard let key, key.revokedAt == nil else { return nil }
        uses[key.id] = time
        return key
    }

    /// Writes the last-use times gathered since the last flush.
    func flush() async {
        let pending = uses
        uses = [:]
        do {
            try await store.recordKeyUse(pending)
        } catch {
            logger.warning("could not record when keys were last used", metadata: ["error": "\(error)"])
        }
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(30)) }
            await flush()
        }
    }
}

/// Who may call what: reads the key from `Authorization: Bearer KEY` (or `X-API-Key`), checks it,
/// applies the rate limit, and answers 401, 403 or 429 with a sentence.
struct Authenticator: Sendable {
    let keys: KeyRing
    let limiter: RateLimiter<Int64>?
    /// Requests with a key Rida does not know, per client address: guessing keys, or a device set up wrongly.
    var unknownLimiter: RateLimiter<String>? = nil
    let now: @Sendable () -> Instant

    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    /// The caller's key, if it may do what `allowed` says; `denial` is the 403 sentence otherwise.
    func require(_ request: Request, _ context: RidaRequestContext, denial: String, allowed: (APIKey) -> Bool) async throws -> APIKey {
        let key = try await authenticate(request, context)
        guard allowed(key) else { throw APIError.forbidden(denial) }
        return key
    }

    /// The caller's key. A display key is refused (403) unless `allowsDisplay`: it reads one centre's live figures
    /// and nothing else, so every other route, present or future, refuses it without saying so itself.
    func authenticate(_ request: Request, _ context: RidaRequestContext, allowsDisplay: Bool = false) async throws -> APIKey {
        guard let text = Self.keyText(request) else { throw APIError.missingKey() }
        guard let key = try await keys.key(for: text) else {
            if let unknownLimiter, let wait = unknownLimiter.take(key: context.clientAddress, at: now()) {
                throw APIError.rateLimited(retryAfter: wait, unknownKey: true)
            }
            throw APIError.unknownKey()
        }
        context.caller.key = key
        if key.role == .display, !allowsDisplay { throw APIError.forbidden(Self.displayDenial(key)) }
        if let limiter, let wait = limiter.take(key: key.id, at: now()) {
            throw APIError.rateLimited(retryAfter: wait)
        }
        return key
    }

    /// What a display key is told wherever it is not allowed.
    static func displayDenial(_ key: APIKey) -> String {
        let centre = key.centre ?? ""
        return "This is a display key for centre \(centre): it reads only that centre's live figures (/v1/live/\(centre) and its events)."
    }

    static func keyText(_ request: Request) -> String? {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let text = parts[1].trimmingCharacters(in: .whitespaces)
                return text.isEmpty ? nil : text
            }
            return nil
        }
        if let text = request.headers[apiKeyHeader]?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            return text
        }
        return nil
    }
}
