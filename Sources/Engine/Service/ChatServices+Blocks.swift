import Actors

extension ChatServices {
    /// Refuses a private message from `senderId` to a user who blocks them.
    func requireNotBlocked(_ senderId: String, by recipientId: String) throws(ChatError) {
        guard blocks.blocks(recipientId, senderId) else { return }
        throw ChatError(.forbidden, "\(recipientId) has blocked you: you cannot send them private messages")
    }

    /// The same for a post into a direct room by its room id (a message, a thread reply, a shared file):
    /// otherwise a blocked user who is still a participant could reach the blocker around `chat/private`.
    /// Other rooms are shared spaces: a block does not silence anyone there.
    func requireNotBlocked(_ senderId: String, in room: RoomActor) async throws(ChatError) {
        guard DirectRoomID.isDirect(room.id) else { return }
        for participant in await room.memberIds() where participant != senderId {
            try requireNotBlocked(senderId, by: participant)
        }
    }
}
