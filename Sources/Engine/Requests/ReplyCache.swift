import Actors
import DequeModule
import Synchronization

/// Replies by (user, request id) for 10 minutes, so a retried request is answered again, not re-applied.
///
/// Bounded in bytes, per user and in total: when a new reply does not fit, the oldest replies (of that
/// user, then of anyone) are forgotten first. Only replies to requests that change something are stored
/// here (the request processor decides); a forgotten reply only costs a retry being applied again.
/// Requests with the same topic share a lane, so a retry never races its original through here.
///
/// Memory (docs/BENCHMARKS.md §1): a filled engine holds ~140 000 replies. A reply the engine can rebuild
/// byte for byte from two numbers (a `message_sent`: its seq and timestamp, with the room and request id
/// from the key) is kept as those numbers, not as its ~250 bytes; each user's id is held once. Restored
/// replies are indexed on first use, not while the engine starts.
public final class ReplyCache: Sendable {
    /// The numbers a compact reply is rebuilt from (see ``init(ttl:bytesPerUser:bytesTotal:expand:)``).
    public struct Compact: Sendable, Equatable {
        public var seq: UInt64
        public var timestamp: Double

        public init(seq: UInt64, timestamp: Double) {
            self.seq = seq
            self.timestamp = timestamp
        }
    }

    /// Rebuilds a compact reply from its request key (the `requestId` of ``store(user:requestId:reply:now:compact:)``).
    public typealias Expand = @Sendable (_ requestId: String, _ compact: Compact) -> [UInt8]

    enum Payload {
        case bytes([UInt8])
        case compact(Compact)
    }

    struct Entry {
        var payload: Payload
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
        /// The user's id, held once for all their stored replies.
        var user: String
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
        /// Restored replies not indexed yet, with the time of their restore, oldest batch first.
        var pending: [(replies: [CachedReply], now: Double)] = []
    }

    /// A reply handed to ``restore(_:now:)``.
    public typealias Restored = (user: String, requestId: String, reply: [UInt8], expiresAt: Double)

    public let ttl: Double
    /// Bytes of replies one user may have remembered (see ``cost(key:reply:)``).
    public let bytesPerUser: Int
    /// Bytes of replies all users together may have remembered.
    public let bytesTotal: Int
    private let state = Mutex(State())
    private let expand: Expand?

    /// Bookkeeping per remembered reply (key copies, queue slots, dictionary slot), counted with its bytes
    /// so a flood of tiny replies is bounded too.
    public static let entryOverhead = 64

    /// - Parameters:
    ///   - ttl: Seconds a reply is remembered.
    ///   - bytesPerUser: Bound of one user's replies (see ``cost(user:requestId:reply:)``).
    ///   - bytesTotal: Bound of all replies.
    ///   - expand: Rebuilds a reply stored in compact form; without it every reply is kept as bytes.
    public init(ttl: Double = 600, bytesPerUser: Int = 1 << 20, bytesTotal: Int = 64 << 20, expand: Expand? = nil) {
        self.ttl = ttl
        self.bytesPerUser = bytesPerUser
        self.bytesTotal = bytesTotal
        self.expand = expand
    }

    static func key(user: String, requestId: String) -> String { "\(user)\u{0}\(requestId)" }

    /// What one remembered reply counts against the bounds: the reply, its key and ``entryOverhead``.
    public static func cost(user: String, requestId: String, reply: [UInt8]) -> Int {
        reply.count + user.utf8.count + 1 + requestId.utf8.count + entryOverhead
    }

    /// Bytes currently counted against the total bound.
    public var bytes: Int { withState { $0.bytes } }

    /// Bytes currently counted against `user`'s bound.
    public func bytes(of user: String) -> Int { withState { $0.users[user]?.bytes ?? 0 } }

    /// Replies currently remembered.
    public var count: Int { withState { $0.entries.count } }

    /// The reply sent earlier for this request, if it is still remembered.
    public func reply(user: String, requestId: String, now: Double) -> [UInt8]? {
        let payload = withState { state -> Payload? in
            guard let entry = state.entries[Self.key(user: user, requestId: requestId)], entry.expiresAt > now else {
                return nil
            }
            return entry.payload
        }
        return payload.map { bytes(of: $0, requestId: requestId) }
    }

