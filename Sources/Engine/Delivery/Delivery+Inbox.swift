import Actors
import Wire

extension Delivery {
    /// Sends an event that is about one user rather than a room (`read_updated`) to that user's own inbox,
    /// where every device of theirs hears it.
    func deliverToOwnInbox(_ event: JSONValue, of userId: String) {
        metrics.delivered(1, to: .messages)
        outbox.publish(payload: event.serialized(), toEach: [Inbox.messages(userId)])
    }
}
