import Actors

@testable import Persistence

/// Hand-built chat values that exercise every field the codecs carry.
enum ChatFixtures {
    static let file = FileInfo(fileId: "f1", name: "cat.png", mime: "image/png", size: 123_456, sha256: String(repeating: "ab", count: 32))

    /// A message with every optional field set.
    static func richMessage(room: String, seq: UInt64) -> ChatMessage {
        ChatMessage(
            roomId: room, seq: seq, senderId: "alice", senderName: "Alice ✨", content: "héllo 👋 \(seq)",
            kind: .image, timestamp: 1_700_000_000.25 + Double(seq), replyTo: "\(room):1", threadId: "\(room):1",
            replyCount: 3, reactions: [Reaction(emoji: "👍", userIds: ["bob", "carol"]), Reaction(emoji: "🎉", userIds: ["bob"])],
            editedAt: 1_700_000_100.5, deleted: false, flagged: true, file: file, targetId: "bob")
    }

    /// A message with every optional field absent.
    static func plainMessage(room: String, seq: UInt64, content: String = "plain") -> ChatMessage {
        ChatMessage(roomId: room, seq: seq, senderId: "bob", senderName: "Bob", content: content, kind: .text, timestamp: Double(seq))
    }

    /// A room with members, admins, invites, bans, timed and endless mutes, read marks, and a wrapped ring.
    static func richRoom(id: String = "general") -> RoomState {
        let info = RoomInfo(
            id: id, name: "General 💬", description: "everything", type: .private, creatorId: "alice",
            createdAt: 1_600_000_000, maxMembers: 50, lastActivity: 1_700_000_500, locked: true, slowModeSeconds: 30)
        var room = RoomState(info: info, ringCapacity: 5)
        room.members = [
            "alice": Member(userId: "alice", name: "Alice ✨", joinedAt: 1),
            "bob": Member(userId: "bob", name: "Bob", joinedAt: 2),
            "carol": Member(userId: "carol", name: "", joinedAt: 3),
        ]
        room.admins = ["alice"]
        room.invited = ["dave": Invitation(invitedBy: "alice", invitedAt: 1_700_000_000.25)]
        room.info.archived = true
        room.banned = ["mallory", "trudy"]
        room.muted = ["bob": .infinity, "carol": 1_700_000_999.5]
        room.readMarks = ["alice": 7, "bob": 0]
        for seq in UInt64(1)...8 {
            room.ring.append(seq % 2 == 0 ? richMessage(room: id, seq: seq) : plainMessage(room: id, seq: seq))
        }
        var odd = plainMessage(room: id, seq: 10, content: "")
        odd.id = "custom-id"
        odd.roomId = "elsewhere"
        odd.deleted = true
        odd.kind = .system
        room.ring.append(odd)
        room.lastSeq = 12
        room.appliedLSN = 4242
        room.topicEpoch = 7
        room.changes = MessageChangeLog(
            changeSeq: 3, forgottenUpTo: 0,
            entries: [.init(changeSeq: 1, seq: 6), .init(changeSeq: 2, seq: 8), .init(changeSeq: 3, seq: 6)])
        room.rebuildDerived()
        return room
    }

    static func richState() -> EngineState {
        var empty = RoomState(info: RoomInfo(id: "dm:alice:bob", name: "", type: .direct, creatorId: "alice", createdAt: 0))
        empty.appliedLSN = 1
        return EngineState(
            rooms: [richRoom(), empty, richRoom(id: "random")],
            globalBans: ["spammer", "bot"],
            replies: [
                CachedReply(userId: "alice", requestId: "r1", reply: [1, 2, 3, 0, 255], expiresAt: 2_000_000_000),
                CachedReply(userId: "bob", requestId: "r2", reply: [], expiresAt: 1),
            ],
            lastSeen: ["alice": 1_700_000_000.125, "bob": 0],
            files: [StoredFile(info: file, uploaderId: "alice", uploadedAt: 1_700_000_001, roomIds: ["general", "random"])])
    }

