import MQTT

/// Where a request's reply goes (SPEC §3): the MQTT 5 Response Topic when it lies inside the user's own
/// `chat/user/{sub}/` prefix, otherwise `chat/user/{sub}/responses`.
struct ReplyChannel: Sendable {
    let topic: String
    let correlationData: [UInt8]?

    init(message: MQTTMessage, userId: String) {
        if let responseTopic = message.responseTopic, Self.isOwn(responseTopic, userId: userId) {
            topic = responseTopic
            correlationData = message.correlationData
        } else {
            topic = Inbox.responses(userId)
            correlationData = message.correlationData
        }
    }

    /// A topic a user may be answered on: inside their prefix, one concrete topic (no wildcards).
    static func isOwn(_ topic: String, userId: String) -> Bool {
        let prefix = Inbox.prefix(userId)
        return topic.hasPrefix(prefix) && topic.utf8.count > prefix.utf8.count
            && !topic.contains("+") && !topic.contains("#") && !topic.contains("\u{0}")
    }
}
