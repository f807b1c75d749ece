import Actors
import DequeModule
import Synchronization

/// The pushes waiting for the webhook, oldest first, bounded in count and bytes (the oldest is dropped
/// to make room). One user's pushes leave in order: only the oldest of each user is handed out, and only
/// while none of theirs is in flight or waiting out a backoff.
///
/// Every change is journaled under the lock (`record`), so the journal sees a push queued before it
/// finished; a restart replays the queue as it was. `record` failing is logged by its owner: the push
/// still goes out from memory.
final class PushQueue: Sendable {
    /// One waiting push and its retry state (not persisted: after a restart every push is due at once,
    /// and the retry window still counts from `queuedAt`).
    struct Entry: Sendable {
        var push: PendingPush
        var failures = 0
        /// Unix seconds before which it is not tried again.
        var notBefore = 0.0
    }

    /// What became of one POST.
    enum Outcome: Sendable, Equatable {
        case delivered
        /// A connection error, a timeout or a 5xx (408 and 429 too): worth trying again.
        case failed(String)
        /// Any other answer but 2xx: the gateway refuses this push; retrying would not change its mind.
        case rejected(Int)
    }

    /// Why a push left the queue without being delivered.
    enum DropReason: String, Sendable, CaseIterable {
        /// The queue's count or byte bound made room for a newer one.
        case overflow
        /// Its retries ran past the retry window.
        case expired
        /// The gateway answered 4xx.
        case rejected
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Ids in queue order; ids of pushes already gone are skipped and compacted away now and then.
        var order: Deque<String> = []
        var bytes = 0
        /// Users with a push in flight.
        var busyUsers: Set<String> = []
        var inFlight = 0
        /// Set when something changed since the last `due`, so the sender walks the queue again.
        var changed = true
        /// The earliest `notBefore` the last walk skipped.
        var nextRetry: Double?
    }

    private let state = Mutex(State())
    let limit: Int
    let byteLimit: Int
    let backoff: PushBackoff
    let metrics: PushMetrics
    private let record: @Sendable (JournalEntry) -> Void

    init(limit: Int, byteLimit: Int, backoff: PushBackoff, metrics: PushMetrics, record: @escaping @Sendable (JournalEntry) -> Void) {
        self.limit = limit
        self.byteLimit = byteLimit
        self.backoff = backoff
        self.metrics = metrics
        self.record = record
    }

    // MARK: Producers

    /// Queues `push` (journaled first), dropping the oldest pushes while the queue is over a bound.
    func enqueue(_ push: PendingPush) {
        // Alone over the byte bound: it would push out everything else and then itself.
        guard push.body.count <= byteLimit else { return metrics.dropped(1, .overflow) }
        let dropped = state.withLock { state -> Int in
            record(.pushQueued(push))
            state.entries[push.id] = Entry(push: push)
            state.order.append(push.id)
            state.bytes += push.body.count
            state.changed = true
            var dropped = 0
            while state.entries.count > limit || state.bytes > byteLimit, let oldest = state.order.popFirst() {
                guard let entry = state.entries.removeValue(forKey: oldest) else { continue }
                state.bytes -= entry.push.body.count
                record(.pushFinished(id: oldest))
                dropped += 1
            }
            publishGauges(count: state.entries.count, bytes: state.bytes)
            return dropped
        }
        if dropped > 0 { metrics.dropped(dropped, .overflow) }
    }

    // MARK: The sender

    /// Up to `max` pushes due at `now`, each the oldest of its user, none of a user with one in flight;
    /// they are in flight until ``finish(_:_:now:)``. Empty when nothing changed and no retry is due.
    func due(now: Double, max: Int) -> [PendingPush] {
        state.withLock { state in
            guard max > 0 else { return [] }
            guard state.changed || (state.nextRetry.map { $0 <= now } ?? false) else { return [] }
            state.changed = false
            state.nextRetry = nil
            if state.order.count > 2 * state.entries.count + 64 {
                state.order = Deque(state.order.filter { state.entries[$0] != nil })
            }
            var taken: [PendingPush] = []
            var seen: Set<String> = []
            for id in state.order {
                guard let entry = state.entries[id], seen.insert(entry.push.userId).inserted else { continue }
                guard !state.busyUsers.contains(entry.push.userId) else { continue }
                guard entry.notBefore <= now else {
                    state.nextRetry = min(state.nextRetry ?? entry.notBefore, entry.notBefore)
                    continue
                }
                guard taken.count < max else {
                    // More are due than were asked for: look again when one finishes.
                    state.changed = true
                    break
                }
                taken.append(entry.push)
                state.busyUsers.insert(entry.push.userId)
            }
            state.inFlight += taken.count
            return taken
        }
    }

    /// Records what became of an in-flight push: delivered and rejected ones leave the queue, failed ones
    /// wait for their next try, or leave when it would fall past the retry window.
    /// Returns why the push was dropped, if this ended it undelivered.
    @discardableResult
    func finish(_ push: PendingPush, _ outcome: Outcome, now: Double, jitter: Double = Double.random(in: 0.5...1)) -> DropReason? {
        let dropped = state.withLock { state -> DropReason? in
            state.busyUsers.remove(push.userId)
            state.inFlight -= 1
            state.changed = true
            // Dropped by the bound while in flight: nothing left to do.
            guard var entry = state.entries[push.id] else { return nil }
            var reason: DropReason?
            switch outcome {
            case .delivered:
                break
            case .rejected:
                reason = .rejected
            case .failed:
                entry.failures += 1
                if let next = backoff.nextAttempt(after: entry.failures, now: now, queuedAt: entry.push.queuedAt, jitter: jitter) {
                    entry.notBefore = next
                    state.entries[push.id] = entry
                    metrics.retried()
                    return nil
                }
                reason = .expired
            }
            state.entries[push.id] = nil
            state.bytes -= entry.push.body.count
            record(.pushFinished(id: push.id))
            publishGauges(count: state.entries.count, bytes: state.bytes)
            return reason
        }
        switch outcome {
        case .delivered: metrics.sent()
        case .failed, .rejected: metrics.failed()
        }
        if let dropped { metrics.dropped(1, dropped) }
        return dropped
    }

    /// Pushes in flight now.
    var inFlight: Int { state.withLock { $0.inFlight } }

    // MARK: Snapshots and restarts

    /// Loads recovered pushes (oldest first), all due now.
    func restore(_ pushes: [PendingPush]) {
        state.withLock { state in
            for push in pushes where state.entries[push.id] == nil {
                state.entries[push.id] = Entry(push: push)
                state.order.append(push.id)
                state.bytes += push.body.count
            }
            state.changed = true
            publishGauges(count: state.entries.count, bytes: state.bytes)
        }
    }

    /// The pushes waiting, oldest first.
    var pending: [PendingPush] {
        state.withLock { state in state.order.compactMap { state.entries[$0]?.push } }
    }

    /// Pushes waiting and their bytes.
    var size: (count: Int, bytes: Int) { state.withLock { ($0.entries.count, $0.bytes) } }

    private func publishGauges(count: Int, bytes: Int) {
        metrics.pending(count: count, bytes: bytes)
    }
}
