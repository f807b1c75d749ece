import CMosquitto

/// A subscription made or dropped after `connect`, waiting for the network thread.
enum SubscriptionChange {
    case subscribe(MQTTSubscription, CheckedContinuation<Void, Never>)
    case unsubscribe(String)
}

extension MQTTClient {
    /// Subscribes to one more filter, kept across reconnects like those given to `connect`; returns when
    /// the broker has answered (a refusal, e.g. by its ACL, is an answer too: MQTT says so only in the
    /// SUBACK's reason code).
    public func subscribe(_ subscription: MQTTSubscription) async {
        await withCheckedContinuation { continuation in
            state.withLock { state in
                state.subscriptions.removeAll { $0.filter == subscription.filter }
                state.subscriptions.append(subscription)
                state.subscriptionChanges.append(.subscribe(subscription, continuation))
            }
            networkLoop.requestWrite()
        }
    }

    /// Drops a filter from the subscriptions, now and on later reconnects.
    public func unsubscribe(_ filter: String) {
        state.withLock { state in
            state.subscriptions.removeAll { $0.filter == filter }
            state.subscriptionChanges.append(.unsubscribe(filter))
        }
        networkLoop.requestWrite()
    }

    /// Sends the subscriptions made or dropped since the last turn; network thread only. While the
    /// connection is down they wait: the next connect subscribes to everything anyway, and a waiter is
    /// answered by the SUBACK of its own SUBSCRIBE sent after that.
    func sendSubscriptionChanges() {
        let changes = state.withLock { state -> [SubscriptionChange] in
            guard state.connected, !state.subscriptionChanges.isEmpty else { return [] }
            defer { state.subscriptionChanges.removeAll() }
            return state.subscriptionChanges
        }
        for change in changes {
            switch change {
            case .subscribe(let subscription, let waiter):
                if let mid = sendSubscribe(subscription) {
                    state.withLock { $0.subscriptionWaiters[mid] = waiter }
                } else {
                    waiter.resume()
                }
            case .unsubscribe(let filter):
                let rc = mosquitto_unsubscribe(handle, nil, filter)
                if rc != MOSQ_ERR_SUCCESS.rawValue {
                    logger.error("unsubscribe failed", metadata: ["filter": "\(filter)", "error": "\(MQTTError("unsubscribe", code: rc))"])
                }
            }
        }
    }
}
