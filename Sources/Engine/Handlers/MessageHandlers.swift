import Actors
import Wire

/// Room messages and reading them back: send, history, search, read marks, broadcast.
struct MessageHandlers {
    let services: ChatServices
    let typing: TypingService
    let notifier: Notifier

    /// The kinds a user may post; `system` is the engine's own.
    static func kind(_ request: Request) throws(ChatError) -> MessageKind {
        let name = try request.optionalString("type", maxLength: 16) ?? "text"
        guard let kind = MessageKind(rawValue: name), kind != .system else {
            throw ChatError.validation("'type' must be text, image or file")
        }
        return kind
    }

    func send(_ request: inout Request) async throws -> Reply {
        let room = try services.room(request.parameter("room_id"), for: request.user)
        let content = try request.string("content", maxLength: .max)
        let replyTo = try request.optionalString("reply_to", maxLength: 200)
        let draft = MessageDraft(request, content: content, kind: try Self.kind(request), replyTo: replyTo)
        try await services.requireNotBlocked(request.user.userId, in: room)
        let message = try await room.post(draft, now: request.now)
        await typing.stop(request.user.userId, in: room)
        await notifier.mentions(in: message, room: room, now: request.now)
        return Self.sent(message)
    }

    static func sent(_ message: ChatMessage) -> Reply {
        Reply("message_sent", [
            "message_id": .string(message.id), "room_id": .string(message.roomId),
            "seq": .number(Double(message.seq)), "timestamp": .number(message.timestamp),
        ])
    }

    /// The message a request posted, for rebuilding its reply after a crash (Route.recover).
    static func posted(_ changes: [UnansweredRequest.Change]) -> ChatMessage? {
        changes.lastRoomChange { _, change, _ in
            guard case .posted(let message) = change, message.kind != .system else { return nil }
            return message
        }
    }

    static func recoverSend(_ changes: [UnansweredRequest.Change]) -> Reply? {
        posted(changes).map(sent)
    }

    func history(_ request: inout Request) async throws -> Reply {
        let room = try services.room(request.parameter("room_id"), for: request.user)
        let limit = try request.optionalInt("limit", in: 1...100) ?? 50
        let before = try request.optionalInt("before", in: 0...Int.max).map(UInt64.init)
        let after = try request.optionalInt("after", in: 0...Int.max).map(UInt64.init)
        let threadId = try request.optionalString("thread_id", maxLength: 200)
        if after != nil && before != nil { throw ChatError.validation("give 'before' or 'after', not both") }
        let page = if let after {
            try await room.history(for: request.user.userId, limit: limit, after: after, threadId: threadId)
        } else {
            try await room.history(for: request.user.userId, limit: limit, before: before, threadId: threadId)
        }
        // The next page starts past the last message of this one, in the direction of paging.
        let next: JSONValue = page.hasMore ? page.messages.last.map { .number(Double($0.seq)) } ?? .null : .null
        return Reply("success", [
            "room_id": .string(room.id),
            "messages": ChatJSON.messages(page.messages),
            "count": .number(Double(page.messages.count)),
            "has_more": .bool(page.hasMore),
            after == nil ? "next_before" : "next_after": next,
        ])
    }

    func search(_ request: inout Request) async throws -> Reply {
        let room = try services.room(request.parameter("room_id"), for: request.user)
        let query = try request.string("query", maxLength: 200)
        let limit = try request.optionalInt("limit", in: 1...100) ?? 20
        let found = try await room.search(
            for: request.user.userId, folded: SearchFolding.fold(query), limit: limit, fold: SearchFolding.fold)
        return Reply("success", [
            "room_id": .string(room.id), "query": .string(query), "messages": ChatJSON.messages(found),
            "count": .number(Double(found.count)),
        ])
    }

    func read(_ request: inout Request) async throws -> Reply {
        let room = try services.room(request.parameter("room_id"), for: request.user)
        guard let seq = try request.optionalInt("seq", in: 0...Int.max) else { throw ChatError.validation("'seq' is required") }
        let userId = request.user.userId
        let (readSeq, moved, unread) = try await room.markRead(userId, upTo: UInt64(seq))
        // Only a mark that moved: the user's other devices already heard of every earlier one.
        if moved {
            services.delivery.deliverToOwnInbox(.object([
                "type": "read_updated", "room_id": .string(room.id), "read_seq": .number(Double(readSeq)),
                "unread": .number(Double(unread)),
            ]), of: userId)
        }
        return Reply("success", [
            "room_id": .string(room.id), "unread": .number(Double(unread)), "read_seq": .number(Double(readSeq)),
        ])
    }

    func broadcast(_ request: inout Request) async throws -> Reply {
        let content = try request.string("content", maxLength: .max)
        let recipients = services.presence.onlineUsers(now: request.now)
        services.delivery.deliver(
            .broadcast(senderId: request.user.userId, senderName: request.user.name, content: content, timestamp: request.now),
            to: recipients)
        return Reply("broadcast_sent", ["recipients": .number(Double(recipients.count))])
    }
}
