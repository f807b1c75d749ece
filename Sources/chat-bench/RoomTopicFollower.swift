import MQTT
import Synchronization

/// Keeps one session subscribed to the topics of the rooms it is in, for an engine in
/// `--fanout room-topic`: follows the name a reply or a `room_topic` event gives, drops it on leaving.
final class RoomTopicFollower: Sendable {
    private let client = Mutex<MQTTClient?>(nil)
    private let topics = Mutex<[String: String]>([:])

    /// The session's client, once it exists.
    func attach(_ client: MQTTClient) {
        self.client.withLock { $0 = client }
    }

    /// Subscribes to `topic` as room `roomId`'s, dropping the name it had before.
    func follow(_ roomId: String, topic: String) {
        let old = topics.withLock { $0.updateValue(topic, forKey: roomId) }
        guard old != topic, let client = client.withLock({ $0 }) else { return }
        if let old { client.unsubscribe(old) }
        Task { await client.subscribe(MQTTSubscription(filter: topic, qos: 1)) }
    }

    /// Stops following room `roomId`.
    func leave(_ roomId: String) {
        guard let old = topics.withLock({ $0.removeValue(forKey: roomId) }), let client = client.withLock({ $0 }) else { return }
        client.unsubscribe(old)
    }
}
