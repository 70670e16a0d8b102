import Foundation
import Hummingbird
import RidaSurvey

/// The service's counters, rendered in Prometheus's text format at `/metrics`:
/// requests by route, method and status, a latency histogram per route, and responses stored by channel.
final class Metrics: Sendable {
    static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private struct RequestKey: Hashable, Comparable {
        var route: String
        var method: String
        var status: Int
        static func < (a: RequestKey, b: RequestKey) -> Bool { (a.route, a.method, a.status) < (b.route, b.method, b.status) }
    }

    private struct Histogram {
        var buckets = [Int](repeating: 0, count: Metrics.bounds.count)
        var sum = 0.0
        var count = 0
    }

    private struct State {
        var requests: [RequestKey: Int] = [:]
        var latency: [String: Histogram] = [:]
        var stored: [String: Int] = [:]
        var backups = 0
        var failedBackups = 0
        var lastBackup: Instant?
    }

    private let state = LockedValue(State())

    func recordRequest(route: String, method: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[RequestKey(route: route, method: method, status: status), default: 0] += 1
            var histogram = state.latency[route] ?? Histogram()
            if let index = Metrics.bounds.firstIndex(where: { seconds <= $0 }) { histogram.buckets[index] += 1 }
            histogram.sum += seconds
            histogram.count += 1
            state.latency[route] = histogram
        }
    }

    func recordStored(channel: String, count: Int = 1) {
        guard count > 0 else { return }
        state.withLock { $0.stored[channel, default: 0] += count }
    }

    /// A scheduled backup made (`succeededAt`) or failed (nil).
    func recordBackup(succeededAt time: Instant?) {
        state.withLock { state in
            if let time {
                state.backups += 1
                state.lastBackup = time
            } else {
                state.failedBackups += 1
            }
        }
    }

    /// The Prometheus text exposition.
    func render() -> String {
        let state = self.state.get()
        var out = "# HELP rida_http_requests_total HTTP requests answered, by route, method and status.\n"
        out += "# TYPE rida_http_requests_total counter\n"
        for (key, count) in state.requests.sorted(by: { $0.key < $1.key }) {
            out += "rida_http_requests_total{route=\"\(escape(key.route))\",method=\"\(key.method)\",status=\"\(key.status)\"} \(count)\n"
        }
        out += "# HELP rida_http_request_duration_seconds Time to answer a request, by route.\n"
        out += "# TYPE rida_http_request_duration_seconds histogram\n"
        for (route, histogram) in state.latency.sorted(by: { $0.key < $1.key }) {
            var cumulative = 0
            for (index, bound) in Metrics.bounds.enumerated() {
                cumulative += histogram.buckets[index]
                out += "rida_http_request_duration_seconds_bucket{route=\"\(escape(route))\",le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "rida_http_request_duration_seconds_bucket{route=\"\(escape(route))\",le=\"+Inf\"} \(histogram.count)\n"
            out += "rida_http_request_duration_seconds_sum{route=\"\(escape(route))\"} \(histogram.sum)\n"
            out += "rida_http_request_duration_seconds_count{route=\"\(escape(route))\"} \(histogram.count)\n"
        }
        out += "# HELP rida_responses_stored_total Survey responses stored (not duplicates), by channel.\n"
        out += "# TYPE rida_responses_stored_total counter\n"
        for (channel, count) in state.stored.sorted(by: { $0.key < $1.key }) {
            out += "rida_responses_stored_total{channel=\"\(escape(channel))\"} \(count)\n"
        }
        out += "# HELP rida_backups_total Scheduled backups (backup.every), by outcome.\n"
        out += "# TYPE rida_backups_total counter\n"
        out += "rida_backups_total{outcome=\"ok\"} \(state.backups)\n"
        out += "rida_backups_total{outcome=\"failed\"} \(state.failedBackups)\n"
        if let last = state.lastBackup {
            out += "# HELP rida_backup_last_success_timestamp_seconds When the last scheduled backup was made (Unix time).\n"
            out += "# TYPE rida_backup_last_success_timestamp_seconds gauge\n"
            out += "rida_backup_last_success_timestamp_seconds \(last.millisecondsSince1970 / 1000)\n"
        }
        return out
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
