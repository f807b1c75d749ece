import BenchCore
import Logging
import MQTT
import Synchronization
import Wire

/// One user's MQTT session: its inbox subscription, its token and request/reply over `request_id`.
final class BenchSession: Sendable {
    let userId: String
    let token: String
    let client: MQTTClient
    let waiter: ReplyWaiter<JSONValue>
    let qos: Int32

    /// - Parameters:
    ///   - userId: the chat user id (also the MQTT client id, prefixed).
    ///   - token: the user's JWT.
    ///   - broker: broker address.
    ///   - qos: QoS of subscriptions and publishes.
    ///   - onReply: observer of every reply, on the network thread; it has run when the reply's waiter resumes.
    ///   - onEvent: receiver of everything else, on the network thread.
    init(
        userId: String, token: String, broker: BrokerOptions, qos: Int32,
        onReply: (@Sendable (JSONValue) -> Void)? = nil,
        onEvent: @escaping @Sendable (MQTTMessage) -> Void
    ) throws {
        self.userId = userId
        self.token = token
        self.qos = qos
        let waiter = ReplyWaiter<JSONValue>()
        self.waiter = waiter
        var logger = Logger(label: "chat-bench.\(userId)")
        logger.logLevel = .error
        client = try MQTTClient(
            configuration: MQTTConfiguration(
                host: broker.mqttHost, port: broker.mqttPort, clientID: "bench-\(userId)",
                username: broker.mqttUsername, password: broker.mqttPassword),
            logger: logger
        ) { message in
            guard message.topic.hasSuffix("/responses") else { return onEvent(message) }
            // Replies nobody waits for (a load sender's message_sent) are not worth parsing.
            if waiter.isIdle && onReply == nil { return }
            guard let reply = try? JSONParser.parse(message.payload) else { return }
            waiter.deliver(reply, requestId: reply["request_id"]?.stringValue, observe: onReply)
        }
    }

    /// Connects and subscribes to the inbox plus `extraTopics`.
    func connect(extraTopics: [String] = []) async throws {
        let filters = ["chat/user/\(userId)/#"] + extraTopics
        try await client.connect(subscriptions: filters.map { MQTTSubscription(filter: $0, qos: qos) })
    }

    /// Publishes a request `{"token", "request_id", …fields}` and waits for its reply (nil on timeout).
    func request(_ topic: String, _ fields: [String: JSONValue] = [:], id: String, timeout: Double = 5) async -> JSONValue? {
        var body = fields
        body["token"] = .string(token)
        body["request_id"] = .string(id)
        let payload = JSONValue.object(body).serialized()
        return await waiter.wait(for: id, timeout: timeout) {
            (try? client.publish(topic: topic, payload: payload, qos: 1)) != nil
        }
    }

    func disconnect() { client.disconnect() }
}

extension JSONValue {
    /// The reply's `status`, or `error:<code>` for errors.
    var replyStatus: String {
        let status = self["status"]?.stringValue ?? "?"
        guard status == "error" else { return status }
        return "error:" + (self["error"]?["code"]?.stringValue ?? "?")
    }
}
