import MQTT

/// Where the engine's outgoing messages go: the broker in production, a recorder in unit tests.
public protocol Outbox: Sendable {
    /// Publishes at QoS 1; never blocks on the network.
    func publish(topic: String, payload: [UInt8], correlationData: [UInt8]?)
}

/// Publishes through the engine's outbound MQTT connection.
struct MQTTOutbox: Outbox {
    let client: MQTTClient
    let failures: @Sendable (MQTTError) -> Void

    func publish(topic: String, payload: [UInt8], correlationData: [UInt8]?) {
        do {
            try client.publish(topic: topic, payload: payload, qos: 1, correlationData: correlationData)
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
}
