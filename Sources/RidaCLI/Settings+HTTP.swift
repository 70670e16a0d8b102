import Foundation
import RidaHTTP
import RidaSurvey

/// The `http.*` settings of `rida serve` (docs/configuration.md, "HTTP service").
struct HTTPSettings {
    var host = "127.0.0.1"
    var port = 8080
    /// Requests per second per key; 0 turns the limit off.
    var requestsPerSecond = 50.0
    var burst = 100.0
    var maxBodyBytes = 64 * 1024
    var maxBatchBodyBytes = 8 * 1024 * 1024
    var weekStartsOn = 1
    var groupCommit = true
    var headSeconds = 10.0
    var idleSeconds = 60.0
    var bodySeconds = 10.0
    var maxConnections = 512
    var maxStreams = 256
    var maxStreamsPerKey = 8
    var unknownKeysPerMinute = 60.0
    var minimumFreeBytes: Int64 = 16 * 1024 * 1024

    static let keys = [
        "http.host", "http.port", "http.rateLimit.requestsPerSecond", "http.rateLimit.burst", "http.rateLimit.unknownKeysPerMinute",
        "http.maxBodyBytes", "http.maxBatchBodyBytes", "http.groupCommit", "http.timeouts.headSeconds", "http.timeouts.idleSeconds",
        "http.timeouts.bodySeconds", "http.maxConnections", "live.weekStartsOn", "live.maxStreams", "live.maxStreamsPerKey",
        "db.minimumFreeBytes",
    ]

    mutating func read(_ root: [String: Any], problems: inout [Problem]) {
        if let value = root["http.host"] {
            if let text = value as? String, !text.isEmpty { host = text } else { problems.append(Problem(field: "http.host", reason: "http.host must be a host name or address, such as \"127.0.0.1\"")) }
        }
        if let value = root["http.port"] {
            if let number = value as? Int, (0...65535).contains(number) { port = number } else { problems.append(Problem(field: "http.port", reason: "http.port must be a port number from 0 to 65535")) }
        }
        if let value = root["http.rateLimit.requestsPerSecond"] {
            if let number = value as? Double, number >= 0 { requestsPerSecond = number } else { problems.append(Problem(field: "http.rateLimit.requestsPerSecond", reason: "http.rateLimit.requestsPerSecond must be a number of 0 or more (0 turns the limit off)")) }
        }
        if let value = root["http.rateLimit.burst"] {
            if let number = value as? Double, number >= 1 { burst = number } else { problems.append(Problem(field: "http.rateLimit.burst", reason: "http.rateLimit.burst must be a number of 1 or more")) }
        }
        if let value = root["http.maxBodyBytes"] {
            if let number = value as? Int, number >= 1024 { maxBodyBytes = number } else { problems.append(Problem(field: "http.maxBodyBytes", reason: "http.maxBodyBytes must be a whole number of 1024 or more")) }
        }
        if let value = root["http.maxBatchBodyBytes"] {
            if let number = value as? Int, number >= 1024 { maxBatchBodyBytes = number } else { problems.append(Problem(field: "http.maxBatchBodyBytes", reason: "http.maxBatchBodyBytes must be a whole number of 1024 or more")) }
        }
        if let value = root["http.groupCommit"] {
            if let flag = value as? Bool { groupCommit = flag } else { problems.append(Problem(field: "http.groupCommit", reason: "http.groupCommit must be true or false")) }
        }
        for (name, keyPath) in [("http.timeouts.headSeconds", \HTTPSettings.headSeconds), ("http.timeouts.idleSeconds", \HTTPSettings.idleSeconds),
                                ("http.timeouts.bodySeconds", \HTTPSettings.bodySeconds)] {
            guard let value = root[name] else { continue }
            if let number = value as? Double, number > 0, number <= 3600 { self[keyPath: keyPath] = number } else { problems.append(Problem(field: name, reason: "\(name) must be a number of seconds above 0, at most 3600")) }
        }
        for (name, keyPath, least) in [("http.maxConnections", \HTTPSettings.maxConnections, 2), ("live.maxStreams", \HTTPSettings.maxStreams, 0),
                                       ("live.maxStreamsPerKey", \HTTPSettings.maxStreamsPerKey, 0)] {
            guard let value = root[name] else { continue }
            if let number = value as? Int, number >= least { self[keyPath: keyPath] = number } else { problems.append(Problem(field: name, reason: "\(name) must be a whole number of \(least) or more")) }
        }
        if maxStreams >= maxConnections {
            problems.append(Problem(field: "live.maxStreams", reason: "live.maxStreams (\(maxStreams)) must be below http.maxConnections (\(maxConnections)), or streams could take every connection"))
        }
        if let value = root["http.rateLimit.unknownKeysPerMinute"] {
            if let number = value as? Double, number >= 0 { unknownKeysPerMinute = number } else { problems.append(Problem(field: "http.rateLimit.unknownKeysPerMinute", reason: "http.rateLimit.unknownKeysPerMinute must be a number of 0 or more (0 turns the limit off)")) }
        }
        if let value = root["db.minimumFreeBytes"] {
            if let number = value as? Int64, number >= 0 { minimumFreeBytes = number } else { problems.append(Problem(field: "db.minimumFreeBytes", reason: "db.minimumFreeBytes must be a whole number of bytes, 0 or more")) }
        }
        if let value = root["live.weekStartsOn"] {
            if let number = value as? Int, (1...7).contains(number) { weekStartsOn = number } else { problems.append(Problem(field: "live.weekStartsOn", reason: "live.weekStartsOn must be 1 (Sunday) to 7 (Saturday)")) }
        }
    }
}

extension Settings {
    /// The service's settings; `host` and `port` given on the command line win over the file.
    /// `database` places the backups when `backup.dir` is not given: a `backups` folder beside it.
    func serviceSettings(host: String?, port: Int?, database: String) -> ServiceSettings {
        let backups = backupEvery.map { seconds in
            BackupSchedule(every: .seconds(seconds), keep: backupKeep,
                           folder: backupFolder ?? URL(fileURLWithPath: database).deletingLastPathComponent().appendingPathComponent("backups").path)
        }
        var settings = ServiceSettings(
            host: host ?? http.host, port: port ?? http.port,
            rateLimit: http.requestsPerSecond > 0 ? RateLimit(requestsPerSecond: http.requestsPerSecond, burst: http.burst) : nil,
            maxBodyBytes: http.maxBodyBytes, maxBatchBodyBytes: http.maxBatchBodyBytes,
            validator: validator, policy: policy, weekStartsOn: http.weekStartsOn, groupCommit: http.groupCommit,
            backups: backups)
        settings.connections = ConnectionLimits(
            headTimeout: .milliseconds(Int64(http.headSeconds * 1000)), idleTimeout: .milliseconds(Int64(http.idleSeconds * 1000)),
            bodyTimeout: .milliseconds(Int64(http.bodySeconds * 1000)), maxConnections: http.maxConnections)
        settings.maxStreams = http.maxStreams
        settings.maxStreamsPerKey = http.maxStreamsPerKey
        settings.unknownKeysPerMinute = http.unknownKeysPerMinute > 0 ? http.unknownKeysPerMinute : nil
        settings.minimumFreeBytes = http.minimumFreeBytes
        settings.lexicon = lexicon
        settings.caseRetentionDays = followUp.retentionDays
        settings.invitationBaseURL = invitationBaseURL
        return settings
    }
}
