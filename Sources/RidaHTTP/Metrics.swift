import CoreMetrics
import Foundation
import Prometheus
import RidaSurvey

/// The service's metrics, written through swift-metrics into a swift-prometheus registry and rendered in Prometheus's
/// text format at `/metrics`: requests by route, method and status, a latency histogram per route, responses stored by
/// channel, and scheduled backups.
///
/// Each application has its own `PrometheusCollectorRegistry`, and every metric is made with its factory passed
/// explicitly (`factory:`): `MetricsSystem.bootstrap` is process-global and may be called only once, while the tests
/// start many applications in one process, each of which must count only its own requests. So Rida never bootstraps
/// the global metrics system.
final class Metrics: Sendable {
    /// The latency histogram's upper bounds, in seconds.
    static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    /// The metrics made so far, by their labels, so a request looks its counter up instead of asking the registry.
    private struct Handles {
        var requests: [RequestKey: CoreMetrics.Counter] = [:]
        var latency: [String: CoreMetrics.Timer] = [:]
        var stored: [String: CoreMetrics.Counter] = [:]
        /// Made at the first backup, so the gauge is absent (not 0) until one is made.
        var lastBackup: CoreMetrics.Gauge?
    }

    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let handles = LockedValue(Handles())
    private let backupsMade: CoreMetrics.Counter
    private let backupsFailed: CoreMetrics.Counter

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.bounds.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
        self.factory = factory
        backupsMade = CoreMetrics.Counter(label: "rida_backups_total", dimensions: [("outcome", "ok")], factory: factory)
        backupsFailed = CoreMetrics.Counter(label: "rida_backups_total", dimensions: [("outcome", "failed")], factory: factory)
    }

    func recordRequest(route: String, method: String, status: Int, seconds: Double) {
        let key = RequestKey(route: route, method: method, status: status)
        let (counter, timer) = handles.withLock { handles in
            let counter = handles.requests[key] ?? CoreMetrics.Counter(
                label: "rida_http_requests_total", dimensions: [("route", route), ("method", method), ("status", "\(status)")],
                factory: factory)
            handles.requests[key] = counter
            let timer = handles.latency[route] ?? CoreMetrics.Timer(
                label: "rida_http_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            handles.latency[route] = timer
            return (counter, timer)
        }
        counter.increment()
        timer.recordNanoseconds(Int64((seconds * 1e9).rounded()))
    }

    func recordStored(channel: String, count: Int = 1) {
        guard count > 0 else { return }
        let counter = handles.withLock { handles in
            let counter = handles.stored[channel] ?? CoreMetrics.Counter(
                label: "rida_responses_stored_total", dimensions: [("channel", channel)], factory: factory)
            handles.stored[channel] = counter
            return counter
        }
        counter.increment(by: count)
    }

    /// A scheduled backup made (`succeededAt`) or failed (nil).
    func recordBackup(succeededAt time: Instant?) {
        if let time {
            backupsMade.increment()
            let gauge = handles.withLock { handles in
                let gauge = handles.lastBackup ?? CoreMetrics.Gauge(label: "rida_backup_last_success_timestamp_seconds", factory: factory)
                handles.lastBackup = gauge
                return gauge
            }
            gauge.record(time.millisecondsSince1970 / 1000)
        } else {
            backupsFailed.increment()
        }
    }

    /// The Prometheus text exposition of this application's registry.
    func render() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
