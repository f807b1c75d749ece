import Actors
import Foundation
import Wire

/// Rooms: create, join, leave, invite, list, info.
struct RoomHandlers {
    let services: ChatServices

    func create(_ request: inout Request) async throws -> Reply {
        let name = try request.string("name", maxLength: 100)
        guard !name.allSatisfy(\.isWhitespace) else { throw ChatError.validation("'name' must not be blank") }
        let description = try request.optionalString("description", maxLength: 1000) ?? ""
        let typeName = try request.optionalString("type", maxLength: 16) ?? "public"
        guard let type = RoomType(rawValue: typeName), type != .direct else {
            throw ChatError.validation("'type' must be public or private")
        }
        let maxMembers = try request.optionalInt("max_members", in: 1...services.configuration.maxRoomMembers) ?? 100
        // Creations share one lane, so the count cannot change between this check and the insert.
        let limit = services.configuration.limits.roomsCreatedPerUser
        guard services.directory.roomsCreated(by: request.user.userId) < limit else {
            throw ChatError(.forbidden, "you have created \(limit) rooms, the most one user may")
        }
        let info = RoomInfo(
            id: UUID().uuidString.lowercased(), name: name, description: description, type: type,
            creatorId: request.user.userId, createdAt: request.now, maxMembers: maxMembers)
        let creator = Member(userId: request.user.userId, name: request.user.name, joinedAt: request.now)
        // Journaled and registered under the registry's lock: a snapshot that rotated the journal past the
        // `.created` record must find the room when it lists the rooms.
        let room = try services.registry.room(info.id) { () throws(ChatError) in try services.createRoom(info, creator: creator) }
        try await room.announce("Room '\(name)' created", at: request.now)
        return Self.created(info).adding(eventsTopic: services.delivery.eventsTopic(roomId: info.id, type: type, epoch: 0))
    }

    static func created(_ info: RoomInfo) -> Reply {
        Reply("room_created", ["room_id": .string(info.id), "room_data": ChatJSON.room(info, memberCount: 1)])
    }

    func join(_ request: inout Request) async throws -> Reply {
        let roomId = request.parameter("room_id")
        // Before the lookup: the answer must not tell whether the conversation exists.
        guard !DirectRoomID.isDirect(roomId) else { throw ChatError.directRoomClosed }
        let room = try services.room(roomId)
        let member = Member(userId: request.user.userId, name: request.user.name, joinedAt: request.now)
        let outcome = try await room.join(member)
        // The name in use now: had someone left since the join, it is already the next one.
        let audience = await room.audience()
        return Self.membership(outcome.joined ? "joined" : "already_member", roomId: roomId, memberCount: outcome.memberCount)
            .adding(eventsTopic: audience.members.contains(member.userId) ? services.delivery.eventsTopic(for: audience) : nil)
    }

    func leave(_ request: inout Request) async throws -> Reply {
        let roomId = request.parameter("room_id")
        let count = try await services.room(roomId, for: request.user).leave(request.user.userId, now: request.now)
        return Self.membership("left", roomId: roomId, memberCount: count)
    }

    static func membership(_ status: String, roomId: String, memberCount: Int) -> Reply {
        Reply(status, ["room_id": .string(roomId), "member_count": .number(Double(memberCount))])
    }

    /// Invites a user into a private room (they hear of it in their notifications, online or not), or
    /// with `revoke` withdraws the invitation; invitees decline by revoking their own.
    func invite(_ request: inout Request) async throws -> Reply {
        let roomId = request.parameter("room_id")
        guard !DirectRoomID.isDirect(roomId) else { throw ChatError.directRoomClosed }
        let invitee = try request.userIdField("user_id")
        let revoke = try request.optionalBool("revoke") ?? false
        let user = request.user
        if revoke {
            let room = try services.room(roomId)
            if try await room.revokeInvitation(invitee, by: user.userId, isGlobalAdmin: user.isAdmin), invitee != user.userId {
                services.notify(
                    JSONValue.object(["type": "room_invite_revoked", "room_id": .string(roomId), "by": .string(user.userId)])
                        .serialized(),
                    to: invitee, now: request.now)
            }
            return Self.inviteRevoked(roomId: roomId, userId: invitee)
        }
        guard invitee != user.userId else { throw ChatError.validation("you cannot invite yourself") }
        // As for a private message: someone who blocked you hears nothing from you, invitations included.
        if services.blocks.blocks(invitee, user.userId) {
            throw ChatError(.forbidden, "\(invitee) has blocked you: you cannot invite them")
        }
        let room = try services.room(roomId)
        if try await room.invite(
            invitee, by: user.userId, isGlobalAdmin: user.isAdmin, now: request.now,
            maxPending: services.configuration.limits.invitationsPerRoom),
           let (info, invitation) = await room.invitation(of: invitee) {
            services.notify(Self.invitationNotice(info, invitation).serialized(), to: invitee, now: request.now)
        }
        return Self.invited(roomId: roomId, userId: invitee)
    }

    static func invitationNotice(_ info: RoomInfo, _ invitation: Invitation) -> JSONValue {
        .object([
            "type": "room_invited", "room_id": .string(info.id), "room_name": .string(info.name),
            "invited_by": .string(invitation.invitedBy), "invited_at": .number(invitation.invitedAt),
        ])
    }

