import Actors
import Wire

/// Moderation: room settings, mutes, bans, cleanup. Room admins act on their rooms; global admins anywhere.
struct AdminHandlers {
    let services: ChatServices

    func moderate(_ request: inout Request) async throws -> Reply {
        let room = try services.room(request.parameter("room_id"), for: request.user)
        let action = try request.string("action", maxLength: 32)
        let user = request.user
        let details: [String: JSONValue]
        switch action {
        case "lock", "unlock":
            let info = try await room.configure(.locked(action == "lock"), action: action, by: user.userId, isGlobalAdmin: user.isAdmin)
            details = ["locked": .bool(info.locked)]
        case "slow_mode":
            guard let seconds = try request.optionalInt("seconds", in: 0...86_400) else {
                throw ChatError.validation("'seconds' is required for slow_mode")
            }
            let info = try await room.configure(.slowMode(seconds: seconds), action: action, by: user.userId, isGlobalAdmin: user.isAdmin)
            details = ["slow_mode_seconds": .number(Double(info.slowModeSeconds))]
        case "rename":
            let name = try request.string("name", maxLength: 100)
            guard !name.allSatisfy(\.isWhitespace) else { throw ChatError.validation("'name' must not be blank") }
            let info = try await room.configure(.renamed(name), action: action, by: user.userId, isGlobalAdmin: user.isAdmin)
            details = ["name": .string(info.name)]
        case "describe":
            let description = try request.optionalString("description", maxLength: 1000) ?? ""
            let info = try await room.configure(.described(description), action: action, by: user.userId, isGlobalAdmin: user.isAdmin)
            details = ["description": .string(info.description)]
        case "archive", "unarchive":
            let info = try await room.configure(.archived(action == "archive"), action: action, by: user.userId, isGlobalAdmin: user.isAdmin)
            details = ["archived": .bool(info.archived)]
        case "promote", "demote":
            let target = try request.userIdField("user_id")
            try await room.setAdmin(target, admin: action == "promote", by: user.userId, isGlobalAdmin: user.isAdmin)
            details = ["user_id": .string(target)]
        case "kick":
            let target = try request.userIdField("user_id")
            let count = try await room.kick(target, by: user.userId, isGlobalAdmin: user.isAdmin, now: request.now)
            details = ["user_id": .string(target), "member_count": .number(Double(count))]
        case "clear_history":
            let removed = try await room.clearHistory(by: user.userId, isGlobalAdmin: user.isAdmin)
            details = ["removed": .number(Double(removed))]
        case "delete_message":
            let messageId = try request.string("message_id", maxLength: 200)
            guard let parsed = ChatMessage.parseID(messageId), parsed.roomId == room.id else {
                throw ChatError.notFound("message \(messageId)")
            }
            try await room.requireAdminAccess(user.userId, isGlobalAdmin: user.isAdmin)
            _ = try await room.delete(seq: parsed.seq, by: user.userId, isGlobalAdmin: user.isAdmin, now: request.now)
            details = ["message_id": .string(messageId)]
        default:
            throw ChatError.validation("unknown action '\(action)'")
        }
        return Self.moderated(roomId: room.id, action: action, details)
    }

    static func moderated(roomId: String, action: String, _ details: [String: JSONValue]) -> Reply {
        Reply("success", details.merging(["room_id": .string(roomId), "action": .string(action)]) { _, new in new })
    }

    /// A moderation's reply rebuilt after a crash (Route.recover). `clear_history` is left out: its
    /// reply counts the messages removed, which its change does not record; applied again it removes
    /// none and says so.
    static func recoverModerate(_ changes: [UnansweredRequest.Change]) -> Reply? {
        changes.firstRoomChange { roomId, change, count in
            switch change {
            case .locked(let locked):
                return moderated(roomId: roomId, action: locked ? "lock" : "unlock", ["locked": .bool(locked)])
            case .slowMode(let seconds):
                return moderated(roomId: roomId, action: "slow_mode", ["slow_mode_seconds": .number(Double(seconds))])
            case .left(let userId, _):
                guard let count else { return nil }
                return moderated(roomId: roomId, action: "kick", ["user_id": .string(userId), "member_count": .number(Double(count))])
            case .deleted(let seq, _):
                return moderated(roomId: roomId, action: "delete_message", ["message_id": .string(ChatMessage.id(roomId: roomId, seq: seq))])
            case .renamed(let name):
                return moderated(roomId: roomId, action: "rename", ["name": .string(name)])
            case .described(let description):
                return moderated(roomId: roomId, action: "describe", ["description": .string(description)])
            case .archived(let archived):
                return moderated(roomId: roomId, action: archived ? "archive" : "unarchive", ["archived": .bool(archived)])
            case .promoted(let userId):
                return moderated(roomId: roomId, action: "promote", ["user_id": .string(userId)])
            case .demoted(let userId):
                return moderated(roomId: roomId, action: "demote", ["user_id": .string(userId)])
            default:
                return nil
            }
        }
    }

