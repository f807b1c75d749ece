import Synchronization

/// Every user's current presence, readable without a hop: the presence actors write it, requests read it.
public final class PresenceBoard: Sendable {
    public struct Entry: Sendable, Equatable {
        public var status: PresenceStatus
        /// When an online/away status lapses to offline unless refreshed.
        public var expiresAt: Double
        public var lastSeen: Double

        public init(status: PresenceStatus, expiresAt: Double, lastSeen: Double) {
            self.status = status
            self.expiresAt = expiresAt
            self.lastSeen = lastSeen
        }
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// The user's status at `now`; a lapsed status reads as offline even before its sweep runs.
    public func status(of userId: String, now: Double) -> PresenceStatus {
        entries.withLock { entries in
            guard let entry = entries[userId], entry.status != .offline, entry.expiresAt > now else { return .offline }
            return entry.status
        }
    }

    public func entry(of userId: String) -> Entry? {
        entries.withLock { $0[userId] }
    }

    public func set(_ userId: String, _ entry: Entry) {
        entries.withLock { $0[userId] = entry }
    }

    /// Users whose status is not offline.
    public func onlineUsers(now: Double) -> [String] {
        entries.withLock { entries in
            entries.compactMap { $0.value.status != .offline && $0.value.expiresAt > now ? $0.key : nil }
        }
    }

    /// Every entry, for snapshots (last seen times survive restarts).
    public var all: [String: Entry] { entries.withLock { $0 } }
}
