@testable import Actors
import Testing

/// Room rules of SPEC §10 at the actor: sync positions and the change log, paging forward, invitations,
/// admins, archiving.
struct RoomSyncTests {
    func makeRoom(type: RoomType = .public) async throws -> (RoomActor, RecordingEffects, MembershipIndex) {
        let effects = RecordingEffects()
        let index = MembershipIndex()
        let info = RoomInfo(id: "r1", name: "r", type: type, creatorId: "alice", createdAt: 0)
        let state = RoomState.created(by: .created(info, creator: Member(userId: "alice", name: "Alice", joinedAt: 0)), lsn: 1)!
        let room = RoomActor(state: state, effects: effects, index: index, directory: RoomDirectory())
        if type == .public { _ = try await room.join(Member(userId: "bob", name: "Bob", joinedAt: 1)) }
        return (room, effects, index)
    }

    func post(_ room: RoomActor, _ count: Int, by sender: String = "alice") async throws -> [ChatMessage] {
        var posted: [ChatMessage] = []
        for i in 0..<count {
            posted.append(try await room.post(MessageDraft(senderId: sender, senderName: sender, content: "m\(i)"), now: Double(10 + i)))
        }
        return posted
    }

    @Test func theChangeLogListsEachChangedSeqOnceAndSaysWhenItNoLongerReachesBack() {
        var log = MessageChangeLog(capacity: 3)
        #expect(log.seqs(changedAfter: 0) == [])
        for seq: UInt64 in [5, 6, 5] { log.record(seq: seq) }
        #expect(log.changeSeq == 3)
        #expect(log.seqs(changedAfter: 0) == [5, 6])
        #expect(log.seqs(changedAfter: 2) == [5])
        #expect(log.seqs(changedAfter: 3) == [])
        log.record(seq: 7)  // forgets change 1
        #expect(log.seqs(changedAfter: 0) == nil)
        #expect(log.seqs(changedAfter: 1) == [6, 5, 7])
        let rebuilt = MessageChangeLog(changeSeq: log.changeSeq, forgottenUpTo: log.forgottenUpTo, entries: Array(log.entries), capacity: 3)
        #expect(rebuilt == log)
    }

    @Test func syncReturnsWhatCameAfterThePositionAndTheHeldMessagesThatChanged() async throws {
        let (room, _, _) = try await makeRoom()
        let first = try await post(room, 5)
        let held = try await room.sync(for: "bob", from: nil, limit: 50).entry
        let position = RoomSyncPosition(lastSeq: held.lastSeq, changeSeq: held.changeSeq)
        _ = try await room.edit(seq: first[1].seq, by: "alice", content: "edited", now: 20)
        _ = try await room.react(seq: first[2].seq, by: "bob", emoji: "👍", add: true)
        _ = try await room.delete(seq: first[3].seq, by: "alice", isGlobalAdmin: false, now: 21)
        let later = try await post(room, 3)
        _ = try await room.edit(seq: later[0].seq, by: "alice", content: "new and edited", now: 22)

        let entry = try await room.sync(for: "bob", from: position, limit: 2).entry
        #expect(entry.messages.map(\.seq) == [later[0].seq, later[1].seq])
        #expect(entry.messages[0].content == "new and edited")
        #expect(entry.hasMore)
        // Only messages the client held: the edit of a new message is in `messages` already.
        #expect(entry.changed.map(\.seq) == [first[1].seq, first[2].seq, first[3].seq])
        #expect(entry.changed[0].content == "edited" && entry.changed[2].deleted)
        #expect(!entry.changesTruncated)
        #expect(entry.lastSeq == later[2].seq && entry.changeSeq == 4)
        #expect(entry.unread == 7)  // alice's 5 + 3 but the deleted one; bob read nothing

        let numberOnly = try await room.sync(for: "bob", from: RoomSyncPosition(lastSeq: held.lastSeq), limit: 50).entry
        #expect(numberOnly.changed.isEmpty && numberOnly.messages.count == 3 && !numberOnly.hasMore)
        await #expect(throws: ChatError.notMember) { _ = try await room.sync(for: "carol", from: nil, limit: 5) }

        // A budget for two messages: the rest is left for paging, and the changes are refetched.
        let two = entry.messages[0].estimatedJSONBytes + entry.messages[1].estimatedJSONBytes
        let (tight, used, cut) = try await room.sync(for: "bob", from: position, limit: 50, byteBudget: two)
        #expect(tight.messages.map(\.seq) == [later[0].seq, later[1].seq] && tight.hasMore && used == two && cut)
        #expect(tight.changed.isEmpty && tight.changesTruncated)
        let none = try await room.sync(for: "bob", from: nil, limit: 50, byteBudget: 0).entry
        #expect(none.messages.isEmpty && none.hasMore)
    }

