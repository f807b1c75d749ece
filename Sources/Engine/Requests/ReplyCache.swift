import DequeModule
import Synchronization

/// Replies by (user, request id) for 10 minutes, so a retried request is answered again, not re-applied.
///
/// Bounded in bytes, per user and in total: when a new reply does not fit, the oldest replies (of that
/// user, then of anyone) are forgotten first. Only replies to requests that change something are stored
/// here (the request processor decides); a forgotten reply only costs a retry being applied again.
/// Requests with the same topic share a lane, so a retry never races its original through here.
public final class ReplyCache: Sendable {
    struct Entry {
        var reply: [UInt8]
        var expiresAt: Double
        /// Tells this entry apart from an earlier one under the same key still listed in the queues.
        var serial: UInt64
        var cost: Int
    }

    /// One stored reply in the order of storing; stale when its key now holds another serial (or none).
    struct Stored {
        var key: String
        var user: String
        var serial: UInt64
        var expiresAt: Double
    }

    /// One user's share of the cache.
    struct Ledger {
        var bytes = 0
        var count = 0
        var order: Deque<Stored> = []
    }

    struct State {
        var entries: [String: Entry] = [:]
        /// Every stored reply, oldest first: expiry order too, since every reply lives `ttl` seconds.
        var order: Deque<Stored> = []
        var users: [String: Ledger] = [:]
        var bytes = 0
        var nextSerial: UInt64 = 0
    }

    public let ttl: Double
    /// Bytes of replies one user may have remembered (see ``cost(key:reply:)``).
    public let bytesPerUser: Int
    /// Bytes of replies all users together may have remembered.
    public let bytesTotal: Int
    private let state = Mutex(State())

    /// Bookkeeping per remembered reply (key copies, queue slots, dictionary slot), counted with its bytes
    /// so a flood of tiny replies is bounded too.
    public static let entryOverhead = 64

    public init(ttl: Double = 600, bytesPerUser: Int = 1 << 20, bytesTotal: Int = 64 << 20) {
        self.ttl = ttl
        self.bytesPerUser = bytesPerUser
        self.bytesTotal = bytesTotal
    }

    static func key(user: String, requestId: String) -> String { "\(user)\u{0}\(requestId)" }

    /// What one remembered reply counts against the bounds: the reply, its key and ``entryOverhead``.
    public static func cost(user: String, requestId: String, reply: [UInt8]) -> Int {
        reply.count + user.utf8.count + 1 + requestId.utf8.count + entryOverhead
    }

    /// Bytes currently counted against the total bound.
    public var bytes: Int { state.withLock { $0.bytes } }

    /// Bytes currently counted against `user`'s bound.
    public func bytes(of user: String) -> Int { state.withLock { $0.users[user]?.bytes ?? 0 } }

    /// Replies currently remembered.
    public var count: Int { state.withLock { $0.entries.count } }

    /// The reply sent earlier for this request, if it is still remembered.
    public func reply(user: String, requestId: String, now: Double) -> [UInt8]? {
        state.withLock { state in
            guard let entry = state.entries[Self.key(user: user, requestId: requestId)], entry.expiresAt > now else {
                return nil
            }
            return entry.reply
        }
    }

    /// Remembers the reply to a request, forgetting older replies to make room. Returns false when the
    /// reply alone is larger than a bound and so is not remembered at all.
    @discardableResult
    public func store(user: String, requestId: String, reply: [UInt8], now: Double) -> Bool {
        state.withLock { state in
            forgetExpired(&state, now: now)
            return insert(&state, user: user, requestId: requestId, reply: reply, expiresAt: now + ttl)
        }
    }

    /// Every remembered reply, oldest first, for snapshots: (user, request id, reply, expiry).
    public func entries(now: Double) -> [(user: String, requestId: String, reply: [UInt8], expiresAt: Double)] {
        state.withLock { state in
            state.order.compactMap { stored in
                guard let entry = state.entries[stored.key], entry.serial == stored.serial, entry.expiresAt > now else {
                    return nil
                }
                // A user id never holds NUL, so the first NUL ends it.
                guard let separator = stored.key.firstIndex(of: "\u{0}") else { return nil }
                let requestId = String(stored.key[stored.key.index(after: separator)...])
                return (stored.user, requestId, entry.reply, entry.expiresAt)
            }
        }
    }

