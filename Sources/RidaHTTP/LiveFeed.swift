import Hummingbird
import ServiceLifecycle

/// Tells the live displays' event streams when a centre's figures changed.
///
/// Each stream subscribes to one centre and gets a tick (coalesced: at most one waiting) after a
/// response for that centre is stored, and every `heartbeat` as a keep-alive. As a `Service`, it
/// sends the heartbeats until shutdown, then ends every stream.
final class LiveFeed: Service, Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [String: [Int: AsyncStream<Void>.Continuation]] = [:]
    }

    private let state = LockedValue(State())
    let heartbeat: Duration

    init(heartbeat: Duration = .seconds(15)) {
        self.heartbeat = heartbeat
    }

    /// A stream of ticks for `centre`, and the id to unsubscribe with.
    func subscribe(centre: String) -> (id: Int, ticks: AsyncStream<Void>) {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            state.nextID += 1
            state.subscribers[centre, default: [:]][state.nextID] = continuation
            return state.nextID
        }
        return (id, stream)
    }

    func unsubscribe(centre: String, id: Int) {
        let continuation = state.withLock { state in state.subscribers[centre]?.removeValue(forKey: id) }
        continuation?.finish()
    }

    func changed(centres: Set<String>) {
        state.withLock { state in
            for centre in centres {
                for continuation in (state.subscribers[centre] ?? [:]).values { continuation.yield() }
            }
        }
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.heartbeat) }
            state.withLock { state in
                for subscribers in state.subscribers.values { for continuation in subscribers.values { continuation.yield() } }
            }
        }
        let all = state.withLock { state in
            let all = state.subscribers.values.flatMap(\.values)
            state.subscribers = [:]
            return all
        }
        for continuation in all { continuation.finish() }
    }
}
