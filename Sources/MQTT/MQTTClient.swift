import CMosquitto
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An MQTT 5 client over libmosquitto's threaded network loop.
///
/// libmosquitto owns one network thread per client. Incoming messages are handed to `onMessage` on that
/// thread; the handler may block to push back on the broker (TCP flow control) but must never run
/// application logic there. Publishing is thread-safe and never blocks on the network.
// libmosquitto serializes access to the handle with its own mutexes when its threaded loop runs.
public final class MQTTClient: @unchecked Sendable {
    /// Called on libmosquitto's network thread for every PUBLISH received.
    public typealias MessageHandler = @Sendable (MQTTMessage) -> Void
    /// Called on the network thread when the connection comes up (`true`) or goes down (`false`).
    public typealias ConnectionHandler = @Sendable (Bool) -> Void

    let configuration: MQTTConfiguration
    let logger: Logger
    let onMessage: MessageHandler
    let onConnectionChange: ConnectionHandler?
    let handle: OpaquePointer
    let state = Mutex(State())

    struct State {
        var subscriptions: [MQTTSubscription] = []
        var pendingSubscribeMIDs: Set<Int32> = []
        var subscribedWaiters: [CheckedContinuation<Void, Never>] = []
        var subscribedOnce = false
        var connected = false
        var loopRunning = false
        var reconnects = 0
        /// QoS ≥ 1 publishes not yet acknowledged by the broker.
        var unacknowledged = 0
    }

    private static let libraryInitialized: Bool = {
        mosquitto_lib_init()
        return true
    }()

    /// Creates a client; nothing is sent until `connect(subscriptions:)`.
    /// - Parameters:
    ///   - configuration: broker address, identity and session settings.
    ///   - logger: where connection events are logged.
    ///   - onConnectionChange: observer of connection state, called on the network thread.
    ///   - onMessage: receiver of every incoming PUBLISH, called on the network thread.
    public init(
        configuration: MQTTConfiguration,
        logger: Logger,
        onConnectionChange: ConnectionHandler? = nil,
        onMessage: @escaping MessageHandler
    ) throws {
        precondition(Self.libraryInitialized)
        self.configuration = configuration
        self.logger = logger
        self.onMessage = onMessage
        self.onConnectionChange = onConnectionChange
        guard let handle = mosquitto_new(configuration.clientID, configuration.cleanStart, nil) else {
            throw MQTTError("mosquitto_new", code: Int32(MOSQ_ERR_NOMEM.rawValue))
        }
        self.handle = handle
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        try check("protocol version", mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5))
        // Every request and every event crosses the broker twice; Nagle would add milliseconds to each hop.
        try check("tcp nodelay", mosquitto_int_option(handle, MOSQ_OPT_TCP_NODELAY, 1))
        try check("send maximum", mosquitto_int_option(handle, MOSQ_OPT_SEND_MAXIMUM, configuration.sendMaximum))
        if let username = configuration.username {
            try check("credentials", mosquitto_username_pw_set(handle, username, configuration.password))
        }
        mosquitto_reconnect_delay_set(handle, configuration.reconnectDelay, configuration.reconnectDelayMax, true)
        installCallbacks()
    }

    deinit {
        mosquitto_destroy(handle)
    }

    /// Whether the broker connection is up.
    public var isConnected: Bool { state.withLock { $0.connected } }

    /// How many times the connection came back after being lost.
    public var reconnectCount: Int { state.withLock { $0.reconnects } }

    /// Connects, retrying with backoff until the broker answers, then subscribes and waits for every SUBACK.
    ///
    /// After this returns, libmosquitto's thread reconnects by itself and re-subscribes on every reconnect.
    public func connect(subscriptions: [MQTTSubscription] = []) async throws {
        state.withLock { $0.subscriptions = subscriptions }
        var props: OpaquePointer?
        defer { mosquitto_property_free_all(&props) }
        if configuration.sessionExpiry > 0 {
            mosquitto_property_add_int32(&props, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), configuration.sessionExpiry)
        }
        var delay: UInt64 = 100_000_000
        while true {
            let rc = mosquitto_connect_bind_v5(
                handle, configuration.host, Int32(configuration.port), Int32(configuration.keepAlive), nil, props)
            if rc == MOSQ_ERR_SUCCESS.rawValue { break }
            logger.warning("broker connect failed, retrying", metadata: [
                "broker": "\(configuration.host):\(configuration.port)",
                "error": "\(MQTTError("connect", code: rc))",
            ])
            try await Task.sleep(nanoseconds: delay)
            delay = min(delay * 2, UInt64(configuration.reconnectDelayMax) * 1_000_000_000)
        }
        try check("loop start", mosquitto_loop_start(handle))
        state.withLock { $0.loopRunning = true }
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.subscribedOnce { return true }
                state.subscribedWaiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Publishes one message; thread-safe, returns once libmosquitto has queued it.
    /// - Parameters:
    ///   - topic: destination topic (no wildcards).
    ///   - payload: message bytes.
    ///   - qos: 0, 1 or 2.
    ///   - retain: whether the broker retains it.
    ///   - responseTopic: MQTT 5 Response Topic, where a request wants its reply.
    ///   - correlationData: MQTT 5 Correlation Data to attach, for replies.
    ///   - userProperties: MQTT 5 user properties.
    public func publish(
        topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false, responseTopic: String? = nil,
        correlationData: [UInt8]? = nil, userProperties: [MQTTUserProperty] = []
    ) throws {
        var props: OpaquePointer?
        defer { if props != nil { mosquitto_property_free_all(&props) } }
        if let responseTopic {
            mosquitto_property_add_string(&props, Int32(MQTT_PROP_RESPONSE_TOPIC.rawValue), responseTopic)
        }
        if let correlationData {
            correlationData.withUnsafeBytes { bytes in
                _ = mosquitto_property_add_binary(
                    &props, Int32(MQTT_PROP_CORRELATION_DATA.rawValue), bytes.baseAddress, UInt16(bytes.count))
            }
        }
        for property in userProperties {
            mosquitto_property_add_string_pair(&props, Int32(MQTT_PROP_USER_PROPERTY.rawValue), property.name, property.value)
        }
        // Counted before the call: the broker's acknowledgement can reach the network thread before
        // mosquitto_publish_v5 returns here.
        if qos > 0 { state.withLock { $0.unacknowledged += 1 } }
        let rc = payload.withUnsafeBytes { bytes in
            mosquitto_publish_v5(handle, nil, topic, Int32(bytes.count), bytes.baseAddress, qos, retain, props)
        }
        if rc != MOSQ_ERR_SUCCESS.rawValue && qos > 0 { state.withLock { $0.unacknowledged -= 1 } }
        try check("publish", rc)
    }

    /// Waits until the broker has acknowledged every QoS ≥ 1 publish, or `timeout` seconds pass.
    /// - Returns: whether everything was acknowledged.
    @discardableResult
    public func flush(timeout: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while state.withLock({ $0.unacknowledged > 0 }) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Sends DISCONNECT and stops the network thread; queued QoS ≥ 1 messages stay in the broker session.
    public func disconnect() {
        let running = state.withLock { state -> Bool in
            defer { state.loopRunning = false }
            return state.loopRunning
        }
        mosquitto_disconnect_v5(handle, 0, nil)
        if running { mosquitto_loop_stop(handle, false) }
    }

    func check(_ operation: String, _ rc: Int32) throws {
        if rc != MOSQ_ERR_SUCCESS.rawValue { throw MQTTError(operation, code: rc) }
    }
}
