import Hummingbird
import NIOCore
import RidaStore
import ServiceLifecycle

/// The live displays' event streams: each stream follows one centre, and the feed computes a centre's figures once
/// after the commits that changed them (and every `heartbeat`) and sends the same bytes to every stream of that centre,
/// so a submission costs one computation however many displays are open.
///
/// Streams are capped in all and per key (`live.maxStreams`, `live.maxStreamsPerKey`), and a stream whose key is revoked
/// ends within a second. As a `Service`, the feed runs until shutdown, then ends every stream.
final class LiveFeed: Service, Sendable {
    struct Limits: Sendable, Hashable {
        var total: Int
        var perKey: Int
        var heartbeat: Duration
    }

    enum Refusal: Error, Equatable {
        case tooManyForKey(Int)
        case tooMany(Int)
    }

    private struct Subscriber: Sendable {
        var key: Int64
        var continuation: AsyncStream<ByteBuffer>.Continuation
    }

    /// Guards the subscribers by centre and the centres whose figures changed since they were last sent.
    private struct State: Sendable {
        var nextID = 0
        var subscribers: [String: [Int: Subscriber]] = [:]
        var perKey: [Int64: Int] = [:]
        var total = 0
        var dirty: Set<String> = []
    }

    private let state = LockedValue(State())
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    let limits: Limits
    /// A centre's figures now, as one server-sent event.
    let event: @Sendable (String) async throws -> ByteBuffer
    /// Which of these keys are revoked now.
    let revoked: @Sendable (Set<Int64>) async -> Set<Int64>

    init(limits: Limits, event: @escaping @Sendable (String) async throws -> ByteBuffer,
         revoked: @escaping @Sendable (Set<Int64>) async -> Set<Int64>) {
        self.limits = limits
        self.event = event
        self.revoked = revoked
        (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// A stream of `centre`'s events for a caller holding `key`, and the id to unsubscribe with; refused over the limits.
    func subscribe(centre: String, key: Int64) throws(Refusal) -> (id: Int, events: AsyncStream<ByteBuffer>) {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let limits = self.limits
        let result: Result<Int, Refusal> = state.withLock { state in
            if state.perKey[key, default: 0] >= limits.perKey { return .failure(.tooManyForKey(limits.perKey)) }
            if state.total >= limits.total { return .failure(.tooMany(limits.total)) }
            state.nextID += 1
            state.subscribers[centre, default: [:]][state.nextID] = Subscriber(key: key, continuation: continuation)
            state.perKey[key, default: 0] += 1
            state.total += 1
            return .success(state.nextID)
        }
        switch result {
        case .success(let id): return (id, stream)
        case .failure(let refusal):
            continuation.finish()
            throw refusal
        }
    }

    func unsubscribe(centre: String, id: Int) {
        let subscriber = state.withLock { state -> Subscriber? in
            guard let subscriber = state.subscribers[centre]?.removeValue(forKey: id) else { return nil }
            if state.subscribers[centre]?.isEmpty == true { state.subscribers[centre] = nil }
            Self.forget(subscriber, in: &state)
            return subscriber
        }
        subscriber?.continuation.finish()
    }

    private static func forget(_ subscriber: Subscriber, in state: inout State) {
        state.perKey[subscriber.key, default: 1] -= 1
        if state.perKey[subscriber.key] == 0 { state.perKey[subscriber.key] = nil }
        state.total -= 1
    }

    /// Streams open now, in all.
    var streams: Int { state.withLock { $0.total } }

    /// After a commit: the figures of `centres` are sent again (once per centre, however many commits came meanwhile).
    func changed(centres: Set<String>) {
        let any = state.withLock { state in
            var any = false
            for centre in centres where state.subscribers[centre] != nil {
                state.dirty.insert(centre)
                any = true
            }
            return any
        }
        if any { wake.yield() }
    }

    /// After commits of centres unknown (another instance's, announced in bulk): every open stream's figures are sent again.
    func changedAll() {
        let any = state.withLock { state in
            state.dirty.formUnion(state.subscribers.keys)
            return !state.subscribers.isEmpty
        }
        if any { wake.yield() }
    }

    /// Computes each changed centre's event once and sends it to every stream of the centre.
    private func publish() async {
        let centres = state.withLock { state in
            let dirty = state.dirty
            state.dirty = []
            return dirty
        }
        for centre in centres.sorted() {
            guard let bytes = try? await event(centre) else { continue }
            let continuations = state.withLock { state in (state.subscribers[centre] ?? [:]).values.map(\.continuation) }
            for continuation in continuations { continuation.yield(bytes) }
        }
    }

    /// Ends the streams of keys revoked since they opened.
    private func endRevoked() async {
        let keys = state.withLock { Set($0.perKey.keys) }
        guard !keys.isEmpty else { return }
        let gone = await revoked(keys)
        guard !gone.isEmpty else { return }
        let ended = state.withLock { state -> [Subscriber] in
            var ended: [Subscriber] = []
            for (centre, subscribers) in state.subscribers {
                for (id, subscriber) in subscribers where gone.contains(subscriber.key) {
                    state.subscribers[centre]?[id] = nil
                    ended.append(subscriber)
                }
                if state.subscribers[centre]?.isEmpty == true { state.subscribers[centre] = nil }
            }
            for subscriber in ended { Self.forget(subscriber, in: &state) }
            return ended
        }
        for subscriber in ended { subscriber.continuation.finish() }
    }

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in self.wakes.cancelOnGracefulShutdown() { await self.publish() }
            }
            group.addTask {
                var sinceHeartbeat = Duration.zero
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
                    await self.endRevoked()
                    sinceHeartbeat += .seconds(1)
                    if sinceHeartbeat >= self.limits.heartbeat {
                        sinceHeartbeat = .zero
                        // Every stream gets its centre's figures again: a keep-alive, and today's figures after midnight.
                        let any = self.state.withLock { state in
                            state.dirty.formUnion(state.subscribers.keys)
                            return !state.subscribers.isEmpty
                        }
                        if any { self.wake.yield() }
                    }
                }
                self.wake.finish()
            }
        }
        let all = state.withLock { state in
            let all = state.subscribers.values.flatMap(\.values)
            state.subscribers = [:]
            state.perKey = [:]
            state.total = 0
            return all
        }
        for subscriber in all { subscriber.continuation.finish() }
    }
}

/// Passes the commits the database announces (other instances' submissions, and this one's) to the live feed.
struct OtherInstancesService: Service {
    let changes: any CommittedCentres
    let feed: LiveFeed

    func run() async throws {
        for await change in changes.committedCentres().cancelOnGracefulShutdown() {
            switch change {
            case .centres(let centres): feed.changed(centres: centres)
            case .all: feed.changedAll()
            }
        }
    }
}
