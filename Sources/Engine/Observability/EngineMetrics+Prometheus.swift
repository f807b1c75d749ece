import Prometheus

extension PrometheusMetricsFactory {
    /// A factory writing to `registry`, with histogram buckets fit for the engine: handlers take
    /// microseconds to milliseconds, so the request histogram starts at 50 µs instead of 5 ms.
    public static func chatEngine(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[EngineMetrics.Name.requestDuration] = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
        ]
        factory.durationHistogramBuckets[EngineMetrics.Name.snapshotDuration] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100),
            .milliseconds(500), .seconds(1), .seconds(5), .seconds(10), .seconds(30),
        ]
        return factory
    }
}
