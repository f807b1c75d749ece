import Actors
import Logging

/// The room actors' window on the world: journal first, then one encoding per event, published to
/// every recipient's inbox.
public struct Delivery: RoomEffects {
    let log: any ChangeLog
    let outbox: any Outbox
    let logger: Logger
    let metrics = EngineMetrics.current

    public init(log: any ChangeLog, outbox: any Outbox, logger: Logger) {
        self.log = log
        self.outbox = outbox
        self.logger = logger
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

    /// Sends an already encoded payload to users' notification topics.
    public func notify(_ payload: [UInt8], to recipients: some Sequence<String>) {
        let topics = recipients.map(Inbox.notifications)
        metrics.delivered(topics.count, to: .notifications)
        outbox.publish(payload: payload, toEach: topics)
    }
}
