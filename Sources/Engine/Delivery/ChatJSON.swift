import Actors
import Wire

/// The JSON shapes of the contract's objects (SPEC §4): messages, rooms, members.
enum ChatJSON {
    /// The message object; keys without a value are present as null, except `file`.
    static func message(_ message: ChatMessage) -> JSONValue {
        var object: [String: JSONValue] = Dictionary(minimumCapacity: 19)
        forEachField(of: message) { object[$0] = $1 }
        return .object(object)
    }

    /// The message object of ``message(_:)`` written straight to bytes, for replies that carry thousands
    /// (`sync`): no dictionary per message.
    static func write(_ message: ChatMessage, into writer: inout JSONWriter) {
        writer.beginObject()
        forEachField(of: message) { writer.field($0, $1) }
        writer.endObject()
    }

    /// Messages as a JSON array, written straight to bytes.
    static func write(_ messages: some Sequence<ChatMessage>, into writer: inout JSONWriter) {
        writer.beginArray()
        for message in messages { write(message, into: &writer) }
        writer.endArray()
    }

    /// The message object's fields, the one list both encodings read.
    private static func forEachField(of message: ChatMessage, _ body: (String, JSONValue) -> Void) {
        body("id", .string(message.id))
        body("room_id", .string(message.roomId))
        body("seq", .number(Double(message.seq)))
        body("sender_id", .string(message.senderId))
        body("sender_name", .string(message.senderName))
        body("content", .string(message.content))
        body("type", .string(message.kind.rawValue))
        body("timestamp", .number(message.timestamp))
        body("reply_to", message.replyTo.map(JSONValue.string) ?? .null)
        body("thread_id", message.threadId.map(JSONValue.string) ?? .null)
        body("reply_count", .number(Double(message.replyCount)))
        body("reactions", reactions(message.reactions))
        body("edited", .bool(message.edited))
        body("edited_at", message.editedAt.map(JSONValue.number) ?? .null)
        body("deleted", .bool(message.deleted))
        body("flagged", .bool(message.flagged))
        body("target_id", message.targetId.map(JSONValue.string) ?? .null)
        body("is_private", .bool(message.isPrivate))
        if let file = message.file { body("file", self.file(file)) }
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
