/// Whether a channel belongs to a centre's headquarters (framework 1) or to its remote service (framework 2).
public enum ChannelKind: String, Codable, Sendable, CaseIterable {
    case headquarters
    case remote
}

/// A channel through which customers are served and rate the service.
public struct Channel: Codable, Sendable, Hashable {
    public var id: String
    public var kind: ChannelKind
    public var name: LocalizedText?

    public init(id: String, kind: ChannelKind, name: LocalizedText? = nil) {
        self.id = id
        self.kind = kind
        self.name = name
    }
}

/// The channels a deployment accepts, in display order.
public struct ChannelCatalog: Codable, Sendable, Hashable {
    public private(set) var channels: [Channel]
    private var index: [String: Int]

    public init(_ channels: [Channel]) {
        self.channels = channels
        var index: [String: Int] = [:]
        for (position, channel) in channels.enumerated() where index[channel.id] == nil {
            index[channel.id] = position
        }
        self.index = index
    }

    public init(from decoder: any Decoder) throws {
        self.init(try [Channel](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try channels.encode(to: encoder)
    }

    /// The channel called `id`, if the deployment has it.
    public func channel(_ id: String) -> Channel? {
        index[id].map { channels[$0] }
    }

    /// The position of a channel in display order; unknown channels sort last.
    public func order(of id: String) -> Int {
        index[id] ?? channels.count
    }

    /// The guide's channels: the counter and kiosk at headquarters, and the remote channels.
    public static let standard = ChannelCatalog([
        Channel(id: "counter", kind: .headquarters, name: LocalizedText(ar: "منصة تقديم الخدمة", en: "Service counter")),
        Channel(id: "kiosk", kind: .headquarters, name: LocalizedText(ar: "جهاز الخدمة الذاتية", en: "Kiosk")),
        Channel(id: "call_centre", kind: .remote, name: LocalizedText(ar: "مركز الاتصال", en: "Call centre")),
        Channel(id: "website", kind: .remote, name: LocalizedText(ar: "الموقع الإلكتروني", en: "Website")),
        Channel(id: "mobile_app", kind: .remote, name: LocalizedText(ar: "تطبيق الهاتف", en: "Mobile app")),
        Channel(id: "chat", kind: .remote, name: LocalizedText(ar: "المحادثة الفورية", en: "Chat")),
        Channel(id: "email", kind: .remote, name: LocalizedText(ar: "البريد الإلكتروني", en: "Email")),
        Channel(id: "social", kind: .remote, name: LocalizedText(ar: "وسائل التواصل الاجتماعي", en: "Social media")),
    ])
}
