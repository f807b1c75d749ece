import CMosquitto
import DequeModule
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An MQTT 5 client over libmosquitto, with one network thread of its own (`MQTTNetworkLoop`).
///
/// Incoming messages are offered to the receiver on the network thread, which must never block or run
/// application logic there. A receiver that cannot take a message now declines it: the client holds it
/// and stops reading the socket until the receiver takes it, so the broker is pushed back (TCP flow
/// control) while the thread goes on writing and keeping the connection alive. Publishing is
/// thread-safe and never blocks on the network; publishes queued together leave together.
// libmosquitto serializes access to the handle with its own mutexes once told another thread drives it.
public final class MQTTClient: @unchecked Sendable {
    /// Called on libmosquitto's network thread for every PUBLISH received.
    public typealias MessageHandler = @Sendable (MQTTMessage) -> Void
    /// Called on the network thread for every PUBLISH received, in order; false declines it for now, and
    /// it is offered again (before any later one) every millisecond. Decline for less than twice the
    /// keep-alive: libmosquitto closes a connection whose ping answer it has not read by then.
    public typealias MessageOffer = @Sendable (MQTTMessage) -> Bool
    /// Called on the network thread when the connection comes up (`true`) or goes down (`false`).
    public typealias ConnectionHandler = @Sendable (Bool) -> Void

    public let configuration: MQTTConfiguration
    let logger: Logger
    let offer: MessageOffer
    let onConnectionChange: ConnectionHandler?
    let handle: OpaquePointer
    let networkLoop: MQTTNetworkLoop
    let state = Mutex(State())
    /// Received messages the receiver declined, oldest first; the socket is not read while any wait. Only
    /// the network thread (libmosquitto's callbacks and the loop) touches it, so it needs no lock.
    var declined = Deque<MQTTMessage>()

    struct State {
        var subscriptions: [MQTTSubscription] = []
        var obsoleteFilters: [String] = []
        var pendingSubscribeMIDs: Set<Int32> = []
        /// Subscriptions made or dropped after `connect`, for the network thread to send.
        var subscriptionChanges: [SubscriptionChange] = []
        /// Callers of `subscribe(_:)` waiting for their SUBACK, by message id.
        var subscriptionWaiters: [Int32: CheckedContinuation<Void, Never>] = [:]
        var subscribedWaiters: [CheckedContinuation<Void, Never>] = []
        var subscribedOnce = false
        /// The reason code of a broker that refused the first connection (bad credentials, say).
        var refusal: Int32?
        var connected = false
        var loopRunning = false
        var reconnects = 0
        /// Publishes not yet handed to libmosquitto.
        var outgoing = Deque<OutgoingPublish>()
        /// Message ids of QoS ≥ 1 publishes libmosquitto holds until their acknowledgement.
        var inFlight = Set<Int32>()
        /// Publishes to coalescing topics that wait for their topic's acknowledgement.
        var coalescing = CoalescingTopics()
        /// QoS ≥ 1 publishes handed to libmosquitto at once: `sendMaximum`, or less if the broker's CONNACK
        /// announced a smaller Receive Maximum (mosquitto's default is 20). Beyond it libmosquitto would only
        /// queue them itself, and the acknowledgement batching must fit in it.
        var window = 1
        /// Which of `configuration.addresses` the connection is to (or was last).
        var brokerIndex = 0

        /// Whether a QoS ≥ 1 publish waits here or in flight (a queue mostly empty, and scanned to its
        /// first QoS ≥ 1 entry only).
        var hasUnacknowledged: Bool { !inFlight.isEmpty || outgoing.contains { $0.qos > 0 } || !coalescing.isEmpty }
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
    public convenience init(
        configuration: MQTTConfiguration,
        logger: Logger,
        onConnectionChange: ConnectionHandler? = nil,
        onMessage: @escaping MessageHandler
    ) throws {
        try self.init(configuration: configuration, logger: logger, onConnectionChange: onConnectionChange) { message in
            onMessage(message)
            return true
        }
    }

    /// Creates a client whose receiver may decline messages it cannot take yet; nothing is sent until
    /// `connect(subscriptions:)`.
    /// - Parameters:
    ///   - configuration: broker address, identity and session settings.
    ///   - logger: where connection events are logged.
    ///   - onConnectionChange: observer of connection state, called on the network thread.
    ///   - offer: receiver of every incoming PUBLISH, called on the network thread; see `MessageOffer`.
    public init(
        configuration: MQTTConfiguration,
        logger: Logger,
        onConnectionChange: ConnectionHandler? = nil,
        offer: @escaping MessageOffer
    ) throws {
        precondition(Self.libraryInitialized)
        self.configuration = configuration
        self.logger = logger
        self.offer = offer
        self.onConnectionChange = onConnectionChange
        guard let handle = mosquitto_new(configuration.clientID, configuration.cleanStart, nil) else {
            throw MQTTError("mosquitto_new", code: Int32(MOSQ_ERR_NOMEM.rawValue))
        }
        self.handle = handle
        do {
            networkLoop = try MQTTNetworkLoop(
                handle: handle, name: String(configuration.clientID.suffix(10)), reconnectDelay: configuration.reconnectDelay,
                reconnectDelayMax: configuration.reconnectDelayMax)
        } catch {
            mosquitto_destroy(handle)
            throw error
        }
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        try check("protocol version", mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5))
        // Every request and every event crosses the broker twice; Nagle would add milliseconds to each hop.
        try check("tcp nodelay", mosquitto_int_option(handle, MOSQ_OPT_TCP_NODELAY, 1))
        try check("send maximum", mosquitto_int_option(handle, MOSQ_OPT_SEND_MAXIMUM, configuration.sendMaximum))
        if let username = configuration.username {
            try check("credentials", mosquitto_username_pw_set(handle, username, configuration.password))
        }
        installCallbacks()
    }

