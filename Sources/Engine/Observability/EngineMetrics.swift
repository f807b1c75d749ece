import Metrics
import Synchronization

/// The engine's metrics, made through one swift-metrics factory.
///
/// The engine's parts (request processor, delivery, snapshotter) keep `EngineMetrics.current` as it is
/// when they are built, so code on libmosquitto's thread records too. `current` is a task-local: the
/// executable binds the Prometheus-backed instance around building and running the engine, tests bind
/// their own, and an engine built outside any binding records nothing. No global bootstrap is needed,
/// so tests with engines of their own run side by side.
public final class EngineMetrics: Sendable {
    /// The metrics an engine built in this task tree records to.
    @TaskLocal public static var current = EngineMetrics(factory: NOOPMetricsHandler.instance)

    /// Metric names, as they appear in Prometheus.
    public enum Name {
        public static let requests = "chat_requests_total"
        public static let requestDuration = "chat_request_duration_seconds"
        public static let dropped = "chat_requests_dropped_total"
        public static let deliveries = "chat_deliveries_total"
        public static let rooms = "chat_rooms"
        public static let onlineUsers = "chat_online_users"
        public static let brokerConnected = "chat_broker_connected"
        public static let brokerReconnects = "chat_broker_reconnects_total"
        public static let snapshots = "chat_snapshots_total"
        public static let snapshotDuration = "chat_snapshot_duration_seconds"
        public static let snapshotBytes = "chat_snapshot_bytes"
        public static let replyCacheBytes = "chat_reply_cache_bytes"
    }

    /// Where an event was published: a user's `messages` or `notifications` topic, or a room topic.
    public enum DeliveryKind: String, Sendable {
        case messages
        case notifications
        case room
    }

    /// One of the engine's two broker connections.
    public enum Connection: String, Sendable, CaseIterable {
        case inbound
        case outbound
    }

    let factory: any MetricsFactory
    let dropped: Counter
    let deliveries: [DeliveryKind: Counter]
    let rooms: Gauge
    let onlineUsers: Gauge
    let brokerConnected: [Connection: Gauge]
    let brokerReconnects: [Connection: Counter]
    let snapshots: Counter
    let snapshotDuration: Timer
    let snapshotBytes: Gauge
    let replyCacheBytes: Gauge
    /// The push webhook's (`chat_push_*`).
    let push: PushMetrics
    private let requestCounters = Mutex<[RouteOutcome: Counter]>([:])
    private let requestTimers = Mutex<[String: Timer]>([:])

    private struct RouteOutcome: Hashable {
        let route: String
        let outcome: String
    }

    /// - Parameter factory: where the metrics go; `MetricsSystem.factory` after bootstrapping, or a
    ///   test's own `PrometheusMetricsFactory`.
    public init(factory: any MetricsFactory) {
        self.factory = factory
        dropped = Counter(label: Name.dropped, factory: factory)
        deliveries = [
            .messages: Counter(label: Name.deliveries, dimensions: [("topic", "messages")], factory: factory),
            .notifications: Counter(label: Name.deliveries, dimensions: [("topic", "notifications")], factory: factory),
            .room: Counter(label: Name.deliveries, dimensions: [("topic", "room")], factory: factory),
        ]
        rooms = Gauge(label: Name.rooms, factory: factory)
        onlineUsers = Gauge(label: Name.onlineUsers, factory: factory)
        var connected: [Connection: Gauge] = [:]
        var reconnects: [Connection: Counter] = [:]
        for connection in Connection.allCases {
            let dimensions = [("connection", connection.rawValue)]
            connected[connection] = Gauge(label: Name.brokerConnected, dimensions: dimensions, factory: factory)
            reconnects[connection] = Counter(label: Name.brokerReconnects, dimensions: dimensions, factory: factory)
        }
        brokerConnected = connected
        brokerReconnects = reconnects
        snapshots = Counter(label: Name.snapshots, factory: factory)
        snapshotDuration = Timer(label: Name.snapshotDuration, factory: factory)
        snapshotBytes = Gauge(label: Name.snapshotBytes, factory: factory)
        replyCacheBytes = Gauge(label: Name.replyCacheBytes, factory: factory)
        push = PushMetrics(factory: factory)
    }

    // MARK: Requests

    private func requestCounter(route: String, outcome: String) -> Counter {
        let key = RouteOutcome(route: route, outcome: outcome)
        return requestCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: Name.requests, dimensions: [("route", route), ("outcome", outcome)], factory: factory)
            counters[key] = counter
            return counter
        }
    }

    /// One request answered: its route pattern (`chat/message/{room_id}`, or `unmatched`), its outcome
    /// (the reply's status, or the error code) and the time from decoding to reply.
    public func requestHandled(route: String, outcome: String, duration: Duration) {
        requestCounter(route: route, outcome: outcome).increment()
        let timer = requestTimers.withLock { timers in
            if let timer = timers[route] { return timer }
            let timer = Timer(label: Name.requestDuration, dimensions: [("route", route)], factory: factory)
            timers[route] = timer
            return timer
        }
        timer.recordNanoseconds(Self.nanoseconds(duration))
    }

    /// A request that could not be attributed to a user (bad JSON, no or bad token): no reply was sent.
    public func requestDropped() {
        dropped.increment()
    }

    // MARK: Deliveries

    /// `count` events published to users' inboxes.
    public func delivered(_ count: Int, to kind: DeliveryKind) {
        guard count > 0 else { return }
        deliveries[kind]?.increment(by: count)
    }

    // MARK: Samples

    /// The sampled sizes of the engine's state.
    public func record(rooms: Int, onlineUsers: Int) {
        self.rooms.record(rooms)
        self.onlineUsers.record(onlineUsers)
    }

    /// Bytes of replies remembered for retries (counted as the cache's bounds count them).
    public func record(replyCacheBytes bytes: Int) {
        replyCacheBytes.record(bytes)
    }

    /// Whether a broker connection is up, and how many reconnects it made since the last sample.
    public func record(_ connection: Connection, connected: Bool, newReconnects: Int) {
        brokerConnected[connection]?.record(connected ? 1 : 0)
        if newReconnects > 0 { brokerReconnects[connection]?.increment(by: newReconnects) }
    }

    // MARK: Persistence

    /// A snapshot written: its size in bytes and how long writing it took.
    public func snapshotWritten(bytes: Int, duration: Duration) {
        snapshots.increment()
        snapshotBytes.record(bytes)
        snapshotDuration.recordNanoseconds(Self.nanoseconds(duration))
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
