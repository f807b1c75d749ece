import CMosquitto

extension MQTTClient {
    /// Publishes one message; thread-safe, never blocks on the network.
    ///
    /// The message waits in the client's own queue until the network thread hands it to libmosquitto:
    /// at most `sendMaximum` QoS ≥ 1 publishes are in libmosquitto at once, because libmosquitto 2.0 walks
    /// its whole outgoing list on every acknowledgement. With `deferWrite` the network thread is not woken
    /// for this message; call `writeQueued()` after the last of a batch, so a fan-out leaves together.
    /// - Parameters:
    ///   - topic: destination topic (no wildcards).
    ///   - payload: message bytes.
    ///   - qos: 0, 1 or 2.
    ///   - retain: whether the broker retains it.
    ///   - responseTopic: MQTT 5 Response Topic, where a request wants its reply.
    ///   - correlationData: MQTT 5 Correlation Data to attach, for replies.
    ///   - userProperties: MQTT 5 user properties.
    ///   - deferWrite: leave waking the network thread to a later `writeQueued()` or publish.
    ///   - coalescing: for a QoS ≥ 1 publish, join it with others to the same topic while one is in flight.
    ///   - after: coalescing topics whose waiting payloads must reach the broker first: this publish then
    ///     leaves right behind the joined publish carrying the last of them (a reply behind its events).
    /// - Throws: `MQTTError` for an invalid topic, QoS or payload size.
    public func publish(
        topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false, responseTopic: String? = nil,
        correlationData: [UInt8]? = nil, userProperties: [MQTTUserProperty] = [], deferWrite: Bool = false,
        coalescing: MQTTCoalescing? = nil, after: [String] = []
    ) throws {
        try check("publish", mosquitto_pub_topic_check(topic))
        guard (0...2).contains(qos) else { throw MQTTError("publish", code: Int32(MOSQ_ERR_INVAL.rawValue)) }
        guard payload.count <= Self.maximumPayload else {
            throw MQTTError("publish", code: Int32(MOSQ_ERR_PAYLOAD_SIZE.rawValue))
        }
        let message = OutgoingPublish(
            topic: topic, payload: payload, qos: qos, retain: retain, responseTopic: responseTopic,
            correlationData: correlationData, userProperties: userProperties, coalescing: qos > 0 ? coalescing : nil)
        let held = state.withLock { state in
            let held = message.coalescing != nil ? state.coalescing.holds(message) : state.coalescing.holds(message, after: after)
            if !held { state.outgoing.append(message) }
            return held
        }
        // A held publish leaves with its topic's acknowledgement, which the network thread reads anyway.
        if !deferWrite && !held { networkLoop.requestWrite() }
    }

    /// Wakes the network thread to send everything published with `deferWrite`.
    public func writeQueued() {
        networkLoop.requestWrite()
    }

    /// The largest payload MQTT's remaining-length field can carry, less room for the headers.
    static let maximumPayload = 268_435_455 - 65_535 - 1_024

    /// Moves queued publishes into libmosquitto while the in-flight window has room; network thread only.
    ///
    /// A batch leaves the queue only once libmosquitto holds it, so `flush` never sees it in neither place.
    /// Only this thread removes from the queue, so its head is still the batch when it is dropped.
    func handOverQueued() {
        sendSubscriptionChanges()
        while true {
            let batch = state.withLock { state -> [OutgoingPublish] in
                guard state.connected else { return [] }
                var count = 0
                var room = state.window - state.inFlight.count
                for next in state.outgoing {
                    if next.qos > 0 {
                        guard room > 0 else { break }
                        room -= 1
                    }
                    count += 1
                }
                return Array(state.outgoing.prefix(count))
            }
            if batch.isEmpty { return }
            var sent: [Int32] = []
            var coalescedSent: [(topic: String, mid: Int32)] = []
            var coalescedFailed: [String] = []
            for message in batch {
                let (rc, mid) = message.send(through: handle)
                // A QoS ≥ 1 message libmosquitto could not write yet (connection just lost) stays in its
                // session and is sent again after the reconnect; only other errors lose it.
                if rc == MOSQ_ERR_SUCCESS.rawValue || (rc == MOSQ_ERR_NO_CONN.rawValue && message.qos > 0) {
                    if message.qos > 0 { sent.append(mid) }
                    if message.coalescing != nil { coalescedSent.append((message.topic, mid)) }
                } else {
                    logger.warning("publish failed", metadata: [
                        "topic": "\(message.topic)", "error": "\(MQTTError("publish", code: rc))",
                    ])
                    if message.coalescing != nil { coalescedFailed.append(message.topic) }
                }
            }
            state.withLock { state in
                state.outgoing.removeFirst(batch.count)
                state.inFlight.formUnion(sent)
                for (topic, mid) in coalescedSent { state.coalescing.sent(topic, mid: mid) }
                // What waited behind a publish that was lost goes in its place, not for ever.
                for topic in coalescedFailed { state.outgoing.append(contentsOf: state.coalescing.failed(topic)) }
            }
        }
    }

    /// Whether only acknowledgements and keep-alive answers can arrive (connected, no subscriptions), how
    /// many publishes can be unacknowledged at once, and whether any are; one lock for the network
    /// thread's turn.
    func acknowledgementState() -> MQTTNetworkLoop.Acknowledgements {
        state.withLock {
            MQTTNetworkLoop.Acknowledgements(
                batched: $0.connected && $0.subscriptions.isEmpty, window: $0.window, awaited: !$0.inFlight.isEmpty)
        }
    }

    /// Records the broker's acknowledgement of a QoS ≥ 1 publish (libmosquitto also reports written QoS 0 ones).
    func didAcknowledge(mid: Int32) {
        state.withLock { state in
            state.inFlight.remove(mid)
            // Read on the network thread, which hands queued publishes over before it polls again.
            state.outgoing.append(contentsOf: state.coalescing.acknowledged(mid: mid))
        }
    }
}
