extension RoomState {
    /// Creates the state a `.created` change describes.
    public static func created(by change: RoomChange, lsn: UInt64, ringCapacity: Int = 1000) -> RoomState? {
        guard case .created(let info, _) = change else { return nil }
        var state = RoomState(info: info, ringCapacity: ringCapacity)
        state.apply(change, lsn: lsn)
        return state
    }

    /// Applies one change. Total: a change that no longer fits (say, an edit of an evicted message)
    /// is a no-op, so replay never fails halfway.
    public mutating func apply(_ change: RoomChange, lsn: UInt64) {
        appliedLSN = max(appliedLSN, lsn)
        switch change {
        case .created(let info, let creator):
            self.info = info
            addMember(creator)
            // Nobody administers a direct room: the first sender must not get to lock it or delete the
            // other side's messages.
            if info.type != .direct { admins.insert(creator.userId) }
        case .joined(let member):
            addMember(member)
            invited[member.userId] = nil
        case .left(let userId, let newAdmin):
            guard members.removeValue(forKey: userId) != nil else { break }
            topicEpoch += 1
            recipients.removeAll { $0 == userId }
            admins.remove(userId)
            if let newAdmin, members[newAdmin] != nil { admins.insert(newAdmin) }
        case .posted(let message):
            _ = ring.append(message, returningEvicted: false)
            lastSeq = max(lastSeq, message.seq)
            info.lastActivity = max(info.lastActivity, message.timestamp)
            if let root = message.threadId.flatMap(ChatMessage.parseID), root.roomId == info.id {
                update(seq: root.seq) { $0.replyCount += 1 }
            }
        case .edited(let seq, let content, let at):
            updateLogged(seq: seq) {
                $0.content = content
                $0.editedAt = at
            }
        case .deleted(let seq, _):
            updateLogged(seq: seq) {
                $0.content = ""
                $0.deleted = true
                $0.reactions = []
                $0.file = nil
            }
        case .reacted(let seq, let emoji, let userId, let added):
            updateLogged(seq: seq) { $0.setReaction(emoji: emoji, userId: userId, present: added) }
        case .invited(let userId, let by, let at):
            invited[userId] = Invitation(invitedBy: by, invitedAt: at)
        case .inviteRevoked(let userId):
            invited[userId] = nil
        case .read(let userId, let seq):
            readMarks[userId] = max(readMarks[userId] ?? 0, seq)
        case .locked(let locked):
            info.locked = locked
        case .slowMode(let seconds):
            info.slowModeSeconds = seconds
        case .historyCleared:
            ring.removeAll { _ in true }
        case .muted(let userId, let until):
            muted[userId] = until ?? .infinity
        case .unmuted(let userId):
            muted[userId] = nil
        case .banned(let userId):
            banned.insert(userId)
            invited[userId] = nil
            if members[userId] != nil {
                apply(.left(userId: userId, newAdmin: admins == [userId] ? oldestMember(excluding: userId) : nil), lsn: lsn)
            }
        case .unbanned(let userId):
            banned.remove(userId)
        case .removed(let seqs):
            let doomed = Set(seqs)
            ring.removeAll { doomed.contains($0.seq) }
        case .activity(let at):
            info.lastActivity = max(info.lastActivity, at)
        case .renamed(let name):
            info.name = name
        case .described(let description):
            info.description = description
        case .promoted(let userId):
            if members[userId] != nil { admins.insert(userId) }
        case .demoted(let userId):
            admins.remove(userId)
        case .archived(let archived):
            info.archived = archived
        }
    }

    private mutating func addMember(_ member: Member) {
        if members.updateValue(member, forKey: member.userId) == nil {
            recipients.append(member.userId)
        }
    }

    private mutating func update(seq: UInt64, _ body: (inout ChatMessage) -> Void) {
        guard let position = ring.position(ofSeq: seq) else { return }
        body(&ring[position])
    }

    /// An update a syncing client must learn of: it goes in the change log too.
    private mutating func updateLogged(seq: UInt64, _ body: (inout ChatMessage) -> Void) {
        guard let position = ring.position(ofSeq: seq) else { return }
        body(&ring[position])
        changes.record(seq: seq)
    }
}

extension ChatMessage {
    /// Adds or removes one user's reaction; idempotent per (user, emoji).
    mutating func setReaction(emoji: String, userId: String, present: Bool) {
        if let index = reactions.firstIndex(where: { $0.emoji == emoji }) {
            var users = reactions[index].userIds
            if present {
                if !users.contains(userId) { users.append(userId) }
            } else {
                users.removeAll { $0 == userId }
            }
            if users.isEmpty { reactions.remove(at: index) } else { reactions[index].userIds = users }
        } else if present {
            reactions.append(Reaction(emoji: emoji, userIds: [userId]))
        }
    }

    /// Whether `userId` currently reacts with `emoji`.
    public func hasReaction(emoji: String, userId: String) -> Bool {
        reactions.contains { $0.emoji == emoji && $0.userIds.contains(userId) }
    }
}
