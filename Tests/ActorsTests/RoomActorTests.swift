@testable import Actors
import Synchronization
import Testing

struct RoomActorTests {
    func makeRoom(type: RoomType = .public, maxMembers: Int = 100) -> (RoomActor, RecordingEffects, MembershipIndex) {
        let effects = RecordingEffects()
        let index = MembershipIndex()
        let info = RoomInfo(id: "r1", name: "r", type: type, creatorId: "alice", createdAt: 0, maxMembers: maxMembers)
        let change = RoomChange.created(info, creator: Member(userId: "alice", name: "Alice", joinedAt: 0))
        let state = RoomState.created(by: change, lsn: 1)!
        return (RoomActor(state: state, effects: effects, index: index, directory: RoomDirectory()), effects, index)
    }

    @Test func postAssignsIncreasingSeqsAndDeliversToEveryMember() async throws {
        let (room, effects, index) = makeRoom()
        _ = try await room.join(Member(userId: "bob", name: "Bob", joinedAt: 1))
        #expect(index.rooms(of: "bob") == ["r1"])
        let first = try await room.post(MessageDraft(senderId: "bob", senderName: "Bob", content: "a"), now: 2)
        let second = try await room.post(MessageDraft(senderId: "alice", senderName: "Alice", content: "b"), now: 3)
        #expect(second.seq == first.seq + 1)
        let deliveries = effects.events.withLock { $0 }.filter { if case .message(let m) = $0.0 { m.kind == .text } else { false } }
        #expect(deliveries.count == 2)
        #expect(deliveries.allSatisfy { Set($0.1) == ["alice", "bob"] })
    }

    /// The room topic is renamed whenever a member leaves, is kicked or is banned: what is said about the
    /// departure goes to the old audience (the one who left included), the rename to those who stay, and
    /// everything after under the new name. A join renames nothing.
    @Test func everyDepartureRenamesTheRoomTopicAfterItIsAnnounced() async throws {
        let (room, effects, _) = makeRoom()
        for (id, at) in [("bob", 1.0), ("carol", 2.0), ("dave", 3.0)] {
            _ = try await room.join(Member(userId: id, name: id, joinedAt: at))
        }
        #expect(await room.audience().topicEpoch == 0)
        effects.audiences.withLock { $0.removeAll() }

        _ = try await room.leave("carol", now: 4)
        var log = effects.audiences.withLock { $0 }
        guard case .memberLeft = log[0].event else { Issue.record("first: \(log)"); return }
        #expect(log[0].audience.topicEpoch == 0 && log[0].audience.members.contains("carol"))
        #expect(log[1].audience.topicEpoch == 0 && log[1].audience.members.contains("carol"), "the system notice")
        #expect(log[2].event == nil && log[2].audience.topicEpoch == 1 && log[2].audience.members == ["alice", "bob", "dave"])

        effects.audiences.withLock { $0.removeAll() }
        _ = try await room.post(MessageDraft(senderId: "alice", senderName: "Alice", content: "after"), now: 5)
        _ = try await room.kick("dave", by: "alice", isGlobalAdmin: false, now: 6)
        try await room.ban("bob", unban: false, by: "alice", isGlobalAdmin: false, now: 7)
        _ = try await room.join(Member(userId: "erin", name: "erin", joinedAt: 8))
        log = effects.audiences.withLock { $0 }
        #expect(log.first?.audience.topicEpoch == 1 && log.first?.audience.members == ["alice", "bob", "dave"])
        #expect(log.filter { $0.event == nil }.map(\.audience.topicEpoch) == [2, 3], "one rename per departure")
        let renamedForBan = try #require(log.last { $0.event == nil })
        #expect(renamedForBan.audience.members == ["alice"])
        let banNotice = try #require(log.first { if case .userBanned = $0.event { true } else { false } })
        #expect(banNotice.audience.topicEpoch == 2 && banNotice.audience.members.contains("bob"))
        #expect(await room.audience().topicEpoch == 3, "a join renames nothing")
        #expect(await room.snapshot().topicEpoch == 3)
    }

