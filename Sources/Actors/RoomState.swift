/// Everything a room knows, as a value: the actor's state, a snapshot's unit, and replay's target.
public struct RoomState: Sendable, Equatable {
    public var info: RoomInfo
    public var members: [String: Member] = [:]
    public var admins: Set<String> = []
    /// Pending invitations by invitee.
    public var invited: [String: Invitation] = [:]
    public var banned: Set<String> = []
    /// User → end of the mute (Unix seconds); `.infinity` for a mute without end.
    public var muted: [String: Double] = [:]
    /// User → highest seq they have read.
    public var readMarks: [String: UInt64] = [:]
    public var ring: MessageRing
    /// Highest seq ever assigned; seqs are never reused, even after eviction or clearing.
    public var lastSeq: UInt64 = 0
    /// Journal position of the last change applied; replay skips changes at or below it.
    public var appliedLSN: UInt64 = 0
    /// How many times a member has left (or been kicked or banned): the room topic's name is derived from
    /// it, so that no one who left knows the name of the topic the room uses now.
    public var topicEpoch: UInt64 = 0
    /// Edits, deletions and reactions in order, for clients that sync.
    public var changes = MessageChangeLog()
    /// Member ids, kept in join order: the fan-out list, built once per membership change.
    public internal(set) var recipients: [String] = []

    public init(info: RoomInfo, ringCapacity: Int = 1000) {
        self.info = info
        self.ring = MessageRing(capacity: ringCapacity)
    }

    public var memberCount: Int { members.count }

    /// The members and the room topic's current name, for delivery.
    public var audience: RoomAudience {
        RoomAudience(roomId: info.id, isDirect: info.type == .direct, topicEpoch: topicEpoch, members: recipients)
    }

    public func isMember(_ userId: String) -> Bool { members[userId] != nil }
    public func isAdmin(_ userId: String) -> Bool { admins.contains(userId) }
    public func isInvited(_ userId: String) -> Bool { invited[userId] != nil }

    /// The oldest seq still stored; everything below it is gone (evicted, cleared or cleaned up).
    public var firstSeq: UInt64 { ring.first?.seq ?? lastSeq + 1 }

    /// The stored message with this seq, if it is still in the ring.
    public func message(seq: UInt64) -> ChatMessage? {
        ring.position(ofSeq: seq).map { ring[$0] }
    }

    /// Whether `userId` is muted at `now`.
    public func isMuted(_ userId: String, now: Double) -> Bool {
        guard let until = muted[userId] else { return false }
        return until > now
    }

    /// Messages after the user's read mark that others wrote (not system notices, not deleted ones).
    public func unreadCount(for userId: String) -> Int {
        let mark = readMarks[userId] ?? 0
        var count = 0
        var position = ring.count - 1
        while position >= 0 {
            let message = ring.header(at: position)
            if message.seq <= mark { break }
            if message.senderId != userId && !message.deleted && message.kind != .system { count += 1 }
            position -= 1
        }
        return count
    }

    /// For a direct room: whether the participant who did not open it has posted or read in it, as far
    /// as the stored messages and read marks show.
    public var isAnswered: Bool {
        let opener = info.creatorId
        return readMarks.keys.contains { $0 != opener }
            || ring.indices.contains { ring.header(at: $0).senderId != opener && ring.header(at: $0).kind != .system }
    }

    /// Whether `change` is a post or a read by someone other than the room's creator.
    func isAnswered(by change: RoomChange) -> Bool {
        switch change {
        case .posted(let message): message.senderId != info.creatorId && message.kind != .system
        case .read(let userId, _): userId != info.creatorId
        default: false
        }
    }

    /// The member who joined first (ties broken by id), excluding `excluded`.
    public func oldestMember(excluding excluded: String) -> String? {
        members.values
            .filter { $0.userId != excluded }
            .min { ($0.joinedAt, $0.userId) < ($1.joinedAt, $1.userId) }?
            .userId
    }

    /// Rebuilds derived fields after a decode: the fan-out list in join order.
    public mutating func rebuildDerived() {
        recipients = members.values
            .sorted { ($0.joinedAt, $0.userId) < ($1.joinedAt, $1.userId) }
            .map(\.userId)
    }
}
