import Foundation
import RidaStore
import RidaSurvey

/// Survey widgets for websites and apps (issue 15 point 3), for both shells: `rida widgets` makes, lists, re-scopes and
/// revokes them; the HTTP service shows them (`/embed.js`, `/w/{key}`) and stores what visitors answer through them.
public struct Widgets: Sendable {
    public let store: any WidgetStore & ResponseStore
    public let validator: ResponseValidator
    public let now: @Sendable () -> Instant

    public init(store: any WidgetStore & ResponseStore, validator: ResponseValidator, now: @escaping @Sendable () -> Instant) {
        self.store = store
        self.validator = validator
        self.now = now
    }

    /// Makes a widget for `centre` on `channels` (at least one of the deployment's channels), shown by pages of
    /// `origins` (at least one, at most `Widget.maximumOrigins`).
    public func create(label rawLabel: String, centre rawCentre: String, channels rawChannels: [String], origins rawOrigins: [String]) async throws -> Widget {
        var problems: [Problem] = []
        let label = rawLabel.trimmingCharacters(in: .whitespacesAndNewlines)
        if label.isEmpty { problems.append(Problem(field: "label", reason: "is empty: say which site or app shows the widget, such as \"MOI website\"")) }
        if label.utf8.count > ResponseValidator.maxShortTextLength { problems.append(Problem(field: "label", reason: "is longer than \(ResponseValidator.maxShortTextLength) bytes")) }
        var centre: String?
        switch Identifier.check(rawCentre, field: "centre") {
        case .success(let value): centre = value
        case .failure(let problem): problems.append(problem)
        }
        let channels = checkedChannels(rawChannels, &problems)
        let origins = Self.checkedOrigins(rawOrigins, &problems)
        guard problems.isEmpty, let centre else { throw Self.refusal(problems) }
        return try await store.createWidget(key: Self.newKey(), label: label, centre: centre, channels: channels, origins: origins, at: now())
    }

    public func list() async throws -> [Widget] { try await store.widgets() }

    /// Replaces the origins of widget `id`.
    public func setOrigins(_ id: Int64, origins rawOrigins: [String]) async throws -> Widget {
        var problems: [Problem] = []
        let origins = Self.checkedOrigins(rawOrigins, &problems)
        guard problems.isEmpty else { throw Self.refusal(problems) }
        guard let widget = try await store.setWidgetOrigins(id, origins: origins) else { throw Self.notFound(id) }
        return widget
    }

    public func revoke(_ id: Int64) async throws {
        guard try await store.revokeWidget(id, at: now()) else {
            throw UseCaseError(.notFound, code: "unknown_widget", "There is no widget \(id) that is not revoked already: see rida widgets list.")
        }
    }

    /// The widget whose publishable key is `key`, when it exists and is not revoked.
    public func widget(key: String) async throws -> Widget? {
        guard Widget.isKeyShaped(key), let widget = try await store.widget(key: key), widget.revokedAt == nil else { return nil }
        return widget
    }

    /// What answering through a widget did.
    public enum Outcome: Sendable, Hashable {
        /// Stored under `id`; `duplicate` when the same answers had arrived before under it (a retry).
        case stored(id: String, duplicate: Bool, followUpAsked: Bool)
        /// Refused, each problem naming its field; nothing stored.
        case invalid([Problem])
        /// Another answer is stored under the id the page sent; nothing stored.
        case conflict(id: String)
    }

