import MQTT
import Wire

extension ChatEngine {
    /// Takes a request a transport makes for a user it authenticated itself, without a token: the
    /// WebSocket gateway's "this socket's device is offline" when a socket closes, whose token may have
    /// expired by then. It goes to its route's lane like any request; it is not rate limited (one per
    /// closed socket, and sockets per user are capped). Dropped when it matches no route.
    func submit(_ message: MQTTMessage, onBehalfOf user: Identity) {
        guard let (match, key) = Self.classify(message, router: router), let match,
              case .object(let payload)? = try? JSONParser.parse(message.payload, maxDepth: 32)
        else { return }
        let inbound = RequestProcessor.Inbound(message: message, match: match, payload: payload, user: user, now: services.now())
        if !dispatcher.submit(.admitted(inbound), key: match.laneKey(admittedFor: user.userId, classified: key)) { processor.refuseBusy(inbound) }
    }
}
