/// What one room tells a syncing member (SPEC §10): where the room is, what they missed, and which of
/// the messages they already hold changed.
public struct RoomSyncEntry: Sendable {
    public var info: RoomInfo
    public var memberCount: Int
    public var lastSeq: UInt64
    public var readSeq: UInt64
    public var unread: Int
    public var firstSeq: UInt64
    public var changeSeq: UInt64
    /// Oldest first.
    public var messages: [ChatMessage]
    /// Messages after `messages` that did not fit the limit.
    public var hasMore: Bool
    /// Current state of held messages edited, deleted or reacted to since the client's change number.
    public var changed: [ChatMessage]
    /// The change log no longer reaches back to the client's change number.
    public var changesTruncated: Bool
    public var topicEpoch: UInt64
}

/// What a client says it holds of one room when it syncs.
public struct RoomSyncPosition: Sendable, Equatable {
    /// The newest seq the client holds.
    public var lastSeq: UInt64
    /// The room's change number from the client's last sync; nil when the client does not track changes.
    public var changeSeq: UInt64?

    public init(lastSeq: UInt64, changeSeq: UInt64? = nil) {
        self.lastSeq = lastSeq
        self.changeSeq = changeSeq
    }
}
