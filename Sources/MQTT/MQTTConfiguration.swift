/// How an `MQTTClient` connects to its broker.
public struct MQTTConfiguration: Sendable {
    /// Broker host name or address.
    public var host: String
    /// Broker TCP port.
    public var port: Int
    /// Brokers to move to, in order, when the one in use goes away (the nodes of a clustered broker).
    public var fallbacks: [MQTTBrokerAddress]
    /// MQTT client identifier; a persistent session is keyed by it, so it must be stable across restarts.
    public var clientID: String
    /// Broker user name, if the broker requires one.
    public var username: String?
    /// Broker password, used only with `username`.
    public var password: String?
    /// Keep-alive interval in seconds.
    public var keepAlive: Int
    /// `false` keeps the broker-side session (subscriptions and queued QoS ≥ 1 messages) across reconnects.
    public var cleanStart: Bool
    /// How long the broker keeps the session after a disconnect, in seconds (MQTT 5).
    public var sessionExpiry: UInt32
    /// First reconnect delay in seconds; doubles up to `reconnectDelayMax`.
    public var reconnectDelay: UInt32
    /// Upper bound of the reconnect delay in seconds.
    public var reconnectDelayMax: UInt32
    /// Outgoing QoS ≥ 1 messages in flight before libmosquitto queues further ones locally.
    public var sendMaximum: Int32

    /// - Parameters:
    ///   - host: broker host (default loopback).
    ///   - port: broker port (default 1883).
    ///   - fallbacks: brokers tried after `host:port`, in order, when it cannot be reached.
    ///   - clientID: stable client identifier.
    ///   - username: broker user name, or nil.
    ///   - password: broker password, or nil.
    ///   - keepAlive: seconds between pings when idle.
    ///   - cleanStart: whether to discard the broker session on connect.
    ///   - sessionExpiry: seconds the broker keeps the session after a disconnect.
    ///   - reconnectDelay: first reconnect delay in seconds.
    ///   - reconnectDelayMax: largest reconnect delay in seconds.
    ///   - sendMaximum: QoS ≥ 1 publishes in flight at once.
    public init(
        host: String = "127.0.0.1",
        port: Int = 1883,
        fallbacks: [MQTTBrokerAddress] = [],
        clientID: String,
        username: String? = nil,
        password: String? = nil,
        keepAlive: Int = 30,
        cleanStart: Bool = true,
        sessionExpiry: UInt32 = 0,
        reconnectDelay: UInt32 = 1,
        reconnectDelayMax: UInt32 = 30,
        sendMaximum: Int32 = 1000
    ) {
        self.host = host
        self.port = port
        self.fallbacks = fallbacks
        self.clientID = clientID
        self.username = username
        self.password = password
        self.keepAlive = keepAlive
        self.cleanStart = cleanStart
        self.sessionExpiry = sessionExpiry
        self.reconnectDelay = reconnectDelay
        self.reconnectDelayMax = reconnectDelayMax
        self.sendMaximum = sendMaximum
    }

    /// Every broker, the first one first.
    public var addresses: [MQTTBrokerAddress] { [MQTTBrokerAddress(host: host, port: port)] + fallbacks }
}
