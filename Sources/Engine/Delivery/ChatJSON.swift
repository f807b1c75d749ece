import Actors
import Wire

/// The JSON shapes of the contract's objects (SPEC §4): messages, rooms, members.
enum ChatJSON {
    /// The message object; keys without a value are present as null, except `file`.
    static func message(_ message: ChatMessage) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(message.id),
            "room_id": .string(message.roomId),
            "seq": .number(Double(message.seq)),
            "sender_id": .string(message.senderId),
            "sender_name": .string(message.senderName),
            "content": .string(message.content),
            "type": .string(message.kind.rawValue),
            "timestamp": .number(message.timestamp),
            "reply_to": message.replyTo.map(JSONValue.string) ?? .null,
            "thread_id": message.threadId.map(JSONValue.string) ?? .null,
            "reply_count": .number(Double(message.replyCount)),
            "reactions": reactions(message.reactions),
            "edited": .bool(message.edited),
            "edited_at": message.editedAt.map(JSONValue.number) ?? .null,
            "deleted": .bool(message.deleted),
            "flagged": .bool(message.flagged),
            "target_id": message.targetId.map(JSONValue.string) ?? .null,
            "is_private": .bool(message.isPrivate),
        ]
        if let file = message.file { object["file"] = self.file(file) }
        return .object(object)
    }

    /// The message object of ``message(_:)`` written straight to bytes, for replies that carry thousands
    /// (`sync`): no dictionary per message.
    static func write(_ message: ChatMessage, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("id", message.id)
        writer.field("room_id", message.roomId)
        writer.field("seq", Int(message.seq))
        writer.field("sender_id", message.senderId)
        writer.field("sender_name", message.senderName)
        writer.field("content", message.content)
        writer.field("type", message.kind.rawValue)
        writer.field("timestamp", message.timestamp)
        writer.field("reply_to", message.replyTo)
        writer.field("thread_id", message.threadId)
        writer.field("reply_count", message.replyCount)
        writer.field("reactions", reactions(message.reactions))
        writer.field("edited", message.edited)
        writer.field("edited_at", message.editedAt)
        writer.field("deleted", message.deleted)
        writer.field("flagged", message.flagged)
        writer.field("target_id", message.targetId)
        writer.field("is_private", message.isPrivate)
        if let file = message.file { writer.field("file", self.file(file)) }
        writer.endObject()
    }

    /// Messages as a JSON array, written straight to bytes.
    static func write(_ messages: some Sequence<ChatMessage>, into writer: inout JSONWriter) {
        writer.beginArray()
        for message in messages { write(message, into: &writer) }
        writer.endArray()
    }

    static func reactions(_ reactions: [Reaction]) -> JSONValue {
        var object: [String: JSONValue] = [:]
        for reaction in reactions { object[reaction.emoji] = .array(reaction.userIds.map(JSONValue.string)) }
        return .object(object)
    }

    static func file(_ file: FileInfo) -> JSONValue {
        .object([
            "file_id": .string(file.fileId), "name": .string(file.name), "mime": .string(file.mime),
            "size": .number(Double(file.size)), "sha256": .string(file.sha256),
        ])
    }

    /// Room data as in `room_created` and `rooms/{id}/info`.
    static func room(_ info: RoomInfo, memberCount: Int) -> JSONValue {
        .object([
            "id": .string(info.id),
            "name": .string(info.name),
            "description": .string(info.description),
            "type": .string(info.type.rawValue),
            "creator_id": .string(info.creatorId),
            "created_at": .number(info.createdAt),
            "max_members": .number(Double(info.maxMembers)),
            "member_count": .number(Double(memberCount)),
            "last_activity": .number(info.lastActivity),
            "locked": .bool(info.locked),
            "slow_mode_seconds": .number(Double(info.slowModeSeconds)),
            "archived": .bool(info.archived),
        ])
    }

    static func messages(_ messages: some Sequence<ChatMessage>) -> JSONValue {
        .array(messages.map(message))
    }
}
