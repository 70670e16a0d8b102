import PostgresNIO
import Synchronization

/// One connection of the pool, leased for one operation with a deadline: `PostgresClient` keeps a request for a
/// connection waiting as long as the server is away (it retries connecting with a back-off), but a kiosk waits a few
/// seconds at most, and `/health` must say at once that the database is away. So the connection is leased by a task of
/// its own, which hands it over and holds the lease until the operation releases it; the operation waits for the
/// handover until the deadline, then gives up (the leasing task is cancelled, and a connection handed over too late
/// goes straight back to the pool).
final class PostgresLease: Sendable {
    private enum State {
        case waiting(CheckedContinuation<PostgresConnection, any Error>?)
        case handedOver(PostgresConnection)
        case taken(PostgresConnection)
        case failed(any Error)
        case abandoned
    }

    private let state = Mutex(State.waiting(nil))
    /// The leasing task waits on this until the operation is done with the connection (or abandoned it).
    private let (released, release) = AsyncStream<Void>.makeStream()

    /// Leases a connection from `client` and waits for it until `deadline`; throws `LeaseTimeout` when none came.
    static func lease(from client: PostgresClient, within deadline: Duration) async throws -> (PostgresConnection, PostgresLease) {
        let lease = PostgresLease()
        let leasing = Task {
            do {
                try await client.withConnection { connection in
                    await lease.handOver(connection)
                }
            } catch {
                lease.fail(error)
            }
        }
        do {
            let connection = try await lease.connection(within: deadline)
            return (connection, lease)
        } catch {
            lease.abandon()
            leasing.cancel()
            throw error
        }
    }

    /// Gives the connection back to the pool: the operation is done with it.
    func done() { release.finish() }

    // MARK: The leasing task's side

    private func handOver(_ connection: PostgresConnection) async {
        let waiter: CheckedContinuation<PostgresConnection, any Error>?? = state.withLock { state in
            switch state {
            case .waiting(let waiter):
                if let waiter {
                    state = .taken(connection)
                    return .some(waiter)
                }
                state = .handedOver(connection)
                return .some(nil)
            case .abandoned, .failed, .handedOver, .taken:
                return nil  // too late: the operation gave up; the connection goes back at once
            }
        }
        guard let waiter else { return }
        waiter?.resume(returning: connection)
        for await _ in released {}
    }

    private func fail(_ error: any Error) {
        let waiter: CheckedContinuation<PostgresConnection, any Error>? = state.withLock { state in
            guard case .waiting(let waiter) = state else { return nil }
            state = .failed(error)
            return waiter
        }
        waiter?.resume(throwing: error)
    }

    // MARK: The operation's side

    private func connection(within deadline: Duration) async throws -> PostgresConnection {
        try await withThrowingTaskGroup(of: PostgresConnection?.self) { group in
            group.addTask { try await self.waitForConnection() }
            group.addTask {
                try await Task.sleep(for: deadline)
                throw LeaseTimeout(deadline: deadline)
            }
            defer { group.cancelAll() }
            guard let connection = try await group.next() ?? nil else { throw LeaseTimeout(deadline: deadline) }
            return connection
        }
    }

    private func waitForConnection() async throws -> PostgresConnection {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresConnection, any Error>) in
                let ready: Result<PostgresConnection, any Error>? = state.withLock { state in
                    switch state {
                    case .waiting:
                        state = .waiting(continuation)
                        return nil
                    case .handedOver(let connection):
                        state = .taken(connection)
                        return .success(connection)
                    case .failed(let error):
                        return .failure(error)
                    case .abandoned, .taken:
                        return .failure(CancellationError())
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter: CheckedContinuation<PostgresConnection, any Error>? = state.withLock { state in
                guard case .waiting(let waiter) = state, let waiter else { return nil }
                state = .waiting(nil)
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// The operation gave up: a connection handed over already, or later, goes back to the pool.
    private func abandon() {
        let returned: Bool = state.withLock { state in
            switch state {
            case .handedOver, .taken:
                state = .abandoned
                return true
            default:
                state = .abandoned
                return false
            }
        }
        if returned { release.finish() }
    }
}

/// No connection came from the pool within the deadline: the server is away, or every connection is busy.
struct LeaseTimeout: Error, CustomStringConvertible {
    var deadline: Duration
    var description: String {
        "no connection to the server within \(deadline.components.seconds) s (the server is away or every connection is busy)"
    }
}
