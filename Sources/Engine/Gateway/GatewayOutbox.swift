/// An outbox that also hands everything published to `chat/user/{id}/…` to that user's open WebSockets,
/// in publish order, as `{"topic": …, "payload": …}` frames (the payload bytes are the JSON already
/// encoded for MQTT, spliced in, not encoded again).
struct GatewayOutbox: Outbox {
    let base: any Outbox
    let sockets: SocketRegistry

    func publish(topic: String, payload: [UInt8], correlationData: [UInt8]?) {
        base.publish(topic: topic, payload: payload, correlationData: correlationData)
        guard sockets.count > 0, let userId = Self.inboxOwner(topic) else { return }
        let targets = sockets.sockets(of: userId)
        guard !targets.isEmpty else { return }
        let frame = GatewayFrame.envelope(topic: topic, payload: payload)
        for socket in targets { socket.enqueue(frame) }
    }

    /// The `{id}` of a `chat/user/{id}/…` topic, or nil for any other topic.
    static func inboxOwner(_ topic: String) -> Substring? {
        let prefix = "chat/user/"
        guard topic.hasPrefix(prefix) else { return nil }
        let rest = topic.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex else { return nil }
        return rest[..<slash]
    }
}
