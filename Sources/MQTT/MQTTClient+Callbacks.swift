import CMosquitto
import Logging

// libmosquitto takes plain C function pointers, so each callback finds its client through the user data.
extension MQTTClient {
    static func from(_ userData: UnsafeMutableRawPointer?) -> MQTTClient? {
        guard let userData else { return nil }
        return Unmanaged<MQTTClient>.fromOpaque(userData).takeUnretainedValue()
    }

    func installCallbacks() {
        mosquitto_connect_v5_callback_set(handle) { _, userData, rc, _, props in
            MQTTClient.from(userData)?.didConnect(rc: rc, brokerReceiveMaximum: MQTTProperties.receiveMaximum(props))
        }
        mosquitto_disconnect_v5_callback_set(handle) { _, userData, rc, _ in
            MQTTClient.from(userData)?.didDisconnect(rc: rc)
        }
        mosquitto_subscribe_v5_callback_set(handle) { _, userData, mid, _, _, _ in
            MQTTClient.from(userData)?.didSubscribe(mid: mid)
        }
        mosquitto_publish_v5_callback_set(handle) { _, userData, mid, _, _ in
            MQTTClient.from(userData)?.didAcknowledge(mid: mid)
        }
        mosquitto_message_v5_callback_set(handle) { _, userData, message, props in
            guard let client = MQTTClient.from(userData), let message else { return }
            client.didReceive(message.pointee, props: props)
        }
    }

    func didConnect(rc: Int32, brokerReceiveMaximum: Int) {
        guard rc == 0 else {
            logger.error("broker refused the connection", metadata: ["reason": "\(MQTTError(refusedWith: rc))"])
            // A refusal before the client ever got in is a setting to fix (credentials, client id):
            // `connect` fails with it instead of waiting for ever.
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                guard !state.subscribedOnce else { return [] }
                state.refusal = rc
                defer { state.subscribedWaiters.removeAll() }
                return state.subscribedWaiters
            }
            for waiter in waiters { waiter.resume() }
            return
        }
        let (subscriptions, obsolete, isReconnect, orphans) = state.withLock { state in
            state.connected = true
            state.window = min(Int(configuration.sendMaximum), brokerReceiveMaximum)
            state.outgoing.append(contentsOf: state.coalescing.reset())
            if state.subscribedOnce { state.reconnects += 1 }
            state.pendingSubscribeMIDs.removeAll()
            // SUBSCRIBEs lost with the old connection: their filters are among those sent below.
            defer { state.subscriptionWaiters.removeAll() }
            return (state.subscriptions, state.obsoleteFilters, state.subscribedOnce, Array(state.subscriptionWaiters.values))
        }
        for waiter in orphans { waiter.resume() }
        logger.info(isReconnect ? "reconnected to broker" : "connected to broker", metadata: [
            "broker": "\(broker)", "client_id": "\(configuration.clientID)",
        ])
        onConnectionChange?(true)
        // Sent before the SUBSCRIBEs, which the broker handles after it.
        for filter in obsolete {
            let rc = mosquitto_unsubscribe(handle, nil, filter)
            if rc != MOSQ_ERR_SUCCESS.rawValue {
                logger.error("unsubscribe failed", metadata: ["filter": "\(filter)", "error": "\(MQTTError("unsubscribe", code: rc))"])
            }
        }
        if subscriptions.isEmpty {
            markSubscribed()
            return
        }
        for subscription in subscriptions {
            if let mid = sendSubscribe(subscription) {
                state.withLock { _ = $0.pendingSubscribeMIDs.insert(mid) }
            }
        }
    }

    /// Sends one SUBSCRIBE; network thread only. Returns its message id, or nil (logged) if it could not be sent.
    func sendSubscribe(_ subscription: MQTTSubscription) -> Int32? {
        var props: OpaquePointer?
        if let identifier = subscription.identifier {
            mosquitto_property_add_varint(&props, Int32(MQTT_PROP_SUBSCRIPTION_IDENTIFIER.rawValue), identifier)
        }
        var options: Int32 = subscription.noLocal ? Int32(MQTT_SUB_OPT_NO_LOCAL.rawValue) : 0
        if subscription.excludesRetained {
            options |= Int32(MQTT_SUB_OPT_SEND_RETAIN_NEVER.rawValue) | Int32(MQTT_SUB_OPT_RETAIN_AS_PUBLISHED.rawValue)
        }
        var mid: Int32 = 0
        // The SUBACK can arrive before the caller records the mid only if this thread yields, which the
        // network thread does not do before its caller has recorded it.
        let rc = mosquitto_subscribe_v5(handle, &mid, subscription.filter, subscription.qos, options, props)
        mosquitto_property_free_all(&props)
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            logger.error("subscribe failed", metadata: [
                "filter": "\(subscription.filter)", "error": "\(MQTTError("subscribe", code: rc))",
            ])
            return nil
        }
        return mid
    }

    func didSubscribe(mid: Int32) {
        let (waiter, done) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Bool) in
            if let waiter = state.subscriptionWaiters.removeValue(forKey: mid) { return (waiter, false) }
            state.pendingSubscribeMIDs.remove(mid)
            return (nil, state.pendingSubscribeMIDs.isEmpty)
        }
        waiter?.resume()
        if done { markSubscribed() }
    }

    func markSubscribed() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.subscribedOnce = true
            defer { state.subscribedWaiters.removeAll() }
            return state.subscribedWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func didDisconnect(rc: Int32) {
        state.withLock { $0.connected = false }
        if rc != 0 {
            logger.warning("lost broker connection, reconnecting", metadata: ["reason": "\(rc)"])
        }
        onConnectionChange?(false)
    }

    func didReceive(_ message: mosquitto_message, props: OpaquePointer?) {
        let payload: [UInt8]
        if let bytes = message.payload, message.payloadlen > 0 {
            payload = Array(UnsafeRawBufferPointer(start: bytes, count: Int(message.payloadlen)))
        } else {
            payload = []
        }
        var received = MQTTMessage(
            topic: message.topic.map { String(cString: $0) } ?? "",
            payload: payload,
            qos: message.qos,
            retain: message.retain
        )
        if props != nil {
            received.responseTopic = MQTTProperties.responseTopic(props)
            received.correlationData = MQTTProperties.correlationData(props)
            received.userProperties = MQTTProperties.userProperties(props)
            received.subscriptionIdentifiers = MQTTProperties.subscriptionIdentifiers(props)
        }
        if !declined.isEmpty || !offer(received) {
            declined.append(received)
        }
    }

    /// Offers the declined messages again, oldest first; network thread only. Returns whether all were
    /// taken, so the socket may be read again.
    func offerDeclined() -> Bool {
        while let next = declined.first {
            guard offer(next) else { return false }
            declined.removeFirst()
        }
        return true
    }
}