    /// Remembers the reply to a request, forgetting older replies to make room. Returns false when the
    /// reply alone is larger than a bound and so is not remembered at all.
    /// - Parameter compact: Numbers this cache's `expand` rebuilds `reply` from, byte for byte; the
    ///   caller has checked that. Bounds count the reply's full size either way.
    @discardableResult
    public func store(user: String, requestId: String, reply: [UInt8], now: Double, compact: Compact? = nil) -> Bool {
        let payload: Payload = compact.flatMap { expand == nil ? nil : .compact($0) } ?? .bytes(reply)
        return withState { state in
            forgetExpired(&state, now: now)
            let cost = Self.cost(user: user, requestId: requestId, reply: reply)
            return insert(&state, user: user, requestId: requestId, payload: payload, cost: cost, expiresAt: now + ttl)
        }
    }

    /// Every remembered reply, oldest first, for snapshots: (user, request id, reply, expiry).
    public func entries(now: Double) -> [(user: String, requestId: String, reply: [UInt8], expiresAt: Double)] {
        let found = withState { state in
            state.order.compactMap { stored -> (String, String, Payload, Double)? in
                guard let entry = state.entries[stored.key], entry.serial == stored.serial, entry.expiresAt > now else {
                    return nil
                }
                // A user id never holds NUL, so the first NUL ends it.
                guard let separator = stored.key.firstIndex(of: "\u{0}") else { return nil }
                let requestId = String(stored.key[stored.key.index(after: separator)...])
                return (stored.user, requestId, entry.payload, entry.expiresAt)
            }
        }
        // Compact replies are rebuilt outside the lock: requests need it meanwhile.
        return found.map { ($0.0, $0.1, bytes(of: $0.2, requestId: $0.1), $0.3) }
    }

    /// Every remembered reply, oldest first, as a snapshot keeps it: compact replies stay compact.
    public func snapshot(now: Double) -> [CachedReply] {
        withState { state in
            state.order.compactMap { stored -> CachedReply? in
                guard let entry = state.entries[stored.key], entry.serial == stored.serial, entry.expiresAt > now else {
                    return nil
                }
                guard let separator = stored.key.firstIndex(of: "\u{0}") else { return nil }
                let requestId = String(stored.key[stored.key.index(after: separator)...])
                switch entry.payload {
                case .bytes(let bytes):
                    return CachedReply(userId: stored.user, requestId: requestId, reply: bytes, expiresAt: entry.expiresAt)
                case .compact(let compact):
                    let length = entry.cost - (Self.cost(user: stored.user, requestId: requestId, reply: []))
                    return CachedReply(
                        userId: stored.user, requestId: requestId, reply: [], expiresAt: entry.expiresAt,
                        compact: CompactReply(seq: compact.seq, timestamp: compact.timestamp, replyLength: length))
                }
            }
        }
    }

    /// Restores recovered replies with their original expiry, oldest first and within the bounds (a
    /// journal may hold more than the cache kept), so what survives is what the cache would hold.
    ///
    /// Takes no time: they are indexed by the first call that needs the cache (or ``settle()``), as if
    /// restored here, so an engine starts without waiting for them.
    public func restore(_ replies: [Restored], now: Double) {
        restore(replies.map { CachedReply(userId: $0.user, requestId: $0.requestId, reply: $0.reply, expiresAt: $0.expiresAt) }, now: now)
    }

    /// ``restore(_:now:)-(Restored)`` for replies as the store recovered them, compact ones included (a
    /// cache without `expand` cannot rebuild those and forgets them).
    public func restore(_ replies: [CachedReply], now: Double) {
        guard !replies.isEmpty else { return }
        state.withLock { $0.pending.append((replies, now)) }
    }

    /// Indexes restored replies now rather than on first use.
    public func settle() {
        withState { _ in }
    }

    // MARK: Bookkeeping (under the lock)

    /// Runs `body` on the state once restored replies are indexed.
    private func withState<T>(_ body: (inout State) -> T) -> T {
        state.withLock { state in
            if !state.pending.isEmpty { settle(&state) }
            return body(&state)
        }
    }

