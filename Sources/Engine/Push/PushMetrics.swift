import Metrics

/// The push webhook's metrics: pushes sent, failed attempts, retries, drops by reason, and the queue.
final class PushMetrics: Sendable {
    /// Metric names, as they appear in Prometheus.
    enum Name {
        static let sent = "chat_push_sent_total"
        static let failed = "chat_push_failed_total"
        static let retried = "chat_push_retried_total"
        static let dropped = "chat_push_dropped_total"
        static let pending = "chat_push_pending"
        static let pendingBytes = "chat_push_pending_bytes"
    }

    let sentCounter: Counter
    let failedCounter: Counter
    let retriedCounter: Counter
    let droppedCounters: [PushQueue.DropReason: Counter]
    let pendingGauge: Gauge
    let pendingBytesGauge: Gauge

    init(factory: any MetricsFactory) {
        sentCounter = Counter(label: Name.sent, factory: factory)
        failedCounter = Counter(label: Name.failed, factory: factory)
        retriedCounter = Counter(label: Name.retried, factory: factory)
        var dropped: [PushQueue.DropReason: Counter] = [:]
        for reason in PushQueue.DropReason.allCases {
            dropped[reason] = Counter(label: Name.dropped, dimensions: [("reason", reason.rawValue)], factory: factory)
        }
        droppedCounters = dropped
        pendingGauge = Gauge(label: Name.pending, factory: factory)
        pendingBytesGauge = Gauge(label: Name.pendingBytes, factory: factory)
    }

    /// A push the webhook accepted (2xx).
    func sent() { sentCounter.increment() }

    /// A POST that failed (connection error, timeout, non-2xx), whether or not it is retried.
    func failed() { failedCounter.increment() }

    /// A failed push scheduled for another try.
    func retried() { retriedCounter.increment() }

    /// Pushes that left the queue undelivered.
    func dropped(_ count: Int, _ reason: PushQueue.DropReason) {
        droppedCounters[reason]?.increment(by: count)
    }

    /// The queue's size now.
    func pending(count: Int, bytes: Int) {
        pendingGauge.record(count)
        pendingBytesGauge.record(bytes)
    }
}
