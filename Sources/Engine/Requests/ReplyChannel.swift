/// Where one request's reply goes (SPEC §3), once the caller is known.
enum ReplyChannel: Sendable {
    case topic(String, correlationData: [UInt8]?)
    case waiting(ReplySink)

    init(_ address: ReplyAddress, userId: String) {
        switch address {
        case .inbox(let responseTopic, let correlationData):
            if let responseTopic, Self.isOwn(responseTopic, userId: userId) {
                self = .topic(responseTopic, correlationData: correlationData)
            } else {
                self = .topic(Inbox.responses(userId), correlationData: correlationData)
            }
        case .waiting(let sink):
            self = .waiting(sink)
        }
    }

    /// A topic a user may be answered on: inside their prefix, one concrete topic (no wildcards).
    static func isOwn(_ topic: String, userId: String) -> Bool {
        let prefix = Inbox.prefix(userId)
        return topic.hasPrefix(prefix) && topic.utf8.count > prefix.utf8.count
            && !topic.contains("+") && !topic.contains("#") && !topic.contains("\u{0}")
    }
}

extension Outbox {
    /// Sends a reply: published to its topic, or handed to the transport waiting for it.
    func reply(_ payload: [UInt8], via channel: ReplyChannel) {
        switch channel {
        case .topic(let topic, let correlationData):
            publish(topic: topic, payload: payload, correlationData: correlationData)
        case .waiting(let sink):
            sink.deliver(payload)
        }
    }
}
