import Crypto
import Foundation
import RidaSurvey

/// What a key may do on the HTTP service.
public enum Role: String, Codable, Sendable, CaseIterable {
    /// Submits responses for one centre, optionally on some channels only: a kiosk, an IVR platform, a web channel.
    case submitter
    /// Reads reports and assessments.
    case quality
    /// Reads reports and assessments, and records verdicts.
    case evaluator
    /// Manages keys; reads everything.
    case admin
    /// Shows one centre's live figures on the waiting hall's screen, and reads nothing else.
    case display

    /// Whether the role reads quarterly reports and figures of any centre.
    public var readsReports: Bool { self != .submitter && self != .display }

    /// Whether a key of this role is bound to one centre.
    public var isBoundToCentre: Bool { self == .submitter || self == .display }
}

/// A stored API key: who holds it and what it may do. The key itself is never stored, only its SHA-256.
public struct APIKey: Sendable, Hashable, Codable {
    public var id: Int64
    public var label: String
    public var role: Role
    /// The one centre a submitter key submits for, or a display key shows.
    public var centre: String?
    /// The channels a submitter key is limited to; nil means every channel.
    public var channels: [String]?
    public var createdAt: Instant
    public var lastUsedAt: Instant?
    public var revokedAt: Instant?

    /// What the responses it sends record as their source, the device the misuse rules watch: `key:<id>`.
    public var source: String { "key:\(id)" }

    public init(
        id: Int64, label: String, role: Role, centre: String?, channels: [String]?,
        createdAt: Instant, lastUsedAt: Instant? = nil, revokedAt: Instant? = nil
    ) {
        self.id = id
        self.label = label
        self.role = role
        self.centre = centre
        self.channels = channels
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Whether the key may submit a response for `centre` on `channel`.
    public func maySubmit(centre: String, channel: String) -> Bool {
        switch role {
        case .submitter:
            return self.centre == centre && (channels.map { $0.contains(channel) } ?? true)
        case .admin:
            return true
        case .quality, .evaluator, .display:
            return false
        }
    }

    /// The key's scope in words: `C01 (kiosk, counter)`, `C01, live figures only`, `all centres`.
    public var scope: String {
        if role == .display, let centre { return "\(centre), live figures only" }
        guard role == .submitter, let centre else { return "all centres" }
        guard let channels, !channels.isEmpty else { return "\(centre), every channel" }
        return "\(centre) (\(channels.joined(separator: ", ")))"
    }
}

/// A newly made API key: the text handed to its holder once, and the hash that is stored.
public struct APIKeySecret: Sendable {
    /// `rida_` and 43 characters of base64url: 256 random bits.
    public let text: String

    /// A key of 256 bits from `generator` (the system's secure generator in production).
    public init<G: RandomNumberGenerator>(using generator: inout G) {
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: .min ... .max, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        text = "rida_" + base64
    }

    /// A key from the system's cryptographically secure generator.
    public static func generate() -> APIKeySecret {
        var generator = SystemRandomNumberGenerator()
        return APIKeySecret(using: &generator)
    }

    /// The stored form of a key: its SHA-256 in lowercase hex.
    public static func hash(_ key: String) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(key.utf8)) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// A problem with a key request, in a sentence: the request is invalid (a label, centre or channel).
public struct KeyError: RidaFailure, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }

    public var kind: FailureKind { .invalid }
    public var code: String { "invalid_key_request" }
}

extension APIKey {
    /// What a request for a new key says, checked as every store checks it before storing: the label trimmed and not
    /// empty, the centre and channels as identifiers, a centre for (and only for) submitter and display keys, no
    /// channels for a display key. Throws a `KeyError` saying what to change.
    public static func checkedRequest(label: String, role: Role, centre: String?, channels: [String]?) throws
        -> (label: String, centre: String?, channels: [String]?) {
        let label = label.trimmingCharacters(in: .whitespacesAndNewlines)
        if label.isEmpty { throw KeyError("A key needs a --label saying who holds it, such as \"Kiosk 3, C01\".") }
        let centre = try centre.map { text in
            switch Identifier.check(text, field: "centre") {
            case .success(let value): return value
            case .failure(let problem): throw KeyError("--centre \"\(text)\": " + problem.reason + ".")
            }
        }
        let channels = try channels?.map { text in
            switch Identifier.check(text, field: "channel", spaces: .none) {
            case .success(let value): return value
            case .failure(let problem): throw KeyError("--channel \"\(text)\": " + problem.reason + ".")
            }
        }
        if role.isBoundToCentre, (centre ?? "").isEmpty {
            throw KeyError("A \(role.rawValue) key is bound to one centre: give --centre, such as --centre C01.")
        }
        if !role.isBoundToCentre, centre != nil || channels != nil {
            throw KeyError("Only submitter and display keys are bound to a centre; a \(role.rawValue) key reads every centre.")
        }
        if role == .display, channels != nil {
            throw KeyError("A display key shows every channel of its centre: leave out --channel.")
        }
        return (label, centre, channels)
    }
}
