import Synchronization

/// Who blocks whom, readable without a hop: a private message and every @mention ask it, the block route
/// changes it. While B blocks A, A cannot write to B privately and A's mentions do not notify B.
public final class BlockList: Sendable {
    /// Blocker id → the ids they block.
    private let entries = Mutex<[String: Set<String>]>([:])

    public init() {}

    /// Whether `blockerId` blocks `userId`.
    public func blocks(_ blockerId: String, _ userId: String) -> Bool {
        entries.withLock { $0[blockerId]?.contains(userId) ?? false }
    }

    /// The ids `blockerId` blocks, sorted.
    public func blocked(by blockerId: String) -> [String] {
        entries.withLock { ($0[blockerId] ?? []).sorted() }
    }

    /// Blocks or unblocks `userId` for `blockerId`, unless blocking would take the blocker past `limit`.
    /// `record` makes the change durable first and runs only when something changes, under the lock, so
    /// two changes of one blocker can neither both pass the bound nor reach the journal out of order.
    /// Returns whether anything changed.
    @discardableResult
    public func set(
        _ blockerId: String, blocks userId: String, _ blocked: Bool, limit: Int,
        record: () throws(ChatError) -> Void = {}
    ) throws(ChatError) -> Bool {
        try entries.withLock { entries throws(ChatError) -> Bool in
            let current = entries[blockerId] ?? []
            guard current.contains(userId) != blocked else { return false }
            if blocked && current.count >= limit {
                throw ChatError(.forbidden, "you already block \(limit) users, the most allowed; unblock someone first")
            }
            try record()
            var updated = current
            if blocked { updated.insert(userId) } else { updated.remove(userId) }
            entries[blockerId] = updated.isEmpty ? nil : updated
            return true
        }
    }

    /// Replaces everything, at start-up from recovered state.
    public func restore(_ blocks: [String: Set<String>]) {
        entries.withLock { $0 = blocks.filter { !$0.value.isEmpty } }
    }

    /// Every blocker's set, for snapshots.
    public var all: [String: Set<String>] { entries.withLock { $0 } }
}
