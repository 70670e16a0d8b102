import Hummingbird
import RidaStore

/// The request context of Rida's routes. The key a request was authenticated with is kept
/// in `caller`, a box shared with the middleware, so the request log can name the key (by id and label, never the key itself).
public struct RidaRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let caller = CallerBox()
    /// The client's address (without its port), for limiting requests with unknown keys.
    let clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}

/// The key of the request, once known. Written once by the route, read by the log middleware.
final class CallerBox: Sendable {
    private let storage = LockedValue<APIKey?>(nil)

    var key: APIKey? {
        get { storage.get() }
        set { storage.set(newValue) }
    }
}
