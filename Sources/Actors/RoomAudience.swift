/// Who hears a room's events: its members, and the name of the room's topic as it is now.
///
/// `topicEpoch` changes whenever someone stops being a member, so a room topic's name (derived from it by
/// the engine) is never again one that a former member was told.
public struct RoomAudience: Sendable, Equatable {
    public let roomId: String
    public let isDirect: Bool
    public let topicEpoch: UInt64
    /// Member ids in join order.
    public let members: [String]

    public init(roomId: String, isDirect: Bool, topicEpoch: UInt64, members: [String]) {
        self.roomId = roomId
        self.isDirect = isDirect
        self.topicEpoch = topicEpoch
        self.members = members
    }
}