    func mute(_ request: inout Request) async throws -> Reply {
        let target = request.parameter("user_id")
        guard isValidUserID(target) else { throw ChatError.validation("'\(target)' is not a valid user id") }
        let roomId = try request.string("room_id", maxLength: 200)
        let room = try services.room(roomId, for: request.user)
        let unmute = try request.optionalBool("unmute") ?? false
        let duration = try request.optionalInt("duration_seconds", in: 1...31_536_000)
        let until = duration.map { request.now + Double($0) }
        try await room.mute(target, until: until, unmute: unmute, by: request.user.userId, isGlobalAdmin: request.user.isAdmin)
        return Reply(unmute ? "unmuted" : "muted", [
            "user_id": .string(target), "room_id": .string(roomId), "until": until.map(JSONValue.number) ?? .null,
        ])
    }

    func ban(_ request: inout Request) async throws -> Reply {
        let target = request.parameter("user_id")
        guard isValidUserID(target) else { throw ChatError.validation("'\(target)' is not a valid user id") }
        let unban = try request.optionalBool("unban") ?? false
        let user = request.user
        // A global admin who banned themselves everywhere could not send the unban: every request of a
        // globally banned user is refused (found by schemathesis through the HTTP API).
        guard unban || target != user.userId else { throw ChatError.validation("you cannot ban yourself") }
        if let roomId = try request.optionalString("room_id", maxLength: 200) {
            try await services.room(roomId, for: user).ban(target, unban: unban, by: user.userId, isGlobalAdmin: user.isAdmin, now: request.now)
            return Reply(unban ? "unbanned" : "banned", ["user_id": .string(target), "room_id": .string(roomId)])
        }
        guard user.isAdmin else { throw ChatError(.forbidden, "a ban from every room needs a global admin") }
        // Journaled under the lock a snapshot reads the bans with, so a snapshot covering the record
        // holds the ban.
        try services.globalBans.withLock { (bans) throws(ChatError) in
            try services.delivery.record(.globalBan(userId: target, banned: !unban))
            if unban { bans.remove(target) } else { bans.insert(target) }
        }
        // A global ban is enforced for every request; here it only takes the user out of their rooms,
        // so lifting it leaves no room bans behind.
        var rooms = 0
        if !unban {
            for roomId in services.index.rooms(of: target) {
                guard let room = services.registry.room(roomId) else { continue }
                _ = try await room.leave(target, reason: "banned", now: request.now)
                rooms += 1
            }
        }
        services.delivery.deliver(.userBanned(roomId: nil, userId: target, banned: !unban), to: [target])
        return Reply(unban ? "unbanned" : "banned", ["user_id": .string(target), "room_id": .null, "rooms": .number(Double(rooms))])
    }

    func cleanup(_ request: inout Request) async throws -> Reply {
        guard let age = try request.optionalInt("older_than_seconds", in: 0...Int(Int32.max)) else {
            throw ChatError.validation("'older_than_seconds' is required")
        }
        let cutoff = request.now - Double(age)
        let rooms: [RoomActor]
        if let roomId = try request.optionalString("room_id", maxLength: 200) {
            rooms = [try services.room(roomId)]
        } else {
            rooms = services.registry.all
        }
        var removed = 0
        for room in rooms { removed += try await room.removeMessages(olderThan: cutoff) }
        return Reply("success", ["deleted": .number(Double(removed)), "rooms": .number(Double(rooms.count))])
    }
}
