import Foundation
import RidaHTTP

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

    static let keys = [
        "http.host", "http.port", "http.rateLimit.requestsPerSecond", "http.rateLimit.burst",
        "http.maxBodyBytes", "http.maxBatchBodyBytes", "http.groupCommit", "live.weekStartsOn",
    ]

    mutating func read(_ root: [String: Any], problems: inout [String]) {
        if let value = root["http.host"] {
            if let text = value as? String, !text.isEmpty { host = text } else { problems.append("http.host must be a host name or address, such as \"127.0.0.1\"") }
        }
        if let value = root["http.port"] {
            if let number = value as? Int, (0...65535).contains(number) { port = number } else { problems.append("http.port must be a port number from 0 to 65535") }
        }
        if let value = root["http.rateLimit.requestsPerSecond"] {
            if let number = value as? Double, number >= 0 { requestsPerSecond = number } else { problems.append("http.rateLimit.requestsPerSecond must be a number of 0 or more (0 turns the limit off)") }
        }
        if let value = root["http.rateLimit.burst"] {
            if let number = value as? Double, number >= 1 { burst = number } else { problems.append("http.rateLimit.burst must be a number of 1 or more") }
        }
        if let value = root["http.maxBodyBytes"] {
            if let number = value as? Int, number >= 1024 { maxBodyBytes = number } else { problems.append("http.maxBodyBytes must be a whole number of 1024 or more") }
        }
        if let value = root["http.maxBatchBodyBytes"] {
            if let number = value as? Int, number >= 1024 { maxBatchBodyBytes = number } else { problems.append("http.maxBatchBodyBytes must be a whole number of 1024 or more") }
        }
        if let value = root["http.groupCommit"] {
            if let flag = value as? Bool { groupCommit = flag } else { problems.append("http.groupCommit must be true or false") }
        }
        if let value = root["live.weekStartsOn"] {
            if let number = value as? Int, (1...7).contains(number) { weekStartsOn = number } else { problems.append("live.weekStartsOn must be 1 (Sunday) to 7 (Saturday)") }
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
        return ServiceSettings(
            host: host ?? http.host, port: port ?? http.port,
            rateLimit: http.requestsPerSecond > 0 ? RateLimit(requestsPerSecond: http.requestsPerSecond, burst: http.burst) : nil,
            maxBodyBytes: http.maxBodyBytes, maxBatchBodyBytes: http.maxBatchBodyBytes,
            validator: validator, policy: policy, weekStartsOn: http.weekStartsOn, groupCommit: http.groupCommit,
            backups: backups)
    }
}
