import Synchronization

/// The room topics the request being handled has published to. Room-topic events may wait to be joined
/// (`RoomTopicBatch`); the request's other publishes (inbox notices, its reply) wait behind them, so a
/// request's events still reach the broker before its reply (docs/PROTOCOL.md §1.7).
final class RoomTopicsPublished: Sendable {
    /// Bound for the whole of one request's handling, reply included; nil outside a request.
    @TaskLocal static var current: RoomTopicsPublished?

    private let published = Mutex<[String]>([])

    /// A request publishes to one room topic, rarely a few: a list beats a set.
    func insert(_ topic: String) {
        published.withLock { if !$0.contains(topic) { $0.append(topic) } }
    }

    var topics: [String] { published.withLock { $0 } }
}
