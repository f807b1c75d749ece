/// One room: members, settings and the ring of its last messages. Every change goes through here, in order.
public actor RoomActor {
    public nonisolated let id: String
    var state: RoomState
    let effects: any RoomEffects
    let index: MembershipIndex
    let directory: RoomDirectory
    /// Last message time per member, for slow mode; not worth persisting across restarts.
    var lastPostAt: [String: Double] = [:]
    /// A direct room whose second participant has not yet posted or read in it: it counts against the
    /// user who opened it (``RoomDirectory``).
    var awaitingAnswer: Bool
    /// Search's folded copies of non-ASCII contents by seq, made on first search (ASCII contents are
    /// compared as they are, without a copy). A copy that folds to the content itself shares its storage.
    var foldedContents: [UInt64: String] = [:]

    /// Wraps an existing state (created, restored or replayed), registers its members in `index` and
    /// the room in `directory`.
    public init(state: RoomState, effects: any RoomEffects, index: MembershipIndex, directory: RoomDirectory) {
        var state = state
        // Snapshots from before direct rooms lost their admin still name one.
        if state.info.type == .direct { state.admins = [] }
        self.id = state.info.id
        self.state = state
        self.effects = effects
        self.index = index
        self.directory = directory
        awaitingAnswer = state.info.type == .direct && !state.isAnswered
        for member in state.members.keys { index.add(member, to: state.info.id) }
        for invitee in state.invited.keys { index.addInvitation(invitee, to: state.info.id) }
        directory.register(state.info, answered: !awaitingAnswer)
    }

    /// A copy of the whole state, for snapshots and read-only queries.
    public func snapshot() -> RoomState { state }

    /// Records `change`, applies it, and returns its journal position.
    @discardableResult
    func commit(_ change: RoomChange) throws(ChatError) -> UInt64 {
        let lsn = try effects.record(change, roomId: id)
        let invitedBefore = Self.touchesInvitations(change) ? Set(state.invited.keys) : nil
        state.apply(change, lsn: lsn)
        if let invitedBefore { reindexInvitations(from: invitedBefore) }
        forgetFoldedContents(changedBy: change)
        if awaitingAnswer && state.isAnswered(by: change) {
            awaitingAnswer = false
            directory.markAnswered(id)
        }
        return lsn
    }

    /// Applies a journaled change during replay; changes the state already reflects are skipped.
    public func replay(_ change: RoomChange, lsn: UInt64) {
        guard lsn > state.appliedLSN else { return }
        let before = Set(state.members.keys)
        let invitedBefore = Self.touchesInvitations(change) ? Set(state.invited.keys) : nil
        state.apply(change, lsn: lsn)
        forgetFoldedContents(changedBy: change)
        let after = Set(state.members.keys)
        for user in after.subtracting(before) { index.add(user, to: id) }
        for user in before.subtracting(after) { index.remove(user, from: id) }
        if let invitedBefore { reindexInvitations(from: invitedBefore) }
    }

    /// The changes that can add or remove a pending invitation; the others (posts above all) skip the
    /// index's bookkeeping.
    private static func touchesInvitations(_ change: RoomChange) -> Bool {
        switch change {
        case .invited, .inviteRevoked, .joined, .banned: true
        default: false
        }
    }

    private func reindexInvitations(from before: Set<String>) {
        guard !before.isEmpty || !state.invited.isEmpty else { return }
        let after = Set(state.invited.keys)
        for user in after.subtracting(before) { index.addInvitation(user, to: id) }
        for user in before.subtracting(after) { index.removeInvitation(user, from: id) }
    }

    /// Refuses what would change an archived room's conversation.
    func requireNotArchived() throws(ChatError) {
        if state.info.archived { throw ChatError(.forbidden, "the room is archived and read-only") }
    }

    // MARK: Queries

    func requireMember(_ userId: String) throws(ChatError) {
        guard state.isMember(userId) else { throw ChatError.notMember }
    }

    /// One page of history, oldest first: messages with seq above `after`, optionally of one thread.
    public func history(
        for userId: String, limit: Int, after: UInt64, threadId: String?
    ) throws(ChatError) -> (messages: [ChatMessage], hasMore: Bool) {
        try requireMember(userId)
        let start = after == .max ? state.ring.count : state.ring.lowerBound(seq: after + 1)
        return page(of: start..<state.ring.count, limit: limit, threadId: threadId)
    }

    /// One page of history, newest first: messages with seq below `before`, optionally of one thread.
    public func history(
        for userId: String, limit: Int, before: UInt64?, threadId: String?
    ) throws(ChatError) -> (messages: [ChatMessage], hasMore: Bool) {
        try requireMember(userId)
        let end = before.map { state.ring.lowerBound(seq: $0) } ?? state.ring.count
        return page(of: (0..<end).reversed(), limit: limit, threadId: threadId)
    }

    /// Up to `limit` messages at `positions`, in their order, of the thread if one is given.
    private func page(
        of positions: some Sequence<Int>, limit: Int, threadId: String?
    ) -> (messages: [ChatMessage], hasMore: Bool) {
        var page: [ChatMessage] = []
        page.reserveCapacity(min(limit, 100))
        for position in positions {
            let message = state.ring[position]
            if let threadId, message.threadId != threadId && message.id != threadId { continue }
            if page.count == limit { return (page, true) }
            page.append(message)
        }
        return (page, false)
    }

    /// The stored message `seq`, for a member.
    public func message(seq: UInt64, for userId: String) throws(ChatError) -> ChatMessage {
        try requireMember(userId)
        guard let message = state.message(seq: seq) else { throw ChatError.notFound("message") }
        return message
    }

    // MARK: Membership

    /// Adds a member; they get recent history, everyone gets `member_joined` and a system message.
    public func join(_ member: Member, historyCount: Int = 20) throws(ChatError) -> (joined: Bool, memberCount: Int) {
        // First, so that members and strangers alike get the answer they would get for a conversation
        // that does not exist.
        guard state.info.type != .direct else { throw ChatError.directRoomClosed }
        if state.isMember(member.userId) { return (false, state.memberCount) }
        if state.banned.contains(member.userId) { throw ChatError(.banned, "you are banned from this room") }
        try requireNotArchived()
        if state.info.type == .private && !state.isInvited(member.userId) {
            throw ChatError(.forbidden, "this room is private; an admin must invite you")
        }
        guard state.memberCount < state.info.maxMembers else { throw ChatError(.roomFull, "the room is full") }
        try commit(.joined(member))
        index.add(member.userId, to: id)
        effects.broadcast(.memberJoined(roomId: id, member: member, memberCount: state.memberCount), in: state.audience)
        try postSystem("\(member.name) joined the room", at: member.joinedAt)
        let recent = state.ring.suffix(historyCount)
        effects.deliver(.history(roomId: id, messages: Array(recent)), to: [member.userId])
        return (true, state.memberCount)
    }

    /// Removes a member; the last admin leaving hands admin to the oldest remaining member.
    ///
    /// The room's topic gets a new name the one who left never learns. What is said about the leaving
    /// still goes out under the old name, which the one who left hears too; the members who stay are then
    /// told the new name.
    public func leave(_ userId: String, reason: String = "left", now: Double) throws(ChatError) -> Int {
        try requireMember(userId)
        let name = state.members[userId]?.name ?? userId
        let handover = state.admins == [userId] ? state.oldestMember(excluding: userId) : nil
        let before = state.audience
        try commit(.left(userId: userId, newAdmin: handover))
        // Forgotten only once slow mode no longer holds it back: leaving and rejoining (or being kicked and
        // rejoining) must not walk around slow mode.
        if let last = lastPostAt[userId], now - last >= Double(state.info.slowModeSeconds) { lastPostAt[userId] = nil }
        index.remove(userId, from: id)
        try announceDeparture(userId, name: name, reason: reason, to: before, at: now)
        return state.memberCount
    }

    /// `member_left` and the system notice of a departure, to those who were members, then the new topic
    /// name to those who are.
    func announceDeparture(
        _ userId: String, name: String, reason: String, to before: RoomAudience, at now: Double
    ) throws(ChatError) {
        effects.broadcast(
            .memberLeft(roomId: id, userId: userId, reason: reason, memberCount: state.memberCount), in: before)
        // Whether or not the notice can be stored, those who stay must learn the new name.
        defer { effects.roomTopicRenamed(state.audience, lastSeq: state.lastSeq) }
        if !state.members.isEmpty {
            try postSystem(
                reason == "left" ? "\(name) left the room" : "\(name) was removed from the room", at: now, to: before)
        }
    }

    /// Lets `userId` join a private room; only its admins (or a global admin) may invite. Returns whether
    /// a new invitation was made (false: already invited or a member).
    /// At most `maxPending` invitations wait at once: each is kept until accepted, declined or withdrawn.
    public func invite(
        _ userId: String, by inviter: String, isGlobalAdmin: Bool, now: Double, maxPending: Int = 1000
    ) throws(ChatError) -> Bool {
        guard state.info.type != .direct else { throw ChatError.directRoomClosed }
        guard state.isAdmin(inviter) || isGlobalAdmin else {
            throw ChatError(.forbidden, "only a room admin can invite")
        }
        guard state.info.type == .private else {
            throw ChatError(.validationFailed, "only private rooms take invitations")
        }
        try requireNotArchived()
        if state.banned.contains(userId) { throw ChatError(.banned, "that user is banned from this room") }
        if state.isInvited(userId) || state.isMember(userId) { return false }
        guard state.invited.count < maxPending else {
            throw ChatError(.conflict, "the room has \(maxPending) pending invitations; revoke some first")
        }
        try commit(.invited(userId: userId, by: inviter, at: now))
        return true
    }

    /// Withdraws a pending invitation: an admin (or a global admin) withdraws anyone's, an invitee
    /// declines their own. Returns whether there was one.
    public func revokeInvitation(_ userId: String, by caller: String, isGlobalAdmin: Bool) throws(ChatError) -> Bool {
        guard state.info.type != .direct else { throw ChatError.directRoomClosed }
        guard caller == userId || state.isAdmin(caller) || isGlobalAdmin else {
            throw ChatError(.forbidden, "only a room admin can withdraw an invitation")
        }
        guard state.isInvited(userId) else { return false }
        try commit(.inviteRevoked(userId: userId))
        return true
    }

    /// The pending invitation of `userId`, with the room it opens, if any.
    public func invitation(of userId: String) -> (info: RoomInfo, invitation: Invitation)? {
        state.invited[userId].map { (state.info, $0) }
    }

    // MARK: Messages

    /// Stores a message from a member and fans it out to every member in seq order.
    public func post(_ draft: MessageDraft, now: Double) throws(ChatError) -> ChatMessage {
        try requireMember(draft.senderId)
        try requireNotArchived()
        let isAdmin = state.isAdmin(draft.senderId) || draft.senderIsGlobalAdmin
        if state.isMuted(draft.senderId, now: now) { throw ChatError(.muted, "you are muted in this room") }
        if state.info.locked && !isAdmin { throw ChatError(.forbidden, "the room is locked") }
        if state.info.slowModeSeconds > 0 && !isAdmin, let last = lastPostAt[draft.senderId] {
            let wait = last + Double(state.info.slowModeSeconds) - now
            if wait > 0 { throw ChatError(.rateLimited, "slow mode is on", retryAfter: wait) }
        }
        var threadId: String?
        if let replyTo = draft.replyTo {
            guard let parent = ChatMessage.parseID(replyTo), parent.roomId == id,
                  let parentMessage = state.message(seq: parent.seq)
            else { throw ChatError.notFound("message \(replyTo)") }
            if draft.inThread { threadId = parentMessage.threadId ?? parentMessage.id }
        }
        let message = ChatMessage(
            roomId: id, seq: state.lastSeq + 1, senderId: draft.senderId, senderName: draft.senderName,
            content: draft.content, kind: draft.kind, timestamp: now, replyTo: draft.replyTo,
            threadId: threadId, flagged: draft.flagged, file: draft.file, targetId: draft.targetId)
        try commit(.posted(message))
        lastPostAt[draft.senderId] = now
        effects.broadcast(.message(message), in: state.audience)
        return message
    }

    /// Posts a notice from the room itself to `audience` (the members now, unless given).
    func postSystem(_ content: String, at now: Double, to audience: RoomAudience? = nil) throws(ChatError) {
        let message = ChatMessage(
            roomId: id, seq: state.lastSeq + 1, senderId: "system", senderName: "system", content: content,
            kind: .system, timestamp: now)
        try commit(.posted(message))
        effects.broadcast(.message(message), in: audience ?? state.audience)
    }

    /// Replaces the content of the sender's own message.
    public func edit(seq: UInt64, by userId: String, content: String, now: Double) throws(ChatError) -> ChatMessage {
        let message = try self.message(seq: seq, for: userId)
        guard message.isOwned(by: userId) else { throw ChatError(.forbidden, "only the sender can edit a message") }
        try requireNotArchived()
        guard !message.deleted else { throw ChatError(.conflict, "the message was deleted") }
        try commit(.edited(seq: seq, content: content, at: now))
        let edited = state.message(seq: seq) ?? message
        effects.broadcast(.messageEdited(edited), in: state.audience)
        return edited
    }

    /// Tombstones a message: its sender (even one who has left), a room admin or a global admin may.
    /// Anyone else who is not a member gets `not_member` whether or not the message exists. The room's
    /// own notices are nobody's: only admins delete them.
    public func delete(seq: UInt64, by userId: String, isGlobalAdmin: Bool, now: Double) throws(ChatError) -> ChatMessage {
        let found = state.message(seq: seq)
        guard state.isMember(userId) || isGlobalAdmin || found?.isOwned(by: userId) == true else { throw ChatError.notMember }
        guard let message = found else { throw ChatError.notFound("message") }
        guard message.isOwned(by: userId) || state.isAdmin(userId) || isGlobalAdmin else {
            throw ChatError(.forbidden, "only the sender or an admin can delete a message")
        }
        if message.deleted { return message }
        try commit(.deleted(seq: seq, at: now))
        let deleted = state.message(seq: seq) ?? message
        effects.broadcast(.messageDeleted(deleted), in: state.audience)
        return deleted
    }

    /// Adds or removes a member's reaction; repeating it changes nothing and sends no event. A message
    /// holds at most `maxDistinct` different emoji: a new one past that is refused (`conflict`), while
    /// joining an emoji already there is not.
    public func react(
        seq: UInt64, by userId: String, emoji: String, add: Bool, maxDistinct: Int = .max
    ) throws(ChatError) -> ChatMessage {
        let message = try self.message(seq: seq, for: userId)
        try requireNotArchived()
        guard !message.deleted else { throw ChatError(.conflict, "the message was deleted") }
        guard message.hasReaction(emoji: emoji, userId: userId) != add else { return message }
        if add && message.reactions.count >= maxDistinct && !message.reactions.contains(where: { $0.emoji == emoji }) {
            throw ChatError(.conflict, "the message already has \(maxDistinct) different reactions; add one of those")
        }
        try commit(.reacted(seq: seq, emoji: emoji, userId: userId, added: add))
        let updated = state.message(seq: seq) ?? message
        effects.broadcast(.reaction(updated, emoji: emoji, userId: userId, added: add), in: state.audience)
        return updated
    }

    /// Moves the member's read mark up to `seq`; returns the mark, whether it moved, and what is still unread.
    public func markRead(_ userId: String, upTo seq: UInt64) throws(ChatError) -> (readSeq: UInt64, moved: Bool, unread: Int) {
        try requireMember(userId)
        let target = min(seq, state.lastSeq)
        let moved = target > (state.readMarks[userId] ?? 0)
        if moved { try commit(.read(userId: userId, seq: target)) }
        return (state.readMarks[userId] ?? 0, moved, state.unreadCount(for: userId))
    }
}