    @Test func nonMembersMutedAndLockedAreRefused() async throws {
        let (room, _, _) = makeRoom()
        await #expect(throws: ChatError.notMember) {
            try await room.post(MessageDraft(senderId: "eve", senderName: "Eve", content: "x"), now: 1)
        }
        _ = try await room.join(Member(userId: "bob", name: "Bob", joinedAt: 1))
        try await room.mute("bob", until: 10, unmute: false, by: "alice", isGlobalAdmin: false)
        await #expect(throws: ChatError(.muted, "you are muted in this room")) {
            try await room.post(MessageDraft(senderId: "bob", senderName: "Bob", content: "x"), now: 5)
        }
        _ = try await room.post(MessageDraft(senderId: "bob", senderName: "Bob", content: "later"), now: 11)
        _ = try await room.configure(.locked(true), action: "lock", by: "alice", isGlobalAdmin: false)
        await #expect(throws: ChatError(.forbidden, "the room is locked")) {
            try await room.post(MessageDraft(senderId: "bob", senderName: "Bob", content: "x"), now: 12)
        }
    }

    @Test func joinRules() async throws {
        let (privateRoom, _, _) = makeRoom(type: .private, maxMembers: 2)
        await #expect(throws: ChatError.self) { try await privateRoom.join(Member(userId: "bob", name: "b", joinedAt: 1)) }
        _ = try await privateRoom.invite("bob", by: "alice", isGlobalAdmin: false, now: 1)
        #expect(try await privateRoom.join(Member(userId: "bob", name: "b", joinedAt: 1)).joined)
        #expect(try await privateRoom.join(Member(userId: "bob", name: "b", joinedAt: 1)).joined == false)
        _ = try await privateRoom.invite("carol", by: "alice", isGlobalAdmin: false, now: 1)
        await #expect(throws: ChatError(.roomFull, "the room is full")) {
            try await privateRoom.join(Member(userId: "carol", name: "c", joinedAt: 2))
        }
    }

    @Test func replayingAChangeTwiceChangesNothing() async throws {
        let (room, effects, _) = makeRoom()
        _ = try await room.join(Member(userId: "bob", name: "Bob", joinedAt: 1))
        _ = try await room.post(MessageDraft(senderId: "bob", senderName: "Bob", content: "a"), now: 2)
        let before = await room.snapshot()
        for (offset, change) in effects.changes.withLock({ $0 }).enumerated() {
            await room.replay(change, lsn: UInt64(offset + 1))
        }
        #expect(await room.snapshot() == before)
    }

    @Test func reactionsAreIdempotent() async throws {
        let (room, effects, _) = makeRoom()
        let message = try await room.post(MessageDraft(senderId: "alice", senderName: "A", content: "a"), now: 1)
        _ = try await room.react(seq: message.seq, by: "alice", emoji: "🎉", add: true)
        let again = try await room.react(seq: message.seq, by: "alice", emoji: "🎉", add: true)
        #expect(again.reactions == [Reaction(emoji: "🎉", userIds: ["alice"])])
        let reactionEvents = effects.events.withLock { $0 }.filter { if case .reaction = $0.0 { true } else { false } }
        #expect(reactionEvents.count == 1)
        let removed = try await room.react(seq: message.seq, by: "alice", emoji: "🎉", add: false)
        #expect(removed.reactions.isEmpty)
    }

    @Test func strangersGetTheSameAnswerWhetherOrNotAMessageExists() async throws {
        let (room, _, _) = makeRoom()
        let message = try await room.post(MessageDraft(senderId: "alice", senderName: "A", content: "a"), now: 1)
        for seq in [message.seq, 999] {
            await #expect(throws: ChatError.notMember) { try await room.delete(seq: seq, by: "eve", isGlobalAdmin: false, now: 2) }
            await #expect(throws: ChatError.notMember) { try await room.edit(seq: seq, by: "eve", content: "x", now: 2) }
            await #expect(throws: ChatError.notMember) { try await room.react(seq: seq, by: "eve", emoji: "x", add: true) }
        }
        await #expect(throws: ChatError.notFound("message")) { try await room.delete(seq: 999, by: "root", isGlobalAdmin: true, now: 2) }
        // A sender who has left may still delete their own message, and only that.
        _ = try await room.join(Member(userId: "bob", name: "Bob", joinedAt: 2))
        let bobs = try await room.post(MessageDraft(senderId: "bob", senderName: "Bob", content: "b"), now: 3)
        _ = try await room.leave("bob", now: 4)
        #expect(try await room.delete(seq: bobs.seq, by: "bob", isGlobalAdmin: false, now: 5).deleted)
        await #expect(throws: ChatError.notMember) { try await room.delete(seq: message.seq, by: "bob", isGlobalAdmin: false, now: 5) }
    }

    @Test func searchFoldsEachNonASCIIMessageOnceAndRefoldsEditedOnes() async throws {
        let (room, _, _) = makeRoom()
        let counter = FoldCounter()
        let fold: @Sendable (String) -> String = { text in
            counter.calls.withLock { $0 += 1 }
            return String(text.lowercased().map { $0 == "é" ? "e" : $0 })
        }
        func search(_ query: String) async throws -> [String] {
            try await room.search(for: "alice", folded: query, limit: 10, fold: fold).map(\.content)
        }
        let accented = try await room.post(MessageDraft(senderId: "alice", senderName: "A", content: "Café Olé"), now: 1)
        _ = try await room.post(MessageDraft(senderId: "alice", senderName: "A", content: "Plain CAFE"), now: 2)
        let tea = try await room.post(MessageDraft(senderId: "alice", senderName: "A", content: "thé"), now: 3)
        #expect(try await search("cafe") == ["Plain CAFE", "Café Olé"])
        #expect(counter.calls.withLock { $0 } == 2)
        #expect(try await search("ole") == ["Café Olé"])
        #expect(counter.calls.withLock { $0 } == 2)
        _ = try await room.edit(seq: accented.seq, by: "alice", content: "nothing", now: 4)
        _ = try await room.edit(seq: tea.seq, by: "alice", content: "un Café", now: 4)
        #expect(try await search("cafe") == ["un Café", "Plain CAFE"])
        #expect(counter.calls.withLock { $0 } == 3)
    }

    @Test func aMessageHoldsAtMostMaxDistinctEmoji() async throws {
        let (room, _, _) = makeRoom()
        _ = try await room.join(Member(userId: "bob", name: "Bob", joinedAt: 1))
        let message = try await room.post(MessageDraft(senderId: "alice", senderName: "A", content: "a"), now: 1)
        for emoji in ["1", "2"] { _ = try await room.react(seq: message.seq, by: "alice", emoji: emoji, add: true, maxDistinct: 2) }
        await #expect(throws: ChatError(.conflict, "the message already has 2 different reactions; add one of those")) {
            try await room.react(seq: message.seq, by: "alice", emoji: "3", add: true, maxDistinct: 2)
        }
        let joined = try await room.react(seq: message.seq, by: "bob", emoji: "2", add: true, maxDistinct: 2)
        #expect(joined.reactions.map(\.emoji) == ["1", "2"])
    }
}

/// Counts calls of a search fold.
final class FoldCounter: Sendable {
    let calls = Mutex(0)
}
