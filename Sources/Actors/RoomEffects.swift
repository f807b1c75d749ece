/// What a room actor needs from the outside world, without doing I/O itself.
///
/// Both calls happen inside the actor's turn, which is what orders them: a change is durable before any
/// event about it is handed on, and events leave in the room's own order whichever task caused them.
/// Implementations must not block for long (a journal `write`, a publish into libmosquitto's queue).
public protocol RoomEffects: Sendable {
    /// Makes `change` of room `roomId` durable and returns its journal position.
    func record(_ change: RoomChange, roomId: String) throws(ChatError) -> UInt64
    /// Hands `event` on to each of `recipients`' inboxes.
    func deliver(_ event: RoomEvent, to recipients: [String])
    /// Hands `event` on to every member of a room: to their inboxes, or once to the room's topic.
    func broadcast(_ event: RoomEvent, in audience: RoomAudience)
    /// The room's topic has a new name (a member left): the members who stay must learn it.
    func roomTopicRenamed(_ audience: RoomAudience, lastSeq: UInt64)
}

extension RoomEffects {
    public func broadcast(_ event: RoomEvent, in audience: RoomAudience) {
        deliver(event, to: audience.members)
    }

    public func roomTopicRenamed(_ audience: RoomAudience, lastSeq: UInt64) {}
}
