import Engine
import Synchronization
import Wire

/// An outbox that records every publish, in order, with its topic: what the broker would have been
/// handed. Room-topic publishes are recorded once under the room topic.
public final class PublishLog: Outbox {
    /// One recorded publish.
    public struct Entry: Sendable {
        public let topic: String
        public let payload: [UInt8]
        public let correlationData: [UInt8]?

        /// The payload as JSON (`.null` when it is not JSON).
        public var json: JSONValue { (try? JSONParser.parse(payload)) ?? .null }
    }

    private let storage = Mutex<[Entry]>([])

    public init() {}

    public func publish(topic: String, payload: [UInt8], correlationData: [UInt8]?) {
        storage.withLock { $0.append(Entry(topic: topic, payload: payload, correlationData: correlationData)) }
    }

    public func publish(payload: [UInt8], toEach topics: [String]) {
        storage.withLock { entries in
            for topic in topics { entries.append(Entry(topic: topic, payload: payload, correlationData: nil)) }
        }
    }

    public func publish(payload: [UInt8], toRoomTopic topic: String, members: [String]) {
        publish(topic: topic, payload: payload, correlationData: nil)
    }

    /// How many publishes so far.
    public var count: Int { storage.withLock { $0.count } }

    /// The publishes from position `start` on whose topic satisfies `include`.
    public func entries(from start: Int = 0, where include: (String) -> Bool = { _ in true }) -> [Entry] {
        read(from: start, where: include).entries
    }

    /// ``entries(from:where:)`` and the position after the last publish, read at one moment.
    public func read(from start: Int, where include: (String) -> Bool) -> (entries: [Entry], end: Int) {
        storage.withLock { all in (all[min(start, all.count)...].filter { include($0.topic) }, all.count) }
    }

    /// The JSON published on exactly `topic`, in order.
    public func published(on topic: String) -> [JSONValue] {
        entries(where: { $0 == topic }).map(\.json)
    }

    /// How many publishes went to `topic`.
    public func count(on topic: String) -> Int {
        storage.withLock { all in all.count { $0.topic == topic } }
    }
}
