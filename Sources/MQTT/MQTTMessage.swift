/// A PUBLISH received from the broker, copied out of libmosquitto's buffers.
public struct MQTTMessage: Sendable {
    /// The topic it was published to.
    public var topic: String
    /// The raw payload.
    public var payload: [UInt8]
    /// The QoS it was delivered with.
    public var qos: Int32
    /// Whether the broker delivered it as a retained message.
    public var retain: Bool
    /// MQTT 5 Response Topic, where the publisher wants the reply.
    public var responseTopic: String?
    /// MQTT 5 Correlation Data, echoed on the reply.
    public var correlationData: [UInt8]?
    /// MQTT 5 user properties, in the order they were sent.
    public var userProperties: [MQTTUserProperty]
    /// MQTT 5 subscription identifiers of the subscriptions this copy was delivered for.
    public var subscriptionIdentifiers: [UInt32]

    /// Creates a message; used by the client and by tests that feed a dispatcher directly.
    public init(
        topic: String,
        payload: [UInt8],
        qos: Int32 = 0,
        retain: Bool = false,
        responseTopic: String? = nil,
        correlationData: [UInt8]? = nil,
        userProperties: [MQTTUserProperty] = [],
        subscriptionIdentifiers: [UInt32] = []
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.responseTopic = responseTopic
        self.correlationData = correlationData
        self.userProperties = userProperties
        self.subscriptionIdentifiers = subscriptionIdentifiers
    }

    /// The value of the first user property called `name`.
    public func userProperty(_ name: String) -> String? {
        userProperties.first { $0.name == name }?.value
    }
}

/// One MQTT 5 user property (a name/value string pair).
public struct MQTTUserProperty: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A topic filter the client keeps subscribed, re-sent after every reconnect.
public struct MQTTSubscription: Sendable, Equatable {
    /// The filter, with `+` and `#` wildcards.
    public var filter: String
    /// The maximum QoS the broker delivers with.
    public var qos: Int32
    /// MQTT 5 subscription identifier (1…268435455), or nil for none.
    public var identifier: UInt32?
    /// MQTT 5 No Local: do not receive this client's own publishes.
    public var noLocal: Bool
    /// MQTT 5 Retain Handling 2 and Retain As Published: the broker sends no stored retained message when
    /// the subscription is made, and keeps the retain flag on live publishes, so the receiver can tell a
    /// retained publish from any other.
    public var excludesRetained: Bool

    public init(filter: String, qos: Int32, identifier: UInt32? = nil, noLocal: Bool = false, excludesRetained: Bool = false) {
        self.filter = filter
        self.qos = qos
        self.identifier = identifier
        self.noLocal = noLocal
        self.excludesRetained = excludesRetained
    }
}
