@testable import Actors
import Testing

/// A direct room admits its two participants only, and nobody administers it.
struct DirectRoomRulesTests {
    let alice = Member(userId: "alice", name: "Alice", joinedAt: 0)
    let bob = Member(userId: "bob", name: "Bob", joinedAt: 0)

    func makeDirectRoom(directory: RoomDirectory = RoomDirectory()) -> (RoomActor, MembershipIndex) {
        let id = DirectRoomID.make("alice", "bob")
        let info = RoomInfo(id: id, name: "alice & bob", type: .direct, creatorId: "alice", createdAt: 0, maxMembers: 2)
        let state = RoomState.created(by: .created(info, creator: alice), lsn: 1)!
        let index = MembershipIndex()
        return (RoomActor(state: state, effects: RecordingEffects(), index: index, directory: directory), index)
    }

    @Test func onlyTheTwoParticipantsNamedByTheIdGetIn() async throws {
        let (room, index) = makeDirectRoom()
        let carol = Member(userId: "carol", name: "Carol", joinedAt: 1)
        await #expect(throws: ChatError.self) { try await room.admitParticipants(alice, carol) }
        await #expect(throws: ChatError.self) { try await room.admitParticipants(carol, bob) }
        await #expect(throws: ChatError.self) { try await room.admitParticipants(alice, alice) }
        try await room.admitParticipants(bob, alice)
        #expect(await room.memberIds() == ["alice", "bob"])
        #expect(index.rooms(of: "bob") == [room.id])
        await #expect(throws: ChatError.directRoomClosed) { try await room.join(carol) }
        await #expect(throws: ChatError.directRoomClosed) { try await room.join(bob) }
        await #expect(throws: ChatError.directRoomClosed) { _ = try await room.invite("carol", by: "alice", isGlobalAdmin: true, now: 1) }
    }

    @Test func aParticipantBannedByAGlobalAdminIsNotReadmitted() async throws {
        let (room, _) = makeDirectRoom()
        try await room.admitParticipants(alice, bob)
        try await room.ban("bob", unban: false, by: "root", isGlobalAdmin: true, now: 1)
        await #expect(throws: ChatError(.banned, "bob is banned from this conversation")) {
            try await room.admitParticipants(alice, bob)
        }
        #expect(await room.memberIds() == ["alice"])
    }

    @Test func nobodyAdministersADirectRoomButGlobalAdminsKeepTheirPowers() async throws {
        let (room, _) = makeDirectRoom()
        try await room.admitParticipants(alice, bob)
        #expect(await room.snapshot().admins.isEmpty)
        let bobs = try await room.post(MessageDraft(senderId: "bob", senderName: "Bob", content: "mine"), now: 1)
        let forbidden = ChatError(.forbidden, "this action needs a room admin")
        await #expect(throws: forbidden) { try await room.configure(.locked(true), action: "lock", by: "alice", isGlobalAdmin: false) }
        await #expect(throws: forbidden) { try await room.clearHistory(by: "alice", isGlobalAdmin: false) }
        await #expect(throws: forbidden) { try await room.kick("bob", by: "alice", isGlobalAdmin: false, now: 2) }
        await #expect(throws: ChatError(.forbidden, "only the sender or an admin can delete a message")) {
            try await room.delete(seq: bobs.seq, by: "alice", isGlobalAdmin: false, now: 2)
        }
        // A stranger gets what a conversation that does not exist answers.
        await #expect(throws: ChatError.notMember) { try await room.configure(.locked(true), action: "lock", by: "eve", isGlobalAdmin: false) }
        _ = try await room.configure(.locked(true), action: "lock", by: "root", isGlobalAdmin: true)
        // The first sender leaving hands nothing over.
        _ = try await room.leave("alice", now: 3)
        #expect(await room.snapshot().admins.isEmpty)
    }

    @Test func aRestoredDirectRoomForgetsTheAdminOlderVersionsGaveIt() async throws {
        let id = DirectRoomID.make("alice", "bob")
        var state = RoomState(info: RoomInfo(id: id, name: "alice & bob", type: .direct, creatorId: "alice", createdAt: 0))
        state.apply(.joined(alice), lsn: 1)
        state.admins = ["alice"]
        let room = RoomActor(state: state, effects: RecordingEffects(), index: MembershipIndex(), directory: RoomDirectory())
        #expect(await room.snapshot().admins.isEmpty)
        await #expect(throws: ChatError.self) { try await room.clearHistory(by: "alice", isGlobalAdmin: false) }
    }

    @Test func theRoomStopsCountingAgainstItsOpenerAtTheFirstAnswer() async throws {
        let directory = RoomDirectory()
        let (room, _) = makeDirectRoom(directory: directory)
        try await room.admitParticipants(alice, bob)
        #expect(directory.unansweredDirectRooms(openedBy: "alice") == 1)
        _ = try await room.post(MessageDraft(senderId: "alice", senderName: "Alice", content: "anyone?"), now: 1)
        #expect(directory.unansweredDirectRooms(openedBy: "alice") == 1)
        _ = try await room.markRead("bob", upTo: 1)
        #expect(directory.unansweredDirectRooms(openedBy: "alice") == 0)

        // Restored, a room counts again only if nothing shows an answer.
        let restored = RoomDirectory()
        var answered = await room.snapshot()
        _ = RoomActor(state: answered, effects: RecordingEffects(), index: MembershipIndex(), directory: restored)
        #expect(restored.unansweredDirectRooms(openedBy: "alice") == 0)
        answered.readMarks = [:]
        _ = RoomActor(state: answered, effects: RecordingEffects(), index: MembershipIndex(), directory: restored)
        #expect(restored.unansweredDirectRooms(openedBy: "alice") == 1)
    }
}
