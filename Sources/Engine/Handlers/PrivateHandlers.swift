import Actors
import Wire

/// Private messages: a direct room per pair of users, created on first use.
struct PrivateHandlers {
    let services: ChatServices
    let notifier: Notifier

    func send(_ request: inout Request) async throws -> Reply {
        let target = request.parameter("user_id")
        let sender = request.user
        guard isValidUserID(target) else { throw ChatError.validation("'\(target)' is not a valid user id") }
        guard target != sender.userId else { throw ChatError.validation("you cannot send a private message to yourself") }
        try services.requireNotBlocked(sender.userId, by: target)
        let content = try request.string("content", maxLength: .max)
        let roomId = DirectRoomID.make(sender.userId, target)
        let now = request.now
        let room = try services.registry.room(roomId) { () throws(ChatError) -> RoomActor in
            // Under the registry's lock, so two first messages to different users cannot both pass.
            let limit = services.configuration.limits.directRoomsOpenedPerUser
            guard services.directory.unansweredDirectRooms(openedBy: sender.userId) < limit else {
                throw ChatError(
                    .forbidden, "you have \(limit) private conversations nobody answered yet; wait for an answer")
            }
            let info = RoomInfo(
                id: roomId, name: "\(sender.userId) & \(target)", type: .direct, creatorId: sender.userId,
                createdAt: now, maxMembers: 2)
            return try services.createRoom(info, creator: Member(userId: sender.userId, name: sender.name, joinedAt: now))
        }
        // Either side may have left the conversation; sending brings both back.
        try await room.admitParticipants(
            Member(userId: sender.userId, name: sender.name, joinedAt: now), Member(userId: target, name: target, joinedAt: now))
        let draft = MessageDraft(request, content: content, kind: try MessageHandlers.kind(request), targetId: target)
        let message = try await room.post(draft, now: now)
        notifier.notifyIfAway(target, kind: "private_message", message: message, now: now)
        return Self.sent(message)
    }

    static func sent(_ message: ChatMessage) -> Reply {
        Reply("private_message_sent", [
            "message_id": .string(message.id), "room_id": .string(message.roomId), "seq": .number(Double(message.seq)),
            "timestamp": .number(message.timestamp),
        ])
    }

    /// The reply rebuilt after a crash (Route.recover).
    static func recover(_ changes: [UnansweredRequest.Change]) -> Reply? {
        MessageHandlers.posted(changes).map(sent)
    }
}
