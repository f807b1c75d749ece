/// One request as a transport received it, before the pipeline (classify → admit → lane → middleware →
/// handler) takes it. MQTT, the WebSocket gateway and the HTTP API each make one of these, and nothing
/// past this point knows which of them it came from.
public struct InboundRequest: Sendable {
    /// The request topic, `chat/…`: it selects the route.
    public let topic: String
    /// The JSON payload, undecoded: the pipeline decodes it off the transport's thread when it is large.
    public let payload: [UInt8]
    /// Who the transport says sent it.
    public let credentials: Credentials
    /// Where the reply goes.
    public let replyTo: ReplyAddress
    /// A de-duplication key the transport carried beside the payload (HTTP's `Idempotency-Key`); the
    /// payload's own `request_id` wins. Either way one key names one request on every transport.
    public let idempotencyKey: String?

    public init(
        topic: String, payload: [UInt8], credentials: Credentials, replyTo: ReplyAddress = .inbox(),
        idempotencyKey: String? = nil
    ) {
        self.topic = topic
        self.payload = payload
        self.credentials = credentials
        self.replyTo = replyTo
        self.idempotencyKey = idempotencyKey
    }

    public enum Credentials: Sendable {
        /// Only what the payload carries (`token`), if anything.
        case payloadOnly
        /// A bearer token from beside the payload (an MQTT 5 `authorization` property, the socket's
        /// token, an HTTP `Authorization` header); a `token` in the payload still wins.
        case bearer(String)
        /// A user the transport authenticated itself and speaks for (a closing WebSocket's "device
        /// offline", sent when its token may have expired): not verified again, not rate limited.
        case verified(Identity)
    }
}

/// Where a request's reply goes.
public enum ReplyAddress: Sendable {
    /// Published to the caller's inbox: the response topic they asked for when it lies inside their own
    /// `chat/user/{id}/` prefix, else `chat/user/{id}/responses`, with their correlation data.
    case inbox(responseTopic: String? = nil, correlationData: [UInt8]? = nil)
    /// Handed to a transport that holds the caller's connection open for it (an HTTP response), and
    /// published nowhere. Such a caller is answered even when nobody could be named: a request without
    /// a valid token gets `unauthorized`, which over MQTT would have no inbox to go to.
    case waiting(ReplySink)

    /// Whether a transport holds the caller's connection open for the reply.
    var isWaiting: Bool {
        if case .waiting = self { return true }
        return false
    }
}

/// The transport end of a `ReplyAddress.waiting` request: called once with the reply's bytes.
public struct ReplySink: Sendable {
    let deliver: @Sendable ([UInt8]) -> Void

    public init(_ deliver: @escaping @Sendable ([UInt8]) -> Void) {
        self.deliver = deliver
    }
}
