/// Something members of a room (or other users) are told about; the engine encodes it once per event.
public enum RoomEvent: Sendable, Equatable {
    /// A chat message; its event `type` is its kind.
    case message(ChatMessage)
    /// Recent messages sent to a user who just joined, oldest first.
    case history(roomId: String, messages: [ChatMessage])
    case memberJoined(roomId: String, member: Member, memberCount: Int)
    case memberLeft(roomId: String, userId: String, reason: String, memberCount: Int)
    case messageEdited(ChatMessage)
    case messageDeleted(ChatMessage)
    case reaction(ChatMessage, emoji: String, userId: String, added: Bool)
    /// `userId` names the member an action was about (promote, demote, kick), if any.
    case roomUpdated(RoomInfo, action: String, by: String, userId: String? = nil)
    case userMuted(roomId: String, userId: String, until: Double?, muted: Bool)
    case userBanned(roomId: String?, userId: String, banned: Bool)
    case typing(roomId: String, userId: String, name: String, started: Bool)
    case userStatus(userId: String, name: String, status: PresenceStatus, lastSeen: Double)
    case broadcast(senderId: String, senderName: String, content: String, timestamp: Double)
}

/// A user's presence.
public enum PresenceStatus: String, Sendable, CaseIterable {
    case online, away, offline
}
