import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Limits on the connections the service holds, so that sockets which send nothing, half a request or a body
/// that stalls cannot exhaust the process's file descriptors (docs/configuration.md, `http.timeouts.*`,
/// `http.maxConnections`).
public struct ConnectionLimits: Sendable, Hashable {
    /// A new connection that has not sent a complete request head within this time is closed.
    public var headTimeout: Duration
    /// A kept-alive connection that sends no new request within this time after its last answer is closed.
    public var idleTimeout: Duration
    /// A request whose body sends nothing for this long is closed.
    public var bodyTimeout: Duration
    /// Connections open at once. A new one beyond it closes the connection that has waited longest for a request;
    /// when none waits (every connection has a request under way), the new one is answered 503.
    public var maxConnections: Int

    public init(headTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60), bodyTimeout: Duration = .seconds(10),
                maxConnections: Int = 512) {
        self.headTimeout = headTimeout
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnections = max(1, maxConnections)
    }
}

/// The open connections, shared by every event loop: which wait for a request and since when, so that at the limit
/// the one idle longest makes room for a new one.
final class ConnectionRegistry: Sendable {
    struct Entry: Sendable {
        var channel: any Channel
        /// Since when it has waited for a request head; nil while a request is under way.
        var waitingSince: ContinuousClock.Instant?
    }

    struct State: Sendable {
        var nextID = 0
        var entries: [Int: Entry] = [:]
    }

    let limits: ConnectionLimits
    let logger: Logger
    private let state = LockedValue(State())

    init(limits: ConnectionLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Registers a new connection and returns its id; at the limit, first closes the connection waiting longest for
    /// a request. Nil when every connection has a request under way: the new one is refused.
    func admit(_ channel: any Channel) -> Int? {
        let max = limits.maxConnections
        let (id, evicted) = state.withLock { state -> (Int?, (any Channel)?) in
            var evicted: (any Channel)?
            if state.entries.count >= max {
                var oldest: (id: Int, since: ContinuousClock.Instant)?
                for (id, entry) in state.entries {
                    if let since = entry.waitingSince, oldest == nil || since < oldest!.since { oldest = (id, since) }
                }
                guard let oldest else { return (nil, nil) }
                evicted = state.entries.removeValue(forKey: oldest.id)?.channel
            }
            state.nextID += 1
            state.entries[state.nextID] = Entry(channel: channel, waitingSince: .now)
            return (state.nextID, evicted)
        }
        if let evicted {
            logger.debug("closed the connection idle longest to make room for a new one", metadata: ["http.connections.max": "\(max)"])
            evicted.close(promise: nil)
        }
        return id
    }

    func busy(_ id: Int) {
        state.withLock { state in state.entries[id]?.waitingSince = nil }
    }

    func waiting(_ id: Int) {
        state.withLock { state in state.entries[id]?.waitingSince = .now }
    }

    func remove(_ id: Int) {
        _ = state.withLock { state in state.entries.removeValue(forKey: id) }
    }
}

/// One connection's guard, placed in its pipeline after HTTP decoding: admits it through the registry (or answers
/// 503 and closes it), and closes it when its request head, its body or its next request is late.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let registry: ConnectionRegistry
    private var id: Int?
    private var refused = false
    private var answered = false
    /// Whether a request's head has been read and its end not yet.
    private var reading = false
    /// Requests read whose answer has not ended.
    private var pending = 0
    private var timer: Scheduled<Void>?

    init(registry: ConnectionRegistry) {
        self.registry = registry
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { activate(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        activate(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    private func activate(_ context: ChannelHandlerContext) {
        guard id == nil, !refused else { return }
        if let id = registry.admit(context.channel) {
            self.id = id
            schedule(context, after: registry.limits.headTimeout)
        } else {
            // Over the limit with every connection busy: answer the request's head with 503, or close within a second.
            refused = true
            schedule(context, after: .seconds(1))
        }
    }

    private func release() {
        timer?.cancel()
        timer = nil
        if let id { registry.remove(id) }
        id = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if refused {
            if case .head = part, !answered {
                answered = true
                refuse(context)
            }
            return
        }
        switch part {
        case .head:
            pending += 1
            reading = true
            if let id { registry.busy(id) }
            schedule(context, after: registry.limits.bodyTimeout)
        case .body:
            schedule(context, after: registry.limits.bodyTimeout)
        case .end:
            reading = false
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if !refused, case .end = unwrapOutboundIn(data) {
            pending = max(0, pending - 1)
            if pending == 0, !reading {
                if let id { registry.waiting(id) }
                schedule(context, after: registry.limits.idleTimeout)
            }
        }
        context.write(data, promise: promise)
    }

    /// Closes the connection after `delay` unless rescheduled or cancelled first.
    private func schedule(_ context: ChannelHandlerContext, after delay: Duration) {
        timer?.cancel()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: TimeAmount(delay)) {
            channel.close(promise: nil)
        }
    }

    /// 503 with a sentence, then the connection closes.
    private func refuse(_ context: ChannelHandlerContext) {
        let body = ByteBuffer(string: #"{"error":{"code":"too_many_connections","message":"Rida holds as many connections as it may (http.maxConnections), all busy: retry in a second."}}"#)
        var head = HTTPResponse(status: .serviceUnavailable)
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        head.headerFields[.contentLength] = "\(body.readableBytes)"
        head.headerFields[.retryAfter] = "1"
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