    @Test func historyAfterPagesForwardOldestFirst() async throws {
        let (room, _, _) = try await makeRoom()
        let posted = try await post(room, 6)
        let page = try await room.history(for: "bob", limit: 4, after: posted[0].seq, threadId: nil)
        #expect(page.messages.map(\.seq) == Array(posted[1...4]).map(\.seq) && page.hasMore)
        let rest = try await room.history(for: "bob", limit: 4, after: posted[4].seq, threadId: nil)
        #expect(rest.messages.map(\.seq) == [posted[5].seq] && !rest.hasMore)
    }

    @Test func invitationsAreIndexedRevocableAndDeclinable() async throws {
        let (room, _, index) = try await makeRoom(type: .private)
        #expect(try await room.invite("bob", by: "alice", isGlobalAdmin: false, now: 5))
        #expect(try await !room.invite("bob", by: "alice", isGlobalAdmin: false, now: 6))
        #expect(index.invitations(of: "bob") == ["r1"])
        #expect(await room.invitation(of: "bob")?.invitation == Invitation(invitedBy: "alice", invitedAt: 5))
        await #expect(throws: ChatError.self) { _ = try await room.invite("alice", by: "bob", isGlobalAdmin: false, now: 6) }
        // Someone else may not withdraw it; the invitee may decline, and then cannot join.
        await #expect(throws: ChatError.self) { _ = try await room.revokeInvitation("bob", by: "carol", isGlobalAdmin: false) }
        #expect(try await room.revokeInvitation("bob", by: "bob", isGlobalAdmin: false))
        #expect(index.invitations(of: "bob").isEmpty)
        await #expect(throws: ChatError.self) { _ = try await room.join(Member(userId: "bob", name: "Bob", joinedAt: 7)) }
        // Joining takes the invitation out of the index.
        _ = try await room.invite("carol", by: "alice", isGlobalAdmin: false, now: 8)
        _ = try await room.join(Member(userId: "carol", name: "Carol", joinedAt: 9))
        #expect(index.invitations(of: "carol").isEmpty && index.rooms(of: "carol") == ["r1"])
    }

    @Test func aRoomKeepsAnAdminAndPromotionsNeedAnAdmin() async throws {
        let (room, effects, _) = try await makeRoom()
        await #expect(throws: ChatError.self) { try await room.setAdmin("bob", admin: true, by: "bob", isGlobalAdmin: false) }
        await #expect(throws: ChatError.self) { try await room.setAdmin("alice", admin: false, by: "alice", isGlobalAdmin: false) }
        try await room.setAdmin("bob", admin: true, by: "alice", isGlobalAdmin: false)
        try await room.setAdmin("alice", admin: false, by: "bob", isGlobalAdmin: false)
        #expect(await room.snapshot().admins == ["bob"])
        await #expect(throws: ChatError.self) { try await room.setAdmin("carol", admin: true, by: "bob", isGlobalAdmin: false) }
        let updates = effects.events.withLock { $0 }.compactMap { event -> String? in
            if case .roomUpdated(_, let action, _, let userId) = event.0 { return "\(action) \(userId ?? "")" }
            return nil
        }
        #expect(updates == ["promote bob", "demote alice"])
    }

    @Test func anArchivedRoomIsReadOnlyUntilUnarchived() async throws {
        let (room, _, _) = try await makeRoom()
        let message = try await post(room, 1)[0]
        _ = try await room.configure(.archived(true), action: "archive", by: "alice", isGlobalAdmin: false)
        await #expect(throws: ChatError.self) { _ = try await post(room, 1) }
        await #expect(throws: ChatError.self) { _ = try await room.react(seq: message.seq, by: "bob", emoji: "👍", add: true) }
        await #expect(throws: ChatError.self) { _ = try await room.edit(seq: message.seq, by: "alice", content: "x", now: 30) }
        await #expect(throws: ChatError.self) { _ = try await room.join(Member(userId: "carol", name: "Carol", joinedAt: 30)) }
        #expect(try await room.history(for: "bob", limit: 10, before: nil, threadId: nil).messages.count >= 1)
        _ = try await room.configure(.archived(false), action: "unarchive", by: "alice", isGlobalAdmin: false)
        _ = try await post(room, 1)
    }
}
