import Actors
import Wire

/// Getting up to date in one round trip (SPEC §10): `sync` and the search across the caller's rooms.
struct SyncHandlers {
    let services: ChatServices

    /// Rooms the client names in one sync: more than a user can be in is not a client's state.
    static let maxRoomsPerSync = 10_000
    /// Messages one sync reply carries, in bytes of JSON: past it rooms report `has_more` and the client
    /// pages with `history`, so no reply (and no buffer for it) grows with the caller's rooms × limit.
    static let replyByteBudget = 1 << 20
    /// What a room's entry costs the budget besides its messages (its JSON without them is ~300 bytes).
    static let entryBytes = 320

    /// Every room the caller is in, with what the client missed of each since the position it gave,
    /// and the caller's pending invitations.
    func sync(_ request: inout Request) async throws -> Reply {
        let positions = try Self.positions(request.payload["rooms"])
        let limit = try request.optionalInt("limit_per_room", in: 1...100) ?? 50
        let fromRoom = try request.optionalString("from_room", maxLength: 200)
        let userId = request.user.userId
        // Each room is written to bytes as soon as its actor answers: no dictionary per message, and no
        // large piece of work between the awaits, which let other requests run.
        var rooms = JSONWriter(capacity: 4096)
        rooms.beginArray()
        var budget = Self.replyByteBudget
        // The first room this reply could not finish: the next part starts there.
        var nextRoom: String?
        let memberOf = services.index.rooms(of: userId)
        for roomId in memberOf.sorted() where fromRoom.map({ roomId >= $0 }) ?? true {
            guard budget > Self.entryBytes else {
                nextRoom = roomId
                break
            }
            guard let room = services.registry.room(roomId),
                  let (entry, bytes, cut) = try? await room.sync(
                    for: userId, from: positions[roomId], limit: limit, byteBudget: budget - Self.entryBytes)
            else { continue }
            budget -= bytes + Self.entryBytes
            Self.write(entry, eventsTopic: services.delivery.eventsTopic(
                roomId: roomId, type: entry.info.type, epoch: entry.topicEpoch), into: &rooms)
            if cut {
                nextRoom = roomId
                break
            }
        }
        rooms.endArray()
        let left = positions.keys.filter { !memberOf.contains($0) }.sorted()
        var reply = Reply("success", [
            "invites": .array(await invitations(of: userId)), "left": .array(left.map(JSONValue.string)),
            "next_room": nextRoom.map(JSONValue.string) ?? .null,
        ])
        reply.encodedFields = [("rooms", rooms.bytes)]
        return reply
    }

    /// `rooms` maps room ids to the newest seq the client holds, or to `{"last_seq", "change_seq"}`.
    static func positions(_ value: JSONValue?) throws(ChatError) -> [String: RoomSyncPosition] {
        guard let value, !value.isNull else { return [:] }
        guard case .object(let rooms) = value else {
            throw ChatError.validation("'rooms' must be an object of room id → last seq")
        }
        guard rooms.count <= maxRoomsPerSync else {
            throw ChatError.validation("'rooms' names more than \(maxRoomsPerSync) rooms")
        }
        var positions: [String: RoomSyncPosition] = Dictionary(minimumCapacity: rooms.count)
        for (roomId, position) in rooms {
            guard roomId.utf8.count <= 200 else { throw ChatError.validation("a room id in 'rooms' is too long") }
            if let seq = position.intValue, seq >= 0 {
                positions[roomId] = RoomSyncPosition(lastSeq: UInt64(seq))
                continue
            }
            guard case .object(let fields) = position, let seq = fields["last_seq"]?.intValue, seq >= 0 else {
                throw ChatError.validation("'rooms.\(roomId)' must be a seq or {\"last_seq\", \"change_seq\"}")
            }
            var changeSeq: UInt64?
            if let number = fields["change_seq"], !number.isNull {
                guard let value = number.intValue, value >= 0 else {
                    throw ChatError.validation("'rooms.\(roomId).change_seq' must be a non-negative integer")
                }
                changeSeq = UInt64(value)
            }
            positions[roomId] = RoomSyncPosition(lastSeq: UInt64(seq), changeSeq: changeSeq)
        }
        return positions
    }

    static func write(_ entry: RoomSyncEntry, eventsTopic: String?, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("room_id", entry.info.id)
        writer.field("name", entry.info.name)
        writer.field("type", entry.info.type.rawValue)
        writer.field("description", entry.info.description)
        writer.field("archived", entry.info.archived)
        writer.field("locked", entry.info.locked)
        writer.field("member_count", entry.memberCount)
        writer.field("last_seq", Int(entry.lastSeq))
        writer.field("read_seq", Int(entry.readSeq))
        writer.field("unread", entry.unread)
        writer.field("first_seq", Int(entry.firstSeq))
        writer.field("change_seq", Int(entry.changeSeq))
        writer.key("messages")
        ChatJSON.write(entry.messages, into: &writer)
        writer.field("has_more", entry.hasMore)
        writer.key("changed")
        ChatJSON.write(entry.changed, into: &writer)
        writer.field("changes_truncated", entry.changesTruncated)
        if let eventsTopic { writer.field("events_topic", eventsTopic) }
        writer.endObject()
    }

    /// The caller's pending invitations, oldest first.
    func invitations(of userId: String) async -> [JSONValue] {
        var found: [(Double, JSONValue)] = []
        for roomId in services.index.invitations(of: userId) {
            guard let room = services.registry.room(roomId), let (info, invitation) = await room.invitation(of: userId)
            else { continue }
            found.append((invitation.invitedAt, RoomHandlers.invitationNotice(info, invitation)))
        }
        return found.sorted { $0.0 < $1.0 }.map { invitation in
            guard case .object(var object) = invitation.1 else { return invitation.1 }
            object["type"] = nil
            return .object(object)
        }
    }

    static func newestFirst(_ messages: [ChatMessage]) -> [ChatMessage] {
        messages.sorted { ($0.timestamp, $0.roomId, $0.seq) > ($1.timestamp, $1.roomId, $1.seq) }
    }

    /// Messages matching `query` in every room the caller is in, newest first; each names its room.
    func search(_ request: inout Request) async throws -> Reply {
        let query = try request.string("query", maxLength: 200)
        let limit = try request.optionalInt("limit", in: 1...50) ?? 20
        let folded = SearchFolding.fold(query)
        var found: [ChatMessage] = []
        for roomId in services.index.rooms(of: request.user.userId) {
            guard let room = services.registry.room(roomId),
                  let matches = try? await room.search(for: request.user.userId, folded: folded, limit: limit, fold: SearchFolding.fold)
            else { continue }
            found.append(contentsOf: matches)
            // The newest `limit` so far are all that can make the page: a user in many rooms holds no more.
            if found.count > 2 * limit { found = Array(Self.newestFirst(found).prefix(limit)) }
        }
        let page = Self.newestFirst(found).prefix(limit)
        return Reply("success", [
            "query": .string(query), "messages": ChatJSON.messages(page), "count": .number(Double(page.count)),
        ])
    }
}
