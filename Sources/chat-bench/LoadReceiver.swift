import BenchCore
import Histogram
import MQTT
import Synchronization

/// One member's view of a load run: deliveries per sender and end-to-end latency.
///
/// Every member runs on its own libmosquitto thread, so each has its own lock and nothing is shared
/// on the hot path.
final class LoadReceiver: Sendable {
    struct Stats {
        var tracker = DeliveryTracker()
        var latency = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        /// Unique deliveries of messages sent inside the measured window.
        var measured = 0
    }

    let stats = Mutex(Stats())
    /// The measured window, in bench-clock µs; set before the first send.
    let window: Mutex<Range<UInt64>> = Mutex(0..<0)
    /// The slots of the sender this member is, if any, released when its own message comes back.
    let ownWindow: InflightWindow?
    let ownSender: Int?

    init(sender: Int?, window inflight: InflightWindow?) {
        ownSender = sender
        ownWindow = inflight
    }

    /// Handles one delivery on the network thread.
    func receive(_ message: MQTTMessage) {
        let now = BenchClock.micros()
        let contents = BenchContent.findAll(in: message.payload)
        guard !contents.isEmpty else { return }
        let measuredWindow = window.withLock { $0 }
        stats.withLock { stats in
            for content in contents {
                guard stats.tracker.record(sender: content.sender, number: content.number) else { continue }
                if measuredWindow.contains(content.sentAt) {
                    stats.measured += 1
                    _ = stats.latency.record(now >= content.sentAt ? now - content.sentAt : 0)
                }
            }
        }
        for content in contents where content.sender == ownSender { ownWindow?.release() }
    }
}