extension ChatMessage {
    /// Whether `userId` wrote this message. System notices are nobody's: their `sender_id` is
    /// "system", which is also a valid user id, and a user called that must not own them.
    func isOwned(by userId: String) -> Bool {
        kind != .system && senderId == userId
    }
}

/// A message a member wants to post, before the room gives it a seq.
public struct MessageDraft: Sendable {
    public var senderId: String
    public var senderName: String
    public var senderIsGlobalAdmin: Bool
    public var content: String
    public var kind: MessageKind
    public var replyTo: String?
    /// Whether the reply joins the thread of `replyTo` (set by the `reply` route).
    public var inThread: Bool
    public var flagged: Bool
    public var file: FileInfo?
    public var targetId: String?

    public init(
        senderId: String, senderName: String, senderIsGlobalAdmin: Bool = false, content: String,
        kind: MessageKind = .text, replyTo: String? = nil, inThread: Bool = false, flagged: Bool = false,
        file: FileInfo? = nil, targetId: String? = nil
    ) {
        self.senderId = senderId
        self.senderName = senderName
        self.senderIsGlobalAdmin = senderIsGlobalAdmin
        self.content = content
        self.kind = kind
        self.replyTo = replyTo
        self.inThread = inThread
        self.flagged = flagged
        self.file = file
        self.targetId = targetId
    }
}

