import Foundation
import RidaSurvey

/// Where a PostgreSQL database is: `postgres://user[:password]@host[:port]/database`, the form `--db` and `RIDA_DB`
/// take (`postgresql://` too). The password never appears in `description`, which messages and logs use.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String

    public init(user: String, password: String? = nil, host: String, port: Int = 5432, database: String) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
    }

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads `postgres://user[:password]@host[:port]/database`; throws `PostgresURLError` saying what is wrong.
    public init(url text: String) throws(PostgresURLError) {
        guard Self.isPostgresURL(text) else {
            throw PostgresURLError(url: text, reason: "it does not start with postgres://")
        }
        guard let components = URLComponents(string: text) else {
            throw PostgresURLError(url: text, reason: "it is not a URL")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresURLError(url: text, reason: "it names no user (postgres://user@host:5432/database)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresURLError(url: text, reason: "it names no host (postgres://user@host:5432/database)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresURLError(url: text, reason: "it names no database after the host (postgres://user@host:5432/database)")
        }
        if let port = components.port, !(1...65_535).contains(port) {
            throw PostgresURLError(url: text, reason: "its port \(port) is not between 1 and 65535")
        }
        for item in components.queryItems ?? [] {
            // TLS is not configured yet: a URL asking for it is refused rather than silently sent in clear.
            if item.name == "sslmode", item.value == "disable" { continue }
            throw PostgresURLError(url: text, reason: "Rida does not take the parameter \(item.name) (only sslmode=disable)")
        }
        self.init(user: user.removingPercentEncoding ?? user, password: components.password?.removingPercentEncoding,
                  host: host, port: components.port ?? 5432, database: database.removingPercentEncoding ?? database)
    }

    /// The URL without its password.
    public var description: String {
        "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
    }

    /// The same server, another database.
    public func with(database: String) -> PostgresLocation {
        var copy = self
        copy.database = database
        return copy
    }
}

/// A `--db` or `RIDA_DB` value that starts like a PostgreSQL URL but cannot be read as one.
public struct PostgresURLError: RidaFailure, Equatable {
    /// The URL as given, its password left out.
    public var url: String
    public var reason: String

    public init(url: String, reason: String) {
        self.url = Self.withoutPassword(url)
        self.reason = reason
    }

    public var kind: FailureKind { .invalid }
    public var code: String { "database_url_invalid" }
    public var description: String {
        "The database URL \(url) cannot be used: \(reason)."
    }

    /// `url` with its password, if any, replaced by `…`: the credentials end at the last `@` (a password may hold one).
    public static func withoutPassword(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authority = rest[..<(rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex)]
        guard let at = authority.range(of: "@", options: .backwards) ?? url.range(of: "@", options: .backwards,
                                                                                  range: scheme.upperBound..<url.endIndex)
        else { return url }
        let credentials = url[scheme.upperBound..<at.lowerBound]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":…" + String(url[at.lowerBound...])
    }
}