    /// Stores a visitor's `answers` through `widget` (checked by the caller: live, and the page's origin listed): its
    /// centre, the channel the page named (one of the widget's; its first when none), the service and stage the page
    /// named, the server's time, and the widget as the device. The page's own `id` (a random one per answer, so a
    /// retry is a duplicate, never a second response) is kept under the widget's prefix, so no page can take another
    /// source's id; a new id when it sends none.
    public func answer(_ widget: Widget, answers: ResponseDraft) async throws -> Outcome {
        let time = now()
        var draft = answers
        var problems: [Problem] = []
        if let own = answers.id {
            let ok = own.utf8.count <= 64 && !own.isEmpty && own.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_")
            }
            if !ok { problems.append(Problem(field: "id", reason: "is not an answer's id: at most 64 letters, digits, - or _")) }
            draft.id = "web-\(widget.id)-" + own
        } else {
            draft.id = "web-\(widget.id)-" + UUID().uuidString.lowercased()
        }
        let channel = answers.channel.map { $0.trimmingCharacters(in: .whitespaces) } ?? widget.channels[0]
        if !widget.channels.contains(channel) {
            problems.append(Problem(field: "channel", reason: "\"\(channel.prefix(100))\" is not one of this widget's channels (\(widget.channels.joined(separator: ", ")))"))
        }
        draft.centre = widget.centre
        draft.channel = channel
        draft.counter = nil
        draft.entity = nil
        draft.submittedAt = time.iso8601
        switch validator.validate(draft, now: time) {
        case .failure(let list): return .invalid(problems + list.problems)
        case .success(var response):
            guard problems.isEmpty else { return .invalid(problems) }
            response.source = widget.source
            switch try await store.save([response], receivedAt: time).first {
            case .conflict?:
                // A retry arrives later than the first attempt: the same answers, stamped with a later time. It is
                // the duplicate it is, and the first arrival's time stays.
                if var stored = try await store.response(id: response.id), stored.source == widget.source {
                    stored.submittedAt = response.submittedAt
                    if stored.hasSameContent(as: response) {
                        return .stored(id: response.id, duplicate: true, followUpAsked: response.contact != nil)
                    }
                }
                return .conflict(id: response.id)
            case .duplicate?: return .stored(id: response.id, duplicate: true, followUpAsked: response.contact != nil)
            default: return .stored(id: response.id, duplicate: false, followUpAsked: response.contact != nil)
            }
        }
    }

    // MARK: Checks

    func checkedChannels(_ raw: [String], _ problems: inout [Problem]) -> [String] {
        var channels: [String] = []
        for text in raw {
            let name = text.trimmingCharacters(in: .whitespaces).lowercased()
            if validator.channels.channel(name) == nil {
                problems.append(Problem(field: "channel", reason: "\"\(text.prefix(100))\" is not a channel of this deployment (\(validator.channels.channels.map(\.id).joined(separator: ", ")))"))
            } else if !channels.contains(name) {
                channels.append(name)
            }
        }
        if raw.isEmpty { problems.append(Problem(field: "channel", reason: "is missing: name the channel the site or app is, such as website or mobile_app")) }
        return channels
    }

    static func checkedOrigins(_ raw: [String], _ problems: inout [Problem]) -> [String] {
        var origins: [String] = []
        for text in raw {
            do {
                let origin = try WebOrigin.normalized(text)
                if !origins.contains(origin) { origins.append(origin) }
            } catch { problems.append(error) }
        }
        if raw.isEmpty { problems.append(Problem(field: "origin", reason: "is missing: list the origin of each site that shows the widget, such as https://www.example.gov.bh")) }
        if origins.count > Widget.maximumOrigins { problems.append(Problem(field: "origin", reason: "lists more than \(Widget.maximumOrigins) origins")) }
        return origins
    }

    static func refusal(_ problems: [Problem]) -> UseCaseError {
        UseCaseError(.invalid, code: "invalid_widget",
                     "The widget cannot be made so: " + problems.map { "\($0.field ?? "") \($0.reason)" }.joined(separator: "; ") + ".",
                     problems: problems)
    }

    static func notFound(_ id: Int64) -> UseCaseError {
        UseCaseError(.notFound, code: "unknown_widget", "There is no widget \(id): see rida widgets list.")
    }

    /// `pk_` and 128 random bits as 22 characters of base64url.
    static func newKey() -> String { "pk_" + InvitationToken.generate().text }
}
