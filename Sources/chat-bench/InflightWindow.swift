import Synchronization

/// Bounds a closed-loop sender's unacknowledged messages; the receive thread releases slots.
final class InflightWindow: Sendable {
    private struct State {
        var inflight = 0
        var waiter: CheckedContinuation<Void, Never>?
        var lastRelease: UInt64 = BenchClock.micros()
        var stopped = false
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = max(1, limit) }

    /// Takes a slot, waiting while `limit` messages are unacknowledged (one waiting sender at most).
    func acquire() async {
        let limit = self.limit
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.stopped || state.inflight < limit {
                    state.inflight += 1
                    return true
                }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Frees a slot (the sender saw its own message come back), handing it to a waiting sender.
    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.lastRelease = BenchClock.micros()
            guard let waiter = state.waiter else {
                state.inflight = max(0, state.inflight - 1)
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Frees a slot if the sender has waited `micros` without any release: a lost message (QoS 0)
    /// must not stall the sender for the rest of the run.
    func unstick(after micros: UInt64) {
        let stuck = state.withLock { state in
            state.waiter != nil && BenchClock.micros() - state.lastRelease > micros
        }
        if stuck { release() }
    }

    /// Lets every current and future `acquire` through, so senders finish at the deadline.
    func stop() {
        state.withLock { $0.stopped = true }
        release()
    }
}
