import NIOCore

/// An outbox that also hands everything published to `chat/user/{id}/…` to that user's open WebSockets
/// and event streams, in publish order, each in its own framing (the payload bytes are the JSON already
/// encoded for MQTT, spliced in, not encoded again).
struct GatewayOutbox: Outbox {
    let base: any Outbox
    let sockets: SocketRegistry

    func publish(topic: String, payload: [UInt8], correlationData: [UInt8]?) {
        base.publish(topic: topic, payload: payload, correlationData: correlationData)
        copyToSockets(topic: topic, payload: payload)
    }

    func publish(payload: [UInt8], toEach topics: [String]) {
        base.publish(payload: payload, toEach: topics)
        for topic in topics { copyToSockets(topic: topic, payload: payload) }
    }

    /// A socket user hears a room topic's events in their own `messages` frames: pages do not know
    /// room topics, and the engine need not subscribe to them for its sockets.
    func publish(payload: [UInt8], toRoomTopic topic: String, members: [String]) {
        base.publish(payload: payload, toRoomTopic: topic, members: members)
        guard sockets.count > 0 else { return }
        for member in members { copyToSockets(topic: Inbox.messages(member), payload: payload) }
    }

    private func copyToSockets(topic: String, payload: [UInt8]) {
        guard sockets.count > 0, let userId = Inbox.owner(of: topic) else { return }
        let targets = sockets.sockets(of: userId)
        guard !targets.isEmpty else { return }
        var envelope: ByteBuffer?
        var event: ByteBuffer?
        for socket in targets {
            let frame: ByteBuffer
            switch socket.kind {
            case .webSocket:
                frame = envelope ?? GatewayFrame.envelope(topic: topic, payload: payload)
                envelope = frame
            case .eventStream:
                frame = event ?? GatewayFrame.event(topic: topic, payload: payload)
                event = frame
            }
            socket.enqueue(frame)
        }
    }
}
