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
    /// - Throws: `MQTTError` for an invalid topic, QoS or payload size.
    public func publish(
        topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false, responseTopic: String? = nil,
        correlationData: [UInt8]? = nil, userProperties: [MQTTUserProperty] = [], deferWrite: Bool = false
    ) throws {
        try check("publish", mosquitto_pub_topic_check(topic))
        guard (0...2).contains(qos) else { throw MQTTError("publish", code: Int32(MOSQ_ERR_INVAL.rawValue)) }
        guard payload.count <= Self.maximumPayload else {
            throw MQTTError("publish", code: Int32(MOSQ_ERR_PAYLOAD_SIZE.rawValue))
        }
        let message = OutgoingPublish(
            topic: topic, payload: payload, qos: qos, retain: retain, responseTopic: responseTopic,
            correlationData: correlationData, userProperties: userProperties)
        state.withLock { state in
            state.outgoing.append(message)
            if qos > 0 { state.unacknowledged += 1 }
        }
        if !deferWrite { networkLoop.requestWrite() }
    }

    /// Wakes the network thread to send everything published with `deferWrite`.
    public func writeQueued() {
        networkLoop.requestWrite()
    }

    /// The largest payload MQTT's remaining-length field can carry, less room for the headers.
    static var maximumPayload: Int { 268_435_455 - 65_535 - 1_024 }

    /// Moves queued publishes into libmosquitto while the in-flight window has room; network thread only.
    func handOverQueued() {
        let window = Int(configuration.sendMaximum)
        while true {
            let batch = state.withLock { state -> [OutgoingPublish] in
                guard state.connected else { return [] }
                var batch: [OutgoingPublish] = []
                var room = window - state.inFlight.count
                while let next = state.outgoing.first, next.qos == 0 || room > 0 {
                    if next.qos > 0 { room -= 1 }
                    batch.append(state.outgoing.removeFirst())
                }
                return batch
            }
            if batch.isEmpty { return }
            var sent: [Int32] = []
            var dropped = 0
            for message in batch {
                let (rc, mid) = message.send(through: handle)
                // A QoS ≥ 1 message libmosquitto could not write yet (connection just lost) stays in its
                // session and is sent again after the reconnect; only other errors lose it.
                if rc == MOSQ_ERR_SUCCESS.rawValue || (rc == MOSQ_ERR_NO_CONN.rawValue && message.qos > 0) {
                    if message.qos > 0 { sent.append(mid) }
                } else {
                    if message.qos > 0 { dropped += 1 }
                    logger.warning("publish failed", metadata: [
                        "topic": "\(message.topic)", "error": "\(MQTTError("publish", code: rc))",
                    ])
                }
            }
            state.withLock { state in
                state.inFlight.formUnion(sent)
                state.unacknowledged -= dropped
            }
        }
    }

    /// Whether the connection is up and only acknowledgements and keep-alive answers can arrive on it.
    func receivesOnlyAcknowledgements() -> Bool {
        state.withLock { $0.connected && $0.subscriptions.isEmpty }
    }

    /// Records the broker's acknowledgement of a QoS ≥ 1 publish (libmosquitto also reports written QoS 0 ones).
    func didAcknowledge(mid: Int32) {
        state.withLock { state in
            if state.inFlight.remove(mid) != nil { state.unacknowledged -= 1 }
        }
    }
}
