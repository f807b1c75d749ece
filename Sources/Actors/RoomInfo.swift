/// A room's descriptive settings.
public struct RoomInfo: Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String
    public var type: RoomType
    public var creatorId: String
    public var createdAt: Double
    public var maxMembers: Int
    public var lastActivity: Double
    /// A locked room refuses new messages from everyone but its admins.
    public var locked: Bool
    /// Minimum seconds between two messages of one non-admin member; 0 = off.
    public var slowModeSeconds: Int
    /// An archived room is read-only: nobody posts, joins or reacts until an admin unarchives it.
    public var archived: Bool

    public init(
        id: String, name: String, description: String = "", type: RoomType, creatorId: String,
        createdAt: Double, maxMembers: Int = 100, lastActivity: Double? = nil, locked: Bool = false,
        slowModeSeconds: Int = 0, archived: Bool = false
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.type = type
        self.creatorId = creatorId
        self.createdAt = createdAt
        self.maxMembers = maxMembers
        self.lastActivity = lastActivity ?? createdAt
        self.locked = locked
        self.slowModeSeconds = slowModeSeconds
        self.archived = archived
    }
}

/// Who may join a room.
public enum RoomType: String, Sendable, CaseIterable {
    /// Anyone may join.
    case `public`
    /// Only invited users may join.
    case `private`
    /// The two participants of private messages; nobody else joins.
    case direct
}

/// A member of a room.
public struct Member: Sendable, Equatable {
    public var userId: String
    public var name: String
    public var joinedAt: Double

    public init(userId: String, name: String, joinedAt: Double) {
        self.userId = userId
        self.name = name
        self.joinedAt = joinedAt
    }
}

/// A pending invitation into a private room: who asked, and when.
public struct Invitation: Sendable, Equatable {
    /// The inviter's user id; empty for invitations journaled before inviters were recorded.
    public var invitedBy: String
    public var invitedAt: Double

    public init(invitedBy: String, invitedAt: Double) {
        self.invitedBy = invitedBy
        self.invitedAt = invitedAt
    }
}
