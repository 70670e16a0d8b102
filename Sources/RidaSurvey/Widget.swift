/// A survey widget for an entity's website or app (issue 15 point 3): the four questions put on the entity's own page
/// by Rida's `embed.js` or in an `<iframe>`, answered by any visitor. Its key is publishable: it is written into the
/// page for anyone to read, so it is kept as it is (as a sign's token), and all it can do is submit answers for its
/// one centre, on its channels, from the pages of its origins (CORS; `frame-ancestors` for the iframe).
public struct Widget: Sendable, Hashable, Codable {
    public var id: Int64
    /// `pk_` and 22 characters of base64url: 128 random bits.
    public var key: String
    public var label: String
    public var centre: String
    /// The channels its answers may be on (never empty); the first is the one used when the page names none.
    public var channels: [String]
    /// The web origins (`https://www.example.gov.bh`) whose pages may show it and submit through it.
    public var origins: [String]
    public var createdAt: Instant
    public var revokedAt: Instant?

    public init(id: Int64, key: String, label: String, centre: String, channels: [String], origins: [String],
                createdAt: Instant, revokedAt: Instant? = nil) {
        self.id = id
        self.key = key
        self.label = label
        self.centre = centre
        self.channels = channels
        self.origins = origins
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// The device the misuse rules read its answers as: the widget (they are watched when its channel is).
    public var source: String { "widget:\(id)" }

    /// Whether a page of `origin` (a request's `Origin` header, as sent) may use the widget.
    public func allows(origin: String) -> Bool {
        guard let normalized = try? WebOrigin.normalized(origin) else { return false }
        return origins.contains(normalized)
    }

    /// Whether `text` could be a widget's key (`pk_` and 22 base64url characters); anything else is never looked up.
    public static func isKeyShaped(_ text: String) -> Bool {
        guard text.hasPrefix("pk_") else { return false }
        let rest = text.utf8.dropFirst(3)
        return rest.count == 22 && rest.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
    }

    /// At most this many origins per widget.
    public static let maximumOrigins = 20
}

/// A web origin as browsers send it in `Origin`: `scheme://host[:port]`, the one reading of origins an admin lists.
public enum WebOrigin {
    /// `text` as an origin: `http` or `https`, the host in lower case, the default port left out, one trailing `/`
    /// allowed; no path, query, user or wildcard. A host with letters outside ASCII is given in its `xn--` form.
    /// Throws a `Problem` on the field `origin` saying what to change.
    public static func normalized(_ text: String) throws(Problem) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func refuse(_ reason: String) -> Problem { Problem(field: "origin", reason: "\"\(trimmed.prefix(200))\" \(reason)") }
        guard trimmed.utf8.count <= 300 else { throw refuse("is longer than an origin can be") }
        let lower = trimmed.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else {
            throw refuse("is not a web origin: write it as https://www.example.gov.bh")
        }
        var rest = Substring(lower.dropFirst(scheme.count + 3))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        if rest.contains(where: { "/?#@\\".contains($0) }) {
            throw refuse("has more than an origin: give only the scheme, the host and the port, such as https://www.example.gov.bh")
        }
        if rest.contains("*") { throw refuse("has a wildcard: list each origin itself") }
        var host = rest
        var port: Int?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw refuse("has an IPv6 address without its closing ]") }
            host = rest[...close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else { throw refuse("has a port that is not a number") }
                port = number
            }
            guard host.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw refuse("has an IPv6 address with characters it cannot have")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let number = Int(rest[rest.index(after: colon)...]) else { throw refuse("has a port that is not a number") }
            port = number
        }
        if let port, !(1...65535).contains(port) { throw refuse("has a port outside 1 to 65535") }
        if host.isEmpty { throw refuse("has no host") }
        if !host.hasPrefix("[") {
            guard host.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == ".") }) else {
                throw refuse("has a host with characters an origin cannot have (write a host in another script in its xn-- form)")
            }
            if host.hasPrefix(".") || host.hasSuffix(".") || host.contains("..") { throw refuse("has a host with an empty label") }
        }
        let defaultPort = scheme == "https" ? 443 : 80
        return scheme + "://" + host + (port.map { $0 == defaultPort ? "" : ":\($0)" } ?? "")
    }
}
