import Actors
import Wire

/// Encodes each event once into the bytes every recipient's inbox receives.
enum EventEncoder {
    static func encode(_ event: RoomEvent) -> [UInt8] {
        json(event).serialized()
    }

    static func json(_ event: RoomEvent) -> JSONValue {
        switch event {
        case .message(let message):
            return ChatJSON.message(message)
        case .history(let roomId, let messages):
            return .object([
                "type": "message_history", "room_id": .string(roomId), "messages": ChatJSON.messages(messages),
            ])
        case .memberJoined(let roomId, let member, let count):
            return .object([
                "type": "member_joined", "room_id": .string(roomId), "user_id": .string(member.userId),
                "name": .string(member.name), "member_count": .number(Double(count)),
                "timestamp": .number(member.joinedAt),
            ])
        case .memberLeft(let roomId, let userId, let reason, let count):
            return .object([
                "type": "member_left", "room_id": .string(roomId), "user_id": .string(userId),
                "reason": .string(reason), "member_count": .number(Double(count)),
            ])
        case .messageEdited(let message):
            return change("message_edited", message)
        case .messageDeleted(let message):
            return change("message_deleted", message)
        case .reaction(let message, let emoji, let userId, let added):
            return .object([
                "type": .string(added ? "reaction_added" : "reaction_removed"), "room_id": .string(message.roomId),
                "message_id": .string(message.id), "emoji": .string(emoji), "user_id": .string(userId),
                // The count for this emoji only: the whole map grows with members × emoji, and this event
                // goes to every member on every reaction. Clients apply `user_id` to what they hold.
                "count": .number(Double(message.reactions.first { $0.emoji == emoji }?.userIds.count ?? 0)),
            ])
        case .roomUpdated(let info, let action, let by, let userId):
            var object: [String: JSONValue] = [
                "type": "room_updated", "room_id": .string(info.id), "action": .string(action), "by": .string(by),
                "locked": .bool(info.locked), "slow_mode_seconds": .number(Double(info.slowModeSeconds)),
                "name": .string(info.name), "description": .string(info.description), "archived": .bool(info.archived),
            ]
            if let userId { object["user_id"] = .string(userId) }
            return .object(object)
        case .userMuted(let roomId, let userId, let until, let muted):
            return .object([
                "type": "user_muted", "room_id": .string(roomId), "user_id": .string(userId), "muted": .bool(muted),
                "until": until.map(JSONValue.number) ?? .null,
            ])
        case .userBanned(let roomId, let userId, let banned):
            return .object([
                "type": "user_banned", "room_id": roomId.map(JSONValue.string) ?? .null,
                "user_id": .string(userId), "banned": .bool(banned),
            ])
        case .typing(let roomId, let userId, let name, let started):
            return .object([
                "type": .string(started ? "typing_start" : "typing_stop"), "room_id": .string(roomId),
                "user_id": .string(userId), "name": .string(name),
            ])
        case .userStatus(let userId, let name, let status, let lastSeen):
            return .object([
                "type": "user_status", "user_id": .string(userId), "name": .string(name),
                "status": .string(status.rawValue), "last_seen": .number(lastSeen),
            ])
        case .broadcast(let senderId, let senderName, let content, let timestamp):
            return .object([
                "type": "broadcast", "sender_id": .string(senderId), "sender_name": .string(senderName),
                "content": .string(content), "timestamp": .number(timestamp),
            ])
        }
    }

    private static func change(_ type: String, _ message: ChatMessage) -> JSONValue {
        .object([
            "type": .string(type), "room_id": .string(message.roomId), "message_id": .string(message.id),
            "message": ChatJSON.message(message),
        ])
    }
}
