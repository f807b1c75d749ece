import Wire

/// The schema of every route in `ChatRoutes`, keyed by route name (`chat/rooms/create`). A route added
/// to the table needs its entry here: `OpenAPIDocumentTests` fails until it has one.
enum APIRouteSchemas {
    typealias S = APISchema

    static let content = S.string(min: 1, max: 4000)
    static let messageType = S.oneOf(["text", "image", "file", "system"])
    static let device = S.string(min: 1, max: 64)
    static let posted: [String: JSONValue] = [
        "message_id": S.string(), "room_id": S.string(), "seq": S.integer(min: 1), "timestamp": S.number,
    ]
    static let membership: [String: JSONValue] = ["room_id": S.string(), "member_count": S.integer(min: 0)]

    static let all: [String: APIRouteSchema] = [
        "chat/rooms/create": .init(
            "Create a room; the caller is its member and admin.",
            body: ["name": S.string(min: 1, max: 100), "description": S.string(), "type": S.oneOf(["public", "private"]),
                   "max_members": S.integer(min: 1, max: 100_000)],
            required: ["name"], statuses: ["room_created"], reply: ["room_id": S.string(), "room_data": S.reference("Room")]),
        "chat/rooms/join/{room_id}": .init(
            "Join a room (a private one only when invited).", statuses: ["joined", "already_member"], reply: membership),
        "chat/rooms/leave/{room_id}": .init("Leave a room.", statuses: ["left"], reply: membership),
        "chat/rooms/invite/{room_id}": .init(
            "Invite a user into a private room, or withdraw the invitation.",
            body: ["user_id": S.string(min: 1, max: 64), "revoke": S.boolean], required: ["user_id"],
            statuses: ["invited", "invite_revoked"], reply: ["room_id": S.string(), "user_id": S.string()]),
        "chat/rooms/list": .init(
            "List public rooms, the caller's rooms, or the rooms the caller is invited to.",
            body: ["scope": S.oneOf(["public", "mine", "invited"]), "limit": S.integer(min: 1, max: 100), "cursor": S.string()],
            statuses: ["success"], reply: ["rooms": S.array(S.anyObject), "next_cursor": S.nullable(S.string())]),
        "chat/rooms/{room_id}/info": .init(
            "A room's data, members and online count.", statuses: ["success"],
            reply: ["room": S.reference("Room"), "members": S.array(S.anyObject), "online_count": S.integer(min: 0)]),
        "chat/message/{room_id}": .init(
            "Post a message to a room.",
            body: ["content": content, "type": messageType, "reply_to": S.nullable(S.string())], required: ["content"],
            statuses: ["message_sent"], reply: posted),
        "chat/private/{user_id}": .init(
            "Send a private message (the direct room is created on first use).",
            body: ["content": content, "type": messageType], required: ["content"],
            statuses: ["private_message_sent"], reply: posted),
        "chat/broadcast": .init(
            "Send a broadcast to every online user (global admins).", body: ["content": content], required: ["content"],
            statuses: ["broadcast_sent"], reply: ["recipients": S.integer(min: 0)]),
        "chat/message/{message_id}/edit": .init(
            "Edit one's own message.", body: ["content": content], required: ["content"], statuses: ["message_edited"],
            reply: ["message_id": S.string(), "room_id": S.string(), "edited_at": S.nullable(S.number)]),
        "chat/message/{message_id}/reply": .init(
            "Reply in a message's thread.", body: ["content": content, "type": messageType], required: ["content"],
            statuses: ["message_sent"], reply: posted),
        "chat/message/{message_id}/delete": .init(
            "Delete a message (its sender or a room admin).", statuses: ["message_deleted"],
            reply: ["message_id": S.string(), "room_id": S.string()]),
        "chat/message/{message_id}/react": .init(
            "Add or remove a reaction.", body: ["emoji": S.string(min: 1, max: 32), "remove": S.boolean], required: ["emoji"],
            statuses: ["reaction_added", "reaction_removed"],
            reply: ["message_id": S.string(), "emoji": S.string(), "reactions": S.anyObject]),
        "chat/presence/online": .init("Set a device online (TTL 300 s).", body: ["device": device], statuses: ["online"]),
        "chat/presence/away": .init("Set a device away (TTL 300 s).", body: ["device": device], statuses: ["away"]),
        "chat/presence/offline": .init("Set a device offline.", body: ["device": device], statuses: ["offline"]),
        "chat/typing/{room_id}/start": .init("Start typing in a room (expires after 10 s).", statuses: ["typing_started"],
                                             reply: ["room_id": S.string()]),
        "chat/typing/{room_id}/stop": .init("Stop typing in a room.", statuses: ["typing_stopped"], reply: ["room_id": S.string()]),
        "chat/history/{room_id}": .init(
            "Page a room's history: newest first, or with `after` oldest first.",
            body: ["limit": S.integer(min: 1, max: 100), "before": S.integer(min: 0), "after": S.integer(min: 0),
                   "thread_id": S.string()],
            statuses: ["success"],
            reply: ["room_id": S.string(), "messages": S.messages, "count": S.integer(min: 0), "has_more": S.boolean]),
        "chat/search/{room_id}": .init(
            "Search a room's messages.", body: ["query": S.string(min: 1, max: 200), "limit": S.integer(min: 1, max: 100)],
            required: ["query"], statuses: ["success"],
            reply: ["room_id": S.string(), "query": S.string(), "messages": S.messages, "count": S.integer(min: 0)]),
        "chat/read/{room_id}": .init(
            "Mark a room read up to `seq`.", body: ["seq": S.integer(min: 0)], required: ["seq"], statuses: ["success"],
            reply: ["room_id": S.string(), "unread": S.integer(min: 0), "read_seq": S.integer(min: 0)]),
        "chat/file/share/{room_id}": .init(
            "Post an uploaded file to a room.", body: ["file_id": S.string(min: 1), "caption": S.string(max: 4000)],
            required: ["file_id"], statuses: ["message_sent"], reply: posted),
        "chat/file/get/{file_id}": .init(
            "Read a range of a file (base64).", body: ["offset": S.integer(min: 0), "length": S.integer(min: 1)],
            statuses: ["success"],
            reply: ["file_id": S.string(), "name": S.string(), "mime": S.string(), "size": S.integer(min: 0),
                    "sha256": S.string(), "offset": S.integer(min: 0), "length": S.integer(min: 0), "eof": S.boolean,
                    "data": S.string()]),
        "chat/admin/rooms/{room_id}/moderate": .init(
            "Moderate a room (room admin or global admin).",
            body: ["action": S.oneOf([
                       "lock", "unlock", "slow_mode", "kick", "clear_history", "delete_message", "rename", "describe",
                       "promote", "demote", "archive",
                   ]),
                   "seconds": S.integer(min: 0), "user_id": S.string(min: 1, max: 64), "message_id": S.string(),
                   "name": S.string(min: 1, max: 100), "description": S.string()],
            required: ["action"], statuses: ["success"], reply: ["room_id": S.string(), "action": S.string()]),
        "chat/admin/users/{user_id}/mute": .init(
            "Mute or unmute a user in a room.",
            body: ["room_id": S.string(min: 1), "duration_seconds": S.number, "unmute": S.boolean], required: ["room_id"],
            statuses: ["muted", "unmuted"]),
        "chat/admin/users/{user_id}/ban": .init(
            "Ban or unban a user in a room, or everywhere (global admins).",
            body: ["room_id": S.string(min: 1), "unban": S.boolean], statuses: ["banned", "unbanned"],
            reply: ["user_id": S.string()]),
        "chat/admin/messages/cleanup": .init(
            "Delete messages older than a number of seconds (global admins).",
            body: ["older_than_seconds": S.number, "room_id": S.string(min: 1)], required: ["older_than_seconds"],
            statuses: ["success"], reply: ["deleted": S.integer(min: 0), "rooms": S.integer(min: 0)]),
        "chat/file/upload/{room_id}": .init(
            "Upload a file in one request or in chunks (`upload_id`, `index`, `total`).",
            body: ["name": S.string(min: 1), "mime": S.string(min: 1), "data": S.string(), "upload_id": S.string(min: 1),
                   "index": S.integer(min: 0), "total": S.integer(min: 1)],
            required: ["data"], statuses: ["file_uploaded", "chunk_received"]),
        "chat/sync": .init(
            "Bring a client up to date: every room of the caller with what it missed, and pending invitations.",
            body: ["rooms": ["type": "object", "additionalProperties": S.integer(min: 0)],
                   "limit_per_room": S.integer(min: 1, max: 100)],
            statuses: ["success"],
            reply: ["rooms": S.array(S.anyObject), "invites": S.array(S.anyObject), "left": S.array(S.string()),
                    "next_room": S.nullable(S.string())]),
        "chat/search": .init(
            "Search every room of the caller.", body: ["query": S.string(min: 1, max: 200), "limit": S.integer(min: 1, max: 50)],
            required: ["query"], statuses: ["success"],
            reply: ["query": S.string(), "messages": S.messages, "count": S.integer(min: 0)]),
        "chat/users/block/{user_id}": .init(
            "Block or unblock a user.", body: ["unblock": S.boolean], statuses: ["blocked", "unblocked"],
            reply: ["user_id": S.string()]),
        "chat/users/blocked": .init(
            "The users the caller blocks.", statuses: ["success"],
            reply: ["users": S.array(S.string()), "count": S.integer(min: 0)]),
        "chat/push/register": .init(
            "Register (or replace) a device a push gateway delivers the caller's notifications to; its token is `push_token`.",
            body: ["device_id": device, "platform": S.oneOf(["apns", "fcm", "webpush", "webhook"]),
                   "push_token": S.string(min: 1, max: 4096), "app_id": S.string(min: 1, max: 256)],
            required: ["device_id", "platform", "push_token", "app_id"], statuses: ["push_registered"],
            reply: ["device_id": S.string(), "platform": S.string(), "devices": S.integer(min: 1)]),
        "chat/push/unregister": .init(
            "Unregister one of the caller's push devices.", body: ["device_id": device], required: ["device_id"],
            statuses: ["push_unregistered"], reply: ["device_id": S.string(), "devices": S.integer(min: 0)]),
    ]
}
