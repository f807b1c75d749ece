import Actors
import Wire

/// Actions on one message by id: edit, delete, react, threaded reply.
struct MessageActionHandlers {
    let services: ChatServices
    let typing: TypingService
    let notifier: Notifier

    func edit(_ request: inout Request) async throws -> Reply {
        let (room, seq) = try services.room(ofMessage: request.parameter("message_id"), for: request.user)
        let content = try request.string("content", maxLength: .max)
        let message = try await room.edit(seq: seq, by: request.user.userId, content: content, now: request.now)
        return Self.edited(messageId: message.id, roomId: room.id, at: message.editedAt)
    }

    static func edited(messageId: String, roomId: String, at editedAt: Double?) -> Reply {
        Reply("message_edited", [
            "message_id": .string(messageId), "room_id": .string(roomId), "edited_at": editedAt.map(JSONValue.number) ?? .null,
        ])
    }

    func delete(_ request: inout Request) async throws -> Reply {
        let (room, seq) = try services.room(ofMessage: request.parameter("message_id"))
        let message = try await room.delete(seq: seq, by: request.user.userId, isGlobalAdmin: request.user.isAdmin, now: request.now)
        return Self.deleted(messageId: message.id, roomId: room.id)
    }

    static func deleted(messageId: String, roomId: String) -> Reply {
        Reply("message_deleted", ["message_id": .string(messageId), "room_id": .string(roomId)])
    }

    func react(_ request: inout Request) async throws -> Reply {
        let (room, seq) = try services.room(ofMessage: request.parameter("message_id"), for: request.user)
        let emoji = try Self.emoji(request)
        let remove = try request.optionalBool("remove") ?? false
        let message = try await room.react(
            seq: seq, by: request.user.userId, emoji: emoji, add: !remove,
            maxDistinct: services.configuration.limits.reactionsPerMessage)
        return Reply(remove ? "reaction_removed" : "reaction_added", [
            "message_id": .string(message.id), "emoji": .string(emoji), "reactions": ChatJSON.reactions(message.reactions),
        ])
    }

    /// Longest emoji, in Unicode scalars (SPEC §5: 1–32), so at most 128 bytes. The longest standard emoji
    /// (a family or a subdivision flag) is 7–10 scalars.
    static let maxEmojiScalars = 32

    /// The `emoji` field: 1–32 scalars, no whitespace or control characters. Whether it is really an emoji
    /// is not checked.
    static func emoji(_ request: Request) throws(ChatError) -> String {
        let emoji = try request.string("emoji", maxLength: maxEmojiScalars)
        let isBlankOrControl = { (scalar: Unicode.Scalar) in
            scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
        }
        guard !emoji.unicodeScalars.contains(where: isBlankOrControl) else {
            throw ChatError.validation("'emoji' must not contain spaces or control characters")
        }
        return emoji
    }

    func reply(_ request: inout Request) async throws -> Reply {
        let parentId = request.parameter("message_id")
        let (room, _) = try services.room(ofMessage: parentId, for: request.user)
        let content = try request.string("content", maxLength: .max)
        let draft = MessageDraft(
            request, content: content, kind: try MessageHandlers.kind(request), replyTo: parentId, inThread: true)
        try await services.requireNotBlocked(request.user.userId, in: room)
        let message = try await room.post(draft, now: request.now)
        await typing.stop(request.user.userId, in: room)
        await notifier.mentions(in: message, room: room, now: request.now)
        return Self.threadReplySent(message)
    }

    static func threadReplySent(_ message: ChatMessage) -> Reply {
        MessageHandlers.sent(message).with(["thread_id": message.threadId.map(JSONValue.string) ?? .null])
    }

    // MARK: Replies rebuilt after a crash (Route.recover)

    static func recoverEdit(_ changes: [UnansweredRequest.Change]) -> Reply? {
        changes.lastRoomChange { roomId, change, _ in
            guard case .edited(let seq, _, let at) = change else { return nil }
            return edited(messageId: ChatMessage.id(roomId: roomId, seq: seq), roomId: roomId, at: at)
        }
    }

    static func recoverDelete(_ changes: [UnansweredRequest.Change]) -> Reply? {
        changes.lastRoomChange { roomId, change, _ in
            guard case .deleted(let seq, _) = change else { return nil }
            return deleted(messageId: ChatMessage.id(roomId: roomId, seq: seq), roomId: roomId)
        }
    }

    static func recoverReply(_ changes: [UnansweredRequest.Change]) -> Reply? {
        MessageHandlers.posted(changes).map(threadReplySent)
    }
}

extension Reply {
    /// The reply with extra fields.
    func with(_ extra: [String: JSONValue]) -> Reply {
        Reply(status, fields.merging(extra) { _, new in new })
    }
}