    deinit {
        // The network thread uses the handle; it must be gone before the handle is.
        disconnect()
        mosquitto_destroy(handle)
    }

    /// Whether the broker connection is up.
    public var isConnected: Bool { state.withLock { $0.connected } }

    /// How many times the connection came back after being lost.
    public var reconnectCount: Int { state.withLock { $0.reconnects } }

    /// Connects, retrying with backoff until the broker answers, then subscribes and waits for every SUBACK.
    ///
    /// After this returns, the network thread reconnects by itself and re-subscribes on every reconnect.
    /// - Parameters:
    ///   - subscriptions: filters to keep subscribed.
    ///   - unsubscribing: filters a persistent session may still hold from an earlier version of the
    ///     application; they are unsubscribed before subscribing, on every connect.
    public func connect(subscriptions: [MQTTSubscription] = [], unsubscribing: [String] = []) async throws {
        state.withLock {
            $0.subscriptions = subscriptions
            $0.obsoleteFilters = unsubscribing
        }
        var delay: UInt64 = 100_000_000
        while true {
            let rc = connect(toBrokerAt: nil)
            if rc == MOSQ_ERR_SUCCESS.rawValue { break }
            logger.warning("broker connect failed, retrying", metadata: [
                "brokers": "\(configuration.addresses.map(\.description).joined(separator: ","))",
                "error": "\(MQTTError("connect", code: rc))",
            ])
            try await Task.sleep(nanoseconds: delay)
            delay = min(delay * 2, UInt64(configuration.reconnectDelayMax) * 1_000_000_000)
        }
        try networkLoop.start(MQTTNetworkLoop.Client(
            handOver: { [unowned self] in handOverQueued() },
            reconnect: { [unowned self] in reconnect() },
            readable: { [unowned self] in offerDeclined() },
            acknowledgements: { [unowned self] in acknowledgementState() }))
        state.withLock { $0.loopRunning = true }
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.subscribedOnce { return true }
                state.subscribedWaiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
        if let refusal = state.withLock({ $0.refusal }) {
            throw MQTTError(refusedWith: refusal)
        }
    }

    /// Waits until the broker has acknowledged every QoS ≥ 1 publish, or `timeout` seconds pass.
    /// - Returns: whether everything was acknowledged.
    @discardableResult
    public func flush(timeout: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while state.withLock({ $0.hasUnacknowledged }) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Sends DISCONNECT and stops the network thread; queued QoS ≥ 1 messages stay in the broker session.
    public func disconnect() {
        let (running, waiters) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
            defer {
                state.loopRunning = false
                state.subscriptionWaiters.removeAll()
                state.subscriptionChanges.removeAll()
            }
            // Callers of `subscribe` still waiting get their answer: there will be no SUBACK.
            let queued = state.subscriptionChanges.compactMap { change -> CheckedContinuation<Void, Never>? in
                if case .subscribe(_, let waiter) = change { waiter } else { nil }
            }
            return (state.loopRunning, Array(state.subscriptionWaiters.values) + queued)
        }
        for waiter in waiters { waiter.resume() }
        mosquitto_disconnect_v5(handle, 0, nil)
        if running { networkLoop.stop() }
    }

    /// Connects to each broker in turn, starting with `first` (or the one used last) and stopping at the
    /// first that accepts the connection; returns libmosquitto's result of the last attempt. Only `connect`
    /// (before the network thread runs) and the network thread call it.
    func connect(toBrokerAt first: Int?) -> Int32 {
        let addresses = configuration.addresses
        let start = first ?? state.withLock { $0.brokerIndex }
        var props: OpaquePointer?
        defer { mosquitto_property_free_all(&props) }
        if configuration.sessionExpiry > 0 {
            mosquitto_property_add_int32(&props, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), configuration.sessionExpiry)
        }
        var rc = Int32(MOSQ_ERR_NO_CONN.rawValue)
        for step in 0..<addresses.count {
            let index = (start + step) % addresses.count
            let address = addresses[index]
            rc = mosquitto_connect_bind_v5(handle, address.host, Int32(address.port), Int32(configuration.keepAlive), nil, props)
            if rc == MOSQ_ERR_SUCCESS.rawValue {
                state.withLock { $0.brokerIndex = index }
                return rc
            }
        }
        return rc
    }

    /// Reconnects after the connection was lost, on the network thread: to the same broker (it may only
    /// have restarted), else to the next that answers.
    func reconnect() -> Bool {
        if mosquitto_reconnect(handle) == MOSQ_ERR_SUCCESS.rawValue { return true }
        guard !configuration.fallbacks.isEmpty else { return false }
        let next = (state.withLock { $0.brokerIndex } + 1) % configuration.addresses.count
        return connect(toBrokerAt: next) == MOSQ_ERR_SUCCESS.rawValue
    }

    /// The broker in use (or last used).
    public var broker: MQTTBrokerAddress { configuration.addresses[state.withLock { $0.brokerIndex }] }

    func check(_ operation: String, _ rc: Int32) throws {
        if rc != MOSQ_ERR_SUCCESS.rawValue { throw MQTTError(operation, code: rc) }
    }
}