    static func invited(roomId: String, userId: String) -> Reply {
        Reply("invited", ["room_id": .string(roomId), "user_id": .string(userId)])
    }

    static func inviteRevoked(roomId: String, userId: String) -> Reply {
        Reply("invite_revoked", ["room_id": .string(roomId), "user_id": .string(userId)])
    }

    // MARK: Replies rebuilt after a crash (Route.recover): the same builders, fed from the journal

    static func recoverCreate(_ changes: [UnansweredRequest.Change]) -> Reply? {
        changes.firstRoomChange { _, change, _ in
            guard case .created(let info, _) = change else { return nil }
            return created(info)
        }
    }

    static func recoverJoin(_ changes: [UnansweredRequest.Change]) -> Reply? {
        changes.firstRoomChange { roomId, change, count in
            guard case .joined = change, let count else { return nil }
            return membership("joined", roomId: roomId, memberCount: count)
        }
    }

    static func recoverLeave(_ changes: [UnansweredRequest.Change]) -> Reply? {
        changes.firstRoomChange { roomId, change, count in
            guard case .left = change, let count else { return nil }
            return membership("left", roomId: roomId, memberCount: count)
        }
    }

    static func recoverInvite(_ changes: [UnansweredRequest.Change]) -> Reply? {
        changes.firstRoomChange { roomId, change, _ in
            switch change {
            case .invited(let userId, _, _): return invited(roomId: roomId, userId: userId)
            case .inviteRevoked(let userId): return inviteRevoked(roomId: roomId, userId: userId)
            default: return nil
            }
        }
    }

    /// Rooms in id order after `cursor`: candidates come from the directory (public rooms) and the
    /// membership index (the caller's rooms), and only the rooms on the page are asked for their summary,
    /// so a list costs O(the caller's rooms + page size), not O(all rooms).
    func list(_ request: inout Request) async throws -> Reply {
        let scope = try request.optionalString("scope", maxLength: 16)
        guard scope == nil || scope == "public" || scope == "mine" || scope == "invited" else {
            throw ChatError.validation("'scope' must be public, mine or invited")
        }
        let limit = try request.optionalInt("limit", in: 1...100) ?? 50
        let cursor = try request.optionalString("cursor", maxLength: 200)
        let userId = request.user.userId
        let own: Set<String> = switch scope {
        case "public": []
        case "invited": services.index.invitations(of: userId)
        default: services.index.rooms(of: userId)
        }
        var candidates = RoomListCandidates(
            directory: services.directory, includePublic: scope == nil || scope == "public", after: cursor,
            own: own, batch: limit + 1)
        var entries: [JSONValue] = []
        var nextCursor: String?
        while let roomId = candidates.next() {
            guard let room = services.registry.room(roomId), let summary = await room.summary(for: userId) else { continue }
            if scope == "public" && summary.info.type != .public { continue }
            if scope == "mine" && !summary.isMember { continue }
            if scope == "invited" && (summary.isMember || summary.invitation == nil) { continue }
            if entries.count == limit {
                nextCursor = entries.last?["id"]?.stringValue
                break
            }
            var entry: [String: JSONValue] = [
                "id": .string(summary.info.id), "name": .string(summary.info.name),
                "type": .string(summary.info.type.rawValue), "member_count": .number(Double(summary.memberCount)),
                "last_activity": .number(summary.info.lastActivity), "is_member": .bool(summary.isMember),
                "unread": summary.unread.map { .number(Double($0)) } ?? .null,
                "description": .string(summary.info.description), "archived": .bool(summary.info.archived),
                "last_seq": .number(Double(summary.lastSeq)), "read_seq": .number(Double(summary.readSeq)),
            ]
            if let invitation = summary.invitation, !summary.isMember {
                entry["invited_by"] = .string(invitation.invitedBy)
                entry["invited_at"] = .number(invitation.invitedAt)
            }
            if summary.isMember, let topic = services.delivery.eventsTopic(
                roomId: summary.info.id, type: summary.info.type, epoch: summary.topicEpoch) {
                entry["events_topic"] = .string(topic)
            }
            entries.append(.object(entry))
        }
        return Reply("success", ["rooms": .array(entries), "next_cursor": nextCursor.map(JSONValue.string) ?? .null])
    }

    func info(_ request: inout Request) async throws -> Reply {
        let room = try services.room(request.parameter("room_id"), for: request.user)
        let details = try await room.info(for: request.user.userId, isGlobalAdmin: request.user.isAdmin)
        var online = 0
        var members: [JSONValue] = []
        for member in details.members {
            let status = services.presence.status(of: member.userId, now: request.now)
            if status != .offline { online += 1 }
            members.append(.object([
                "user_id": .string(member.userId), "name": .string(member.name), "status": .string(status.rawValue),
                "is_admin": .bool(details.admins.contains(member.userId)), "joined_at": .number(member.joinedAt),
            ]))
        }
        let isMember = details.members.contains { $0.userId == request.user.userId }
        return Reply("success", ["room": ChatJSON.room(details.info, memberCount: details.memberCount), "members": .array(members), "online_count": .number(Double(online))])
            .adding(eventsTopic: isMember
                ? services.delivery.eventsTopic(roomId: details.info.id, type: details.info.type, epoch: details.topicEpoch) : nil)
    }
}
