import ServiceLifecycle
import Synchronization

/// Samples what is cheaper to read than to count: rooms, online users, broker connections and their
/// reconnects. Runs as a service on a fixed interval; `/metrics` also samples before each scrape.
public final class EngineMetricsSampler: Service, Sendable {
    let engine: ChatEngine
    let metrics: EngineMetrics
    let interval: Duration
    private let reconnectsSeen = Mutex<[EngineMetrics.Connection: Int]>([:])

    /// - Parameters:
    ///   - engine: the engine to observe.
    ///   - metrics: where the samples go.
    ///   - interval: time between samples.
    public init(engine: ChatEngine, metrics: EngineMetrics, interval: Duration = .seconds(5)) {
        self.engine = engine
        self.metrics = metrics
        self.interval = interval
    }

    /// Records one sample now.
    public func sample() {
        let services = engine.services
        metrics.record(rooms: services.registry.count, onlineUsers: services.presence.onlineUsers(now: services.now()).count)
        metrics.record(replyCacheBytes: engine.processor.replies.bytes)
        for (connection, client) in [(EngineMetrics.Connection.inbound, engine.inbound), (.outbound, engine.outbound)] {
            let total = client.reconnectCount
            let new = reconnectsSeen.withLock { seen in
                defer { seen[connection] = total }
                return total - (seen[connection] ?? 0)
            }
            metrics.record(connection, connected: client.isConnected, newReconnects: new)
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                self.sample()
                try? await Task.sleep(for: self.interval)
            }
        }
    }
}
