import MQTT

/// Where the engine's outgoing messages go: the broker in production, a recorder in unit tests.
public protocol Outbox: Sendable {
    /// Publishes at QoS 1; never blocks on the network.
    func publish(topic: String, payload: [UInt8], correlationData: [UInt8]?)
    /// Publishes the same bytes at QoS 1 to every topic, in order, handed to the network as one batch.
    func publish(payload: [UInt8], toEach topics: [String])
    /// Publishes a room's event once at QoS 1 to the room's topic, which `members` subscribe to.
    func publish(payload: [UInt8], toRoomTopic topic: String, members: [String])
}

extension Outbox {
    func publish(payload: [UInt8], toEach topics: [String]) {
        for topic in topics { publish(topic: topic, payload: payload, correlationData: nil) }
    }

    func publish(payload: [UInt8], toRoomTopic topic: String, members: [String]) {
        publish(topic: topic, payload: payload, correlationData: nil)
    }
}

/// Publishes through the engine's outbound MQTT connection.
struct MQTTOutbox: Outbox {
    let client: MQTTClient
    let failures: @Sendable (MQTTError) -> Void

    func publish(topic: String, payload: [UInt8], correlationData: [UInt8]?) {
        send(topic: topic, payload: payload, correlationData: correlationData, deferWrite: false, after: Self.roomTopicsAwaited)
    }

    func publish(payload: [UInt8], toEach topics: [String]) {
        // One wake-up of the network thread for the whole fan-out, so it leaves in a few TCP segments
        // rather than one per recipient.
        defer { client.writeQueued() }
        let after = Self.roomTopicsAwaited
        for topic in topics { send(topic: topic, payload: payload, correlationData: nil, deferWrite: true, after: after) }
    }

    /// A room topic carries JSON arrays of events (docs/PROTOCOL.md §3.6): one event alone, and under load
    /// every event published while the topic's previous publish awaited its acknowledgement, joined.
    /// The request's later publishes wait for the event to leave (`RoomTopicsPublished`).
    func publish(payload: [UInt8], toRoomTopic topic: String, members: [String]) {
        RoomTopicsPublished.current?.insert(topic)
        send(
            topic: topic, payload: RoomTopicBatch.single(payload), correlationData: nil, deferWrite: false,
            coalescing: RoomTopicBatch.coalescing)
    }

    /// The room topics whose waiting events the request being handled must not overtake.
    private static var roomTopicsAwaited: [String] { RoomTopicsPublished.current?.topics ?? [] }

    private func send(
        topic: String, payload: [UInt8], correlationData: [UInt8]?, deferWrite: Bool, coalescing: MQTTCoalescing? = nil,
        after: [String] = []
    ) {
        do {
            try client.publish(
                topic: topic, payload: payload, qos: 1, correlationData: correlationData, deferWrite: deferWrite,
                coalescing: coalescing, after: after)
        } catch let error as MQTTError {
            failures(error)
        } catch {}
    }
}

/// The topics of a user's inbox.
enum Inbox {
    static func messages(_ userId: String) -> String { "chat/user/\(userId)/messages" }
    static func notifications(_ userId: String) -> String { "chat/user/\(userId)/notifications" }
    static func responses(_ userId: String) -> String { "chat/user/\(userId)/responses" }
    static func prefix(_ userId: String) -> String { "chat/user/\(userId)/" }

    /// The `{id}` of a `chat/user/{id}/…` topic, or nil for any other topic.
    static func owner(of topic: String) -> Substring? {
        let prefix = "chat/user/"
        guard topic.hasPrefix(prefix) else { return nil }
        let rest = topic.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex else { return nil }
        return rest[..<slash]
    }
}