    /// Restores recovered replies with their original expiry, oldest first and within the bounds (a
    /// journal may hold more than the cache kept), so what survives is what the cache would hold.
    public func restore(_ replies: [(user: String, requestId: String, reply: [UInt8], expiresAt: Double)], now: Double) {
        state.withLock { state in
            for reply in replies.sorted(by: { $0.expiresAt < $1.expiresAt }) where reply.expiresAt > now {
                insert(&state, user: reply.user, requestId: reply.requestId, reply: reply.reply, expiresAt: reply.expiresAt)
            }
        }
    }

    // MARK: Bookkeeping (under the lock)

    @discardableResult
    private func insert(
        _ state: inout State, user: String, requestId: String, reply: [UInt8], expiresAt: Double
    ) -> Bool {
        let key = Self.key(user: user, requestId: requestId)
        remove(&state, key: key, user: user)
        let cost = Self.cost(user: user, requestId: requestId, reply: reply)
        guard cost <= bytesPerUser, cost <= bytesTotal else { return false }
        while let ledger = state.users[user], ledger.bytes + cost > bytesPerUser, let oldest = ledger.order.first {
            forget(&state, oldest)
        }
        while state.bytes + cost > bytesTotal, let oldest = state.order.first {
            forget(&state, oldest)
        }
        let serial = state.nextSerial
        state.nextSerial += 1
        state.entries[key] = Entry(reply: reply, expiresAt: expiresAt, serial: serial, cost: cost)
        let stored = Stored(key: key, user: user, serial: serial, expiresAt: expiresAt)
        state.order.append(stored)
        state.users[user, default: Ledger()].order.append(stored)
        state.users[user]?.bytes += cost
        state.users[user]?.count += 1
        state.bytes += cost
        return true
    }

    private func forgetExpired(_ state: inout State, now: Double) {
        while let oldest = state.order.first, oldest.expiresAt <= now {
            forget(&state, oldest)
        }
    }

    /// Removes `stored` (the oldest reply of its user, and maybe of all) and the stale slots at the fronts.
    private func forget(_ state: inout State, _ stored: Stored) {
        if let entry = state.entries[stored.key], entry.serial == stored.serial {
            state.entries[stored.key] = nil
            release(&state, user: stored.user, cost: entry.cost)
        }
        while let head = state.order.first, !Self.isLive(head, in: state) { state.order.removeFirst() }
        trimLedger(&state, user: stored.user)
    }

    /// Removes the entry under `key`, if any (a reply stored again replaces the earlier one).
    private func remove(_ state: inout State, key: String, user: String) {
        guard let entry = state.entries.removeValue(forKey: key) else { return }
        release(&state, user: user, cost: entry.cost)
        trimLedger(&state, user: user)
    }

    private func release(_ state: inout State, user: String, cost: Int) {
        state.bytes -= cost
        state.users[user]?.bytes -= cost
        state.users[user]?.count -= 1
        // A reply forgotten out of order (its user's bound, a replacement) leaves a stale slot in the
        // middle of the queue: past twice the live entries, sweep them, so slots never outgrow entries.
        if state.order.count > 2 * state.entries.count + 64 {
            state.order = Deque(state.order.filter { Self.isLive($0, in: state) })
        }
    }

    /// Drops the user's stale slots at the front, and the whole ledger when nothing of the user is left.
    private func trimLedger(_ state: inout State, user: String) {
        guard var ledger = state.users.removeValue(forKey: user) else { return }
        while let head = ledger.order.first, !Self.isLive(head, in: state) { ledger.order.removeFirst() }
        guard ledger.count > 0 else { return }
        if ledger.order.count > 2 * ledger.count + 16 {
            ledger.order = Deque(ledger.order.filter { Self.isLive($0, in: state) })
        }
        state.users[user] = ledger
    }

    private static func isLive(_ stored: Stored, in state: State) -> Bool {
        state.entries[stored.key]?.serial == stored.serial
    }
}