/// What a room list shows of one room, for one user.
public struct RoomSummary: Sendable {
    public var info: RoomInfo
    public var memberCount: Int
    public var isMember: Bool
    public var unread: Int?
    /// What the room topic's name is derived from (``RoomAudience``).
    public var topicEpoch: UInt64
    public var lastSeq: UInt64
    /// The user's read mark; 0 when they have none.
    public var readSeq: UInt64
    /// The user's pending invitation, for invitees.
    public var invitation: Invitation?
}

extension RoomActor {
    /// The room as a list entry for `userId`; nil when the user may not see it (private, not a member).
    public func summary(for userId: String) -> RoomSummary? {
        let member = state.isMember(userId)
        let invitation = state.invited[userId]
        guard member || invitation != nil || state.info.type == .public else { return nil }
        return RoomSummary(
            info: state.info, memberCount: state.memberCount, isMember: member,
            unread: member ? state.unreadCount(for: userId) : nil, topicEpoch: state.topicEpoch,
            lastSeq: state.lastSeq, readSeq: state.readMarks[userId] ?? 0, invitation: invitation)
    }

    /// Posts a system message (room created, member joined) to every member.
    public func announce(_ content: String, at now: Double) throws(ChatError) {
        try postSystem(content, at: now)
    }

    /// Room data and members for the info route.
    public func info(for userId: String, isGlobalAdmin: Bool) throws(ChatError) -> (
        info: RoomInfo, memberCount: Int, members: [Member], admins: Set<String>, topicEpoch: UInt64
    ) {
        if state.info.type != .public && !state.isMember(userId) && !isGlobalAdmin { throw ChatError.notMember }
        let members = state.recipients.compactMap { state.members[$0] }
        return (state.info, state.memberCount, members, state.admins, state.topicEpoch)
    }
}
