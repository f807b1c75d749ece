/// Admin actions on a room: lock, slow mode, kick, clear, delete, mute, ban, cleanup.
extension RoomActor {
    func requireAdmin(_ userId: String, isGlobalAdmin: Bool) throws(ChatError) {
        guard state.isAdmin(userId) || isGlobalAdmin else {
            // A stranger to a direct room gets what a direct room that does not exist answers.
            if state.info.type == .direct && !state.isMember(userId) { throw ChatError.notMember }
            throw ChatError(.forbidden, "this action needs a room admin")
        }
    }

    /// Changes a setting (lock, slow mode, name, description, archive); members get `room_updated`.
    public func configure(_ change: RoomChange, action: String, by userId: String, isGlobalAdmin: Bool) throws(ChatError) -> RoomInfo {
        try requireAdmin(userId, isGlobalAdmin: isGlobalAdmin)
        switch change {
        case .renamed, .described, .archived:
            // A conversation's name is its two participants, and it has no admin to archive it.
            if state.info.type == .direct { throw ChatError(.forbidden, "a private conversation has no settings to change") }
        default:
            break
        }
        try commit(change)
        effects.broadcast(.roomUpdated(state.info, action: action, by: userId), in: state.audience)
        return state.info
    }

    /// Makes a member an admin of the room, or takes that away; the room always keeps one.
    public func setAdmin(_ target: String, admin: Bool, by userId: String, isGlobalAdmin: Bool) throws(ChatError) {
        try requireAdmin(userId, isGlobalAdmin: isGlobalAdmin)
        if state.info.type == .direct { throw ChatError(.forbidden, "a private conversation has no admins") }
        guard state.isMember(target) else { throw ChatError.notFound("member \(target)") }
        guard state.isAdmin(target) != admin else { return }
        if !admin && state.admins == [target] {
            throw ChatError(.conflict, "\(target) is the room's last admin; promote someone else first")
        }
        try commit(admin ? .promoted(userId: target) : .demoted(userId: target))
        effects.broadcast(
            .roomUpdated(state.info, action: admin ? "promote" : "demote", by: userId, userId: target), in: state.audience)
    }

    /// Removes a member by an admin's decision.
    public func kick(_ target: String, by userId: String, isGlobalAdmin: Bool, now: Double) throws(ChatError) -> Int {
        try requireAdmin(userId, isGlobalAdmin: isGlobalAdmin)
        guard state.isMember(target) else { throw ChatError.notFound("member \(target)") }
        let before = state.audience
        let count = try leave(target, reason: "kicked", now: now)
        // Part of the departure: under the topic's old name, which the members who stay still hear.
        effects.broadcast(.roomUpdated(state.info, action: "kick", by: userId, userId: target), in: before)
        return count
    }

    /// Empties the timeline; seqs continue where they were.
    public func clearHistory(by userId: String, isGlobalAdmin: Bool) throws(ChatError) -> Int {
        try requireAdmin(userId, isGlobalAdmin: isGlobalAdmin)
        let removed = state.ring.count
        try commit(.historyCleared)
        effects.broadcast(.roomUpdated(state.info, action: "clear_history", by: userId), in: state.audience)
        return removed
    }

    /// Mutes a member until `until` (nil: until unmuted), or unmutes.
    public func mute(_ target: String, until: Double?, unmute: Bool, by userId: String, isGlobalAdmin: Bool) throws(ChatError) {
        try requireAdmin(userId, isGlobalAdmin: isGlobalAdmin)
        guard state.isMember(target) || state.muted[target] != nil else { throw ChatError.notFound("member \(target)") }
        try commit(unmute ? .unmuted(userId: target) : .muted(userId: target, until: until))
        let event = RoomEvent.userMuted(roomId: id, userId: target, until: unmute ? nil : until, muted: !unmute)
        effects.broadcast(event, in: state.audience)
        if !state.isMember(target) { effects.deliver(event, to: [target]) }
    }

    /// Bans (removing from the room) or unbans a user.
    public func ban(_ target: String, unban: Bool, by userId: String?, isGlobalAdmin: Bool, now: Double) throws(ChatError) {
        if let userId { try requireAdmin(userId, isGlobalAdmin: isGlobalAdmin) }
        if unban {
            guard state.banned.contains(target) else { return }
            try commit(.unbanned(userId: target))
            let event = RoomEvent.userBanned(roomId: id, userId: target, banned: false)
            effects.broadcast(event, in: state.audience)
            effects.deliver(event, to: [target])
            return
        }
        let wasMember = state.isMember(target)
        let before = state.audience
        try commit(.banned(userId: target))
        let event = RoomEvent.userBanned(roomId: id, userId: target, banned: true)
        guard wasMember else {
            effects.broadcast(event, in: state.audience)
            effects.deliver(event, to: [target])
            return
        }
        index.remove(target, from: id)
        // As for any departure: said under the topic's old name, which the banned user hears too.
        effects.broadcast(event, in: before)
        effects.broadcast(
            .memberLeft(roomId: id, userId: target, reason: "banned", memberCount: state.memberCount), in: before)
        effects.roomTopicRenamed(state.audience, lastSeq: state.lastSeq)
    }

    /// Removes messages older than `cutoff` (Unix seconds); returns how many.
    public func removeMessages(olderThan cutoff: Double) throws(ChatError) -> Int {
        let doomed = state.ring.filter { $0.timestamp < cutoff }.map(\.seq)
        guard !doomed.isEmpty else { return 0 }
        try commit(.removed(seqs: doomed))
        return doomed.count
    }

    /// The member ids, in join order.
    public func memberIds() -> [String] { state.recipients }

    /// The members and the room topic's current name.
    public func audience() -> RoomAudience { state.audience }

    /// Whether `userId` is a member.
    public func isMember(_ userId: String) -> Bool { state.isMember(userId) }
}

extension RoomActor {
    /// Brings both participants of a direct room in (back), silently, without the join rules. Nobody
    /// else ever gets in: the pair must be the one the room id names.
    public func admitParticipants(_ first: Member, _ second: Member) throws(ChatError) {
        guard state.info.type == .direct, first.userId != second.userId,
              DirectRoomID.make(first.userId, second.userId) == id
        else { throw ChatError(.forbidden, "only its two participants can be in a private conversation") }
        for member in [first, second] where state.banned.contains(member.userId) {
            throw ChatError(.banned, "\(member.userId) is banned from this conversation")
        }
        for member in [first, second] where !state.isMember(member.userId) {
            try commit(.joined(member))
            index.add(member.userId, to: id)
        }
    }
}

extension RoomActor {
    /// Throws `forbidden` unless `userId` administers this room (or is a global admin).
    public func requireAdminAccess(_ userId: String, isGlobalAdmin: Bool) throws(ChatError) {
        try requireAdmin(userId, isGlobalAdmin: isGlobalAdmin)
    }
}

extension RoomActor {
    /// Ids of the files the stored messages share.
    public func referencedFileIds() -> Set<String> {
        Set(state.ring.compactMap { $0.file?.fileId })
    }
}
