import Actors
import Logging
import Wire

/// The room actors' window on the world: journal first, then one encoding per event, published to
/// every recipient's inbox, or once to the room's topic (`--fanout room-topic`).
public struct Delivery: RoomEffects {
    let log: any ChangeLog
    let outbox: any Outbox
    let logger: Logger
    /// Room topic names in `--fanout room-topic`; nil in `inbox`.
    let roomTopics: RoomTopics?
    let metrics = EngineMetrics.current

    public init(log: any ChangeLog, outbox: any Outbox, logger: Logger, roomTopics: RoomTopics? = nil) {
        self.log = log
        self.outbox = outbox
        self.logger = logger
        self.roomTopics = roomTopics
    }

    public func record(_ change: RoomChange, roomId: String) throws(ChatError) -> UInt64 {
        try record(.room(id: roomId, change))
    }

    /// Makes an entry durable before its effects are published, marked with the request being handled
    /// (`ChangeOrigin.current`) unless it is that request's reply.
    @discardableResult
    public func record(_ entry: JournalEntry) throws(ChatError) -> UInt64 {
        var origin = ChangeOrigin.current
        if case .reply = entry { origin = nil }
        do {
            return try log.append(entry, origin: origin)
        } catch {
            logger.error("journal append failed; change refused", metadata: ["error": "\(error)"])
            throw ChatError(.internal, "the change could not be stored")
        }
    }

    public func deliver(_ event: RoomEvent, to recipients: [String]) {
        let payload = EventEncoder.encode(event)
        metrics.delivered(recipients.count, to: .messages)
        outbox.publish(payload: payload, toEach: recipients.map(Inbox.messages))
    }

    public func broadcast(_ event: RoomEvent, in audience: RoomAudience) {
        guard let topic = roomTopics?.topic(for: audience) else { return deliver(event, to: audience.members) }
        metrics.delivered(1, to: .room)
        outbox.publish(payload: EventEncoder.encode(event), toRoomTopic: topic, members: audience.members)
    }

    /// Tells each member the room topic's new name, in their inbox (`room_topic`), with the last seq
    /// published under the old one: what came after it, before they subscribed, they find in `history`.
    public func roomTopicRenamed(_ audience: RoomAudience, lastSeq: UInt64) {
        guard let topic = roomTopics?.topic(for: audience), !audience.members.isEmpty else { return }
        let payload = JSONValue.object([
            "type": "room_topic", "room_id": .string(audience.roomId), "events_topic": .string(topic),
            "last_seq": .number(Double(lastSeq)),
        ]).serialized()
        metrics.delivered(audience.members.count, to: .messages)
        outbox.publish(payload: payload, toEach: audience.members.map(Inbox.messages))
    }

    /// The room topic a member of the room is told, or nil in `inbox` mode and for direct rooms.
    public func eventsTopic(roomId: String, type: RoomType, epoch: UInt64) -> String? {
        type == .direct ? nil : roomTopics?.topic(roomId: roomId, epoch: epoch)
    }

    /// The room topic `audience` hears now, or nil in `inbox` mode and for direct rooms.
    public func eventsTopic(for audience: RoomAudience) -> String? {
        roomTopics?.topic(for: audience)
    }

    /// Sends an already encoded payload to users' notification topics.
    public func notify(_ payload: [UInt8], to recipients: some Sequence<String>) {
        let topics = recipients.map(Inbox.notifications)
        metrics.delivered(topics.count, to: .notifications)
        outbox.publish(payload: payload, toEach: topics)
    }
}
