import Actors
import Wire

/// Room messages and reading them back: send, history.
struct MessageHandlers {
    let services: ChatServices

    /// The kinds a user may post; `system` is the engine's own.
    static func kind(_ request: Request) throws(ChatError) -> MessageKind {
        let name = try request.optionalString("type", maxLength: 16) ?? "text"
        guard let kind = MessageKind(rawValue: name), kind != .system else {
            throw ChatError.validation("'type' must be text, image or file")
        }
        return kind
    }

    func draft(_ request: Request, content: String, replyTo: String? = nil, inThread: Bool = false) throws(ChatError) -> MessageDraft {
        MessageDraft(
            senderId: request.user.userId, senderName: request.user.name, senderIsGlobalAdmin: request.user.isAdmin,
            content: content, kind: try Self.kind(request), replyTo: replyTo, inThread: inThread,
            flagged: request.flagged)
    }

    func send(_ request: inout Request) async throws -> Reply {
        let room = try services.room(request.parameter("room_id"))
        let content = try request.string("content", maxLength: .max)
        let replyTo = try request.optionalString("reply_to", maxLength: 200)
        let message = try await room.post(draft(request, content: content, replyTo: replyTo), now: request.now)
        return Self.sent(message)
    }

    static func sent(_ message: ChatMessage) -> Reply {
        Reply("message_sent", [
            "message_id": .string(message.id), "room_id": .string(message.roomId),
            "seq": .number(Double(message.seq)), "timestamp": .number(message.timestamp),
        ])
    }

    func history(_ request: inout Request) async throws -> Reply {
        let room = try services.room(request.parameter("room_id"))
        let limit = try request.optionalInt("limit", in: 1...100) ?? 50
        let before = try request.optionalInt("before", in: 0...Int.max).map(UInt64.init)
        let threadId = try request.optionalString("thread_id", maxLength: 200)
        let page = try await room.history(for: request.user.userId, limit: limit, before: before, threadId: threadId)
        return Reply("success", [
            "room_id": .string(room.id),
            "messages": ChatJSON.messages(page.messages),
            "count": .number(Double(page.messages.count)),
            "has_more": .bool(page.hasMore),
            "next_before": page.hasMore ? page.messages.last.map { .number(Double($0.seq)) } ?? .null : .null,
        ])
    }
}
