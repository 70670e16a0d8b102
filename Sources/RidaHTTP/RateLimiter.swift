import RidaSurvey

/// Token buckets per key (or per client address, for keys Rida does not know): each request takes a token; tokens come
/// back at `requestsPerSecond`, up to `burst`.
struct RateLimiter<Key: Hashable & Sendable>: Sendable {
    let limit: RateLimit
    private let buckets = LockedValue<[Key: Bucket]>([:])

    struct Bucket {
        var tokens: Double
        var updated: Int64
    }

    init(limit: RateLimit) {
        self.limit = limit
    }

    /// Takes a token for `key` at `now`; returns nil when allowed, else the seconds to wait.
    func take(key: Key, at now: Instant) -> Int? {
        let ms = now.millisecondsSince1970
        let limit = self.limit
        return buckets.withLock { buckets in
            // Client addresses are many: a full table starts afresh rather than grow without bound.
            if buckets.count > 100_000 { buckets.removeAll() }
            var bucket = buckets[key] ?? Bucket(tokens: limit.burst, updated: ms)
            let elapsed = Double(max(0, ms - bucket.updated)) / 1000
            bucket.tokens = min(limit.burst, bucket.tokens + elapsed * limit.requestsPerSecond)
            bucket.updated = ms
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                buckets[key] = bucket
                return nil
            }
            buckets[key] = bucket
            let wait = (1 - bucket.tokens) / max(limit.requestsPerSecond, 0.001)
            return max(1, Int(wait.rounded(.up)))
        }
    }
}
