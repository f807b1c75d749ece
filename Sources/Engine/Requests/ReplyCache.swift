import DequeModule
import Synchronization

/// Replies by (user, request id) for 10 minutes, so a retried request is answered again, not re-applied.
///
/// Requests with the same topic share a lane, so a retry never races its original through here.
public final class ReplyCache: Sendable {
    struct Entry {
        var reply: [UInt8]
        var expiresAt: Double
    }

    struct State {
        var entries: [String: Entry] = [:]
        var order: Deque<(key: String, expiresAt: Double)> = []
    }

    public let ttl: Double
    public let capacity: Int
    private let state = Mutex(State())

    public init(ttl: Double = 600, capacity: Int = 200_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    static func key(user: String, requestId: String) -> String { "\(user)\u{0}\(requestId)" }

    /// The reply sent earlier for this request, if it is still remembered.
    public func reply(user: String, requestId: String, now: Double) -> [UInt8]? {
        state.withLock { state in
            guard let entry = state.entries[Self.key(user: user, requestId: requestId)], entry.expiresAt > now else {
                return nil
            }
            return entry.reply
        }
    }

    /// Remembers the reply to a request.
    public func store(user: String, requestId: String, reply: [UInt8], now: Double) {
        let key = Self.key(user: user, requestId: requestId)
        state.withLock { state in
            while let oldest = state.order.first, oldest.expiresAt <= now || state.order.count >= capacity {
                state.order.removeFirst()
                if let entry = state.entries[oldest.key], entry.expiresAt == oldest.expiresAt {
                    state.entries[oldest.key] = nil
                }
            }
            state.entries[key] = Entry(reply: reply, expiresAt: now + ttl)
            state.order.append((key, now + ttl))
        }
    }

    /// Every remembered reply, for snapshots: (user, request id, reply, expiry).
    public func entries(now: Double) -> [(user: String, requestId: String, reply: [UInt8], expiresAt: Double)] {
        state.withLock { state in
            state.entries.compactMap { key, entry in
                guard entry.expiresAt > now, let split = key.firstIndex(of: "\u{0}") else { return nil }
                return (String(key[..<split]), String(key[key.index(after: split)...]), entry.reply, entry.expiresAt)
            }
        }
    }

    /// Restores an entry with its original expiry.
    public func restore(user: String, requestId: String, reply: [UInt8], expiresAt: Double) {
        let key = Self.key(user: user, requestId: requestId)
        state.withLock { state in
            state.entries[key] = Entry(reply: reply, expiresAt: expiresAt)
            state.order.append((key, expiresAt))
        }
    }
}