    /// One entry of every kind, with every room change case.
    static func everyEntry() -> [JournalEntry] {
        let info = RoomInfo(id: "r", name: "R", type: .public, creatorId: "alice", createdAt: 10)
        let changes: [RoomChange] = [
            .created(info, creator: Member(userId: "alice", name: "Alice", joinedAt: 10)),
            .joined(Member(userId: "bob", name: "Bob", joinedAt: 11)),
            .left(userId: "bob", newAdmin: nil),
            .left(userId: "alice", newAdmin: "bob"),
            .posted(richMessage(room: "r", seq: 1)),
            .posted(plainMessage(room: "r", seq: 2)),
            .edited(seq: 1, content: "edited ✏️", at: 12.5),
            .deleted(seq: 2, at: 13),
            .reacted(seq: 1, emoji: "👍", userId: "bob", added: true),
            .reacted(seq: 1, emoji: "👍", userId: "bob", added: false),
            .invited(userId: "carol", by: "alice", at: 11.5),
            .inviteRevoked(userId: "carol"),
            .renamed("R2 🎉"),
            .described("about"),
            .promoted(userId: "bob"),
            .demoted(userId: "bob"),
            .archived(true),
            .archived(false),
            .read(userId: "bob", seq: 1),
            .locked(true),
            .locked(false),
            .slowMode(seconds: 60),
            .historyCleared,
            .muted(userId: "bob", until: 99.5),
            .muted(userId: "bob", until: nil),
            .unmuted(userId: "bob"),
            .banned(userId: "bob"),
            .unbanned(userId: "bob"),
            .removed(seqs: [1, 2, 300]),
            .removed(seqs: []),
            .activity(at: 14),
        ]
        return changes.map { JournalEntry.room(id: "r", $0) } + [
            .globalBan(userId: "spammer", banned: true),
            .globalBan(userId: "spammer", banned: false),
            .reply(CachedReply(userId: "alice", requestId: "req-1", reply: Array("{\"ok\":true}".utf8), expiresAt: 3e9)),
            .lastSeen(userId: "alice", at: 1_700_000_000.5),
            .file(StoredFile(info: file, uploaderId: "bob", uploadedAt: 5, roomIds: [])),
            .fileRemoved(fileId: file.fileId),
        ]
    }

    /// `rooms` rooms of `messages` messages of ~70 characters, as a live engine would hold them.
    static func bulkState(rooms: Int, messages: Int) -> EngineState {
        let text = "The quick brown fox jumps over the lazy dog, again and again, msg #"
        var state = EngineState()
        state.rooms.reserveCapacity(rooms)
        for r in 0..<rooms {
            let id = "room-\(r)"
            var room = RoomState(info: RoomInfo(id: id, name: "Room \(r)", type: .public, creatorId: "user-0", createdAt: 1_700_000_000))
            for u in 0..<10 { room.members["user-\(u)"] = Member(userId: "user-\(u)", name: "User \(u)", joinedAt: Double(u)) }
            room.admins = ["user-0"]
            for seq in 1...UInt64(messages) {
                let sender = Int(seq % 10)
                room.ring.append(ChatMessage(
                    roomId: id, seq: seq, senderId: "user-\(sender)", senderName: "User \(sender)",
                    content: text + "\(seq)", kind: .text, timestamp: 1_700_000_000 + Double(seq) * 0.731))
            }
            room.lastSeq = UInt64(messages)
            room.appliedLSN = UInt64(r * messages + messages)
            room.rebuildDerived()
            state.rooms.append(room)
        }
        return state
    }
}

extension EngineState {
    /// The same state with every ring unwrapped: `MessageRing`'s synthesized `==` compares its
    /// physical layout (the wrap position), which a decode does not reproduce.
    var normalized: EngineState {
        var copy = self
        for index in copy.rooms.indices {
            copy.rooms[index].ring.removeAll { _ in false }
            copy.rooms[index].rebuildDerived()
        }
        return copy
    }
}