    private func settle(_ state: inout State) {
        let batches = state.pending
        state.pending = []
        for batch in batches {
            let replies = batch.replies
                .filter { $0.expiresAt > batch.now && ($0.compact == nil || expand != nil) }
                .sorted { $0.expiresAt < $1.expiresAt }
            if !insertAll(&state, replies) {
                for reply in replies {
                    insert(&state, user: reply.userId, requestId: reply.requestId, payload: Self.payload(of: reply),
                           cost: Self.cost(of: reply), expiresAt: reply.expiresAt)
                }
            }
        }
    }

    private static func payload(of reply: CachedReply) -> Payload {
        reply.compact.map { .compact(Compact(seq: $0.seq, timestamp: $0.timestamp)) } ?? .bytes(reply.reply)
    }

    /// What a restored reply counts against the bounds: the same as when it was stored.
    private static func cost(of reply: CachedReply) -> Int {
        cost(user: reply.userId, requestId: reply.requestId, reply: []) + (reply.compact?.replyLength ?? reply.reply.count)
    }

    /// Indexes `replies` (oldest first) in one pass when the cache is empty and they fit every bound with
    /// no key twice: inserting them one by one would then forget nothing, so the result is the same.
    /// Returns false, changing nothing, otherwise.
    private func insertAll(_ state: inout State, _ replies: [CachedReply]) -> Bool {
        guard state.entries.isEmpty else { return false }
        var entries: [String: Entry] = Dictionary(minimumCapacity: replies.count)
        var order: Deque<Stored> = []
        order.reserveCapacity(replies.count)
        var users: [String: Ledger] = [:]
        var total = 0
        var serial = state.nextSerial
        for reply in replies {
            let key = Self.key(user: reply.userId, requestId: reply.requestId)
            let cost = Self.cost(of: reply)
            total += cost
            guard cost <= bytesPerUser, total <= bytesTotal else { return false }
            let fits = { (ledger: inout Ledger) -> Bool in
                ledger.bytes += cost
                ledger.count += 1
                return ledger.bytes <= self.bytesPerUser
            }
            guard fits(&users[reply.userId, default: Ledger(user: reply.userId)]) else { return false }
            let user = users[reply.userId]!.user
            guard entries.updateValue(
                Entry(payload: Self.payload(of: reply), expiresAt: reply.expiresAt, serial: serial, cost: cost), forKey: key) == nil
            else { return false }
            let stored = Stored(key: key, user: user, serial: serial, expiresAt: reply.expiresAt)
            order.append(stored)
            users[reply.userId]!.order.append(stored)
            serial += 1
        }
        state.entries = entries
        state.order = order
        state.users = users
        state.bytes = total
        state.nextSerial = serial
        return true
    }

    private func bytes(of payload: Payload, requestId: String) -> [UInt8] {
        switch payload {
        case .bytes(let bytes): bytes
        case .compact(let compact): expand?(requestId, compact) ?? []
        }
    }

    @discardableResult
    private func insert(
        _ state: inout State, user: String, requestId: String, payload: Payload, cost: Int, expiresAt: Double
    ) -> Bool {
        let key = Self.key(user: user, requestId: requestId)
        remove(&state, key: key, user: user)
        guard cost <= bytesPerUser, cost <= bytesTotal else { return false }
        while let ledger = state.users[user], ledger.bytes + cost > bytesPerUser, let oldest = ledger.order.first {
            forget(&state, oldest)
        }
        while state.bytes + cost > bytesTotal, let oldest = state.order.first {
            forget(&state, oldest)
        }
        let serial = state.nextSerial
        state.nextSerial += 1
        state.entries[key] = Entry(payload: payload, expiresAt: expiresAt, serial: serial, cost: cost)
        var ledger = state.users.removeValue(forKey: user) ?? Ledger(user: user)
        // The ledger's copy of the id, so every stored reply of the user shares one string.
        let stored = Stored(key: key, user: ledger.user, serial: serial, expiresAt: expiresAt)
        state.order.append(stored)
        ledger.order.append(stored)
        ledger.bytes += cost
        ledger.count += 1
        state.users[user] = ledger
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
