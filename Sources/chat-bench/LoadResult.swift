import Foundation
import Histogram

/// The outcome of a load run: the human summary and the one-line JSON record.
struct LoadResult {
    var mode: String
    var rooms: Int
    var members: Int
    var senders: Int
    var qos: Int
    /// QoS of the senders' publishes (the engine always delivers at QoS 1).
    var publishQos: Int
    /// Whether engine-mode messages carried a `request_id`.
    var requestIds = false
    var offeredRate: Double
    var achievedRate: Double
    var deliveriesPerSecond: Double
    var latency: Histogram<UInt64>
    var lost: Int
    var duplicates: Int
    var reordered: Int
    var duration: Double

    private func ms(_ percentile: Double) -> Double {
        latency.totalCount == 0 ? 0 : Double(latency.valueAtPercentile(percentile)) / 1000
    }

    private var maxMs: Double { latency.totalCount == 0 ? 0 : Double(latency.max) / 1000 }

    /// One JSON object on one line, keys in a stable order for scripts and the README.
    var jsonLine: String {
        func f(_ value: Double) -> String { String(format: "%.3f", value) }
        return "{\"mode\":\"\(mode)\",\"rooms\":\(rooms),\"members\":\(members),\"senders\":\(senders),"
            + "\"qos\":\(qos),\"publish_qos\":\(publishQos),\"request_ids\":\(requestIds),\"offered_rate\":\(f(offeredRate)),\"achieved_rate\":\(f(achievedRate)),"
            + "\"deliveries_per_s\":\(f(deliveriesPerSecond)),\"p50_ms\":\(f(ms(50))),\"p90_ms\":\(f(ms(90))),"
            + "\"p99_ms\":\(f(ms(99))),\"max_ms\":\(f(maxMs)),\"lost\":\(lost),\"dup\":\(duplicates),"
            + "\"reordered\":\(reordered),\"duration\":\(f(duration))}"
    }

    var summary: String {
        let offered = offeredRate == 0 ? "max" : String(format: "%.0f msg/s", offeredRate)
        return """
            chat-bench load — mode \(mode), \(rooms) rooms × \(members) members, \(senders) senders/room, QoS \(qos)\
            \(publishQos == qos ? "" : " (senders publish at QoS \(publishQos))")\(requestIds ? ", with request ids" : "")
              offered \(offered), achieved \(String(format: "%.1f", achievedRate)) msg/s, \
            \(String(format: "%.0f", deliveriesPerSecond)) deliveries/s over \(String(format: "%.1f", duration)) s
              latency ms: p50 \(String(format: "%.3f", ms(50))), p90 \(String(format: "%.3f", ms(90))), \
            p99 \(String(format: "%.3f", ms(99))), max \(String(format: "%.3f", maxMs)) (\(latency.totalCount) samples)
              lost \(lost), duplicates \(duplicates), reordered \(reordered)
            """
    }
}
