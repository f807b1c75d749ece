import Actors
import Hummingbird
import Wire

/// The gateway's frame format: `{"topic": "chat/…", "payload": {…}}` in both directions.
enum GatewayFrame {
    /// A request read from a client's frame.
    struct Request: Sendable, Equatable {
        /// The request topic, e.g. `chat/message/r1`.
        let topic: String
        /// The payload as the pipeline reads it: the frame's `payload` object without any `token` (a
        /// socket acts only as the user it authenticated as) and, on presence routes, with the socket's own
        /// `device` (a socket speaks only for itself).
        let payload: [UInt8]
    }

    /// Why a frame is refused before it reaches the pipeline, with what the error reply echoes.
    struct Refusal: Error, Sendable {
        let error: ChatError
        let topic: String
        let requestId: String?
    }

    /// An outbound frame: the topic, JSON-escaped, and the payload bytes spliced in as they are.
    static func envelope(topic: String, payload: [UInt8]) -> ByteBuffer {
        let topicJSON = JSONValue.string(topic).serialized()
        var buffer = ByteBufferAllocator().buffer(capacity: payload.count + topicJSON.count + 24)
        buffer.writeString("{\"topic\":")
        buffer.writeBytes(topicJSON)
        buffer.writeString(",\"payload\":")
        buffer.writeBytes(payload)
        buffer.writeString("}")
        return buffer
    }

    /// A server-sent event (SPEC §11): `event:` is the topic's last level (`messages`, `notifications`,
    /// `responses`), `data:` the payload, which is one line (the engine's JSON never holds a raw newline).
    static func event(topic: String, payload: [UInt8]) -> ByteBuffer {
        let name = topic.split(separator: "/").last.map(String.init) ?? "message"
        var buffer = ByteBufferAllocator().buffer(capacity: payload.count + name.utf8.count + 16)
        buffer.writeString("event: ")
        buffer.writeString(name)
        buffer.writeString("\ndata: ")
        buffer.writeBytes(payload)
        buffer.writeString("\n\n")
        return buffer
    }

    /// Reads a client's text frame from a socket that is presence device `device`.
    static func request(from bytes: [UInt8], device: String? = nil) -> Result<Request, Refusal> {
        guard case .object(let frame)? = try? JSONParser.parse(bytes, maxDepth: 32) else {
            return .failure(Refusal(error: ChatError(.invalidPayload, "a frame must be a JSON object {\"topic\": …, \"payload\": {…}}"), topic: "", requestId: nil))
        }
        let requestId = frame["payload"]?["request_id"]?.stringValue.flatMap { $0.utf8.count <= 128 ? $0 : nil }
        guard let topic = frame["topic"]?.stringValue else {
            return .failure(Refusal(error: ChatError(.invalidPayload, "the frame has no string 'topic'"), topic: "", requestId: requestId))
        }
        func refuse(_ code: ChatError.Code, _ message: String) -> Result<Request, Refusal> {
            .failure(Refusal(error: ChatError(code, message), topic: topic, requestId: requestId))
        }
        guard topic.hasPrefix("chat/"), !topic.contains("+"), !topic.contains("#"), !topic.contains("\u{0}") else {
            return refuse(.unknownRoute, "a request topic starts with chat/ and has no wildcards")
        }
        guard !topic.hasPrefix("chat/user/") else {
            return refuse(.forbidden, "clients do not publish under chat/user/")
        }
        guard case .object(var payload)? = frame["payload"] ?? .object([:]) else {
            return refuse(.invalidPayload, "'payload' must be a JSON object")
        }
        payload["token"] = nil
        if let device, topic.hasPrefix(presencePrefix) { payload["device"] = .string(device) }
        return .success(Request(topic: topic, payload: JSONValue.object(payload).serialized()))
    }

    /// Topics of the presence routes, whose `device` the gateway sets.
    static let presencePrefix = "chat/presence/"

    /// The error reply for a refused frame, as it would arrive from the engine on `chat/user/{id}/responses`.
    static func refusal(_ refusal: Refusal, userId: String) -> ByteBuffer {
        envelope(
            topic: Inbox.responses(userId),
            payload: RequestProcessor.encode(refusal.error, topic: refusal.topic, requestId: refusal.requestId))
    }
}
