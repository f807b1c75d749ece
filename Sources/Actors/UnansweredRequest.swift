/// A request whose changes the journal holds but whose reply it does not: the process died after
/// journaling what the request changed and before journaling the answer. Recovery hands these to the
/// engine, which rebuilds each reply from the changes, so a retry is answered and not applied twice.
public struct UnansweredRequest: Sendable, Equatable {
    public var origin: ChangeOrigin
    /// What the request changed, in journal order.
    public var changes: [Change]

    public struct Change: Sendable, Equatable {
        public var entry: JournalEntry
        /// Members of the entry's room right after it was applied; nil for engine-wide entries.
        public var memberCount: Int?

        public init(entry: JournalEntry, memberCount: Int?) {
            self.entry = entry
            self.memberCount = memberCount
        }
    }

    public init(origin: ChangeOrigin, changes: [Change]) {
        self.origin = origin
        self.changes = changes
    }
}

extension Array where Element == UnansweredRequest.Change {
    /// The first value `pick` makes of one of these room changes, given the room id, the change and the
    /// room's member count right after it.
    public func firstRoomChange<T>(_ pick: (String, RoomChange, Int?) -> T?) -> T? {
        for change in self {
            guard case .room(let roomId, let roomChange) = change.entry else { continue }
            if let value = pick(roomId, roomChange, change.memberCount) { return value }
        }
        return nil
    }

    /// The same, from the last change back.
    public func lastRoomChange<T>(_ pick: (String, RoomChange, Int?) -> T?) -> T? {
        Array(reversed()).firstRoomChange(pick)
    }
}
