import Synchronization

/// A value behind a mutex, for state shared by concurrent requests that only needs short, synchronous updates
/// (counters, buckets, subscriber lists): cheaper than an actor hop on every request.
final class LockedValue<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: sending Value) {
        mutex = Mutex(value)
    }

    func get() -> Value {
        mutex.withLock { $0 }
    }

    func set(_ value: sending Value) {
        mutex.withLock { $0 = value }
    }

    func withLock<T: Sendable>(_ body: (inout sending Value) throws -> sending T) rethrows -> T {
        try mutex.withLock(body)
    }
}
