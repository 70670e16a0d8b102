import PostgresNIO
import Synchronization

/// Tells the operations running on a connection that it closed, with one callback on the connection however many
/// operations run on it: a pooled connection lives for days, and a callback per operation would pile up on it until
/// it closed (NIO keeps a future's callbacks until the future completes).
final class ConnectionWatches: Sendable {
    private struct State {
        var next: UInt64 = 0
        var registrations = 0
        /// Per watched connection, what to call when it closes. A connection's entry stays, empty, while it is open:
        /// its one callback is registered already.
        var waiting: [ObjectIdentifier: [UInt64: @Sendable () -> Void]] = [:]
    }

    private let state = Mutex(State())

    /// Calls `onClose` once if `connection` closes before `stopWatching` is given the returned token (at once when it
    /// has closed already).
    func watch(_ connection: PostgresConnection, _ onClose: @escaping @Sendable () -> Void) -> UInt64 {
        let key = ObjectIdentifier(connection)
        let (token, first) = state.withLock { state -> (UInt64, Bool) in
            let token = state.next
            state.next &+= 1
            let first = state.waiting[key] == nil
            if first { state.registrations += 1 }
            state.waiting[key, default: [:]][token] = onClose
            return (token, first)
        }
        if first {
            connection.closeFuture.whenComplete { _ in
                let waiting = self.state.withLock { $0.waiting.removeValue(forKey: key) }
                waiting?.values.forEach { $0() }
            }
        }
        return token
    }

    func stopWatching(_ token: UInt64, on connection: PostgresConnection) {
        let key = ObjectIdentifier(connection)
        state.withLock { _ = $0.waiting[key]?.removeValue(forKey: token) }
    }

    /// Operations waiting, over every connection, and callbacks put on connections so far: what a test reads to see
    /// that finished operations leave nothing behind and that a connection gets one callback however much it is used.
    var counts: (waiting: Int, registrations: Int) {
        state.withLock { ($0.waiting.values.reduce(0) { $0 + $1.count }, $0.registrations) }
    }
}
