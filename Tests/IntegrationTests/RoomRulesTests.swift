import Testing
import Wire

/// Private rooms and invitations, capacity, admin hand-over.
@Suite(.timeLimit(.minutes(1)))
struct RoomRulesTests {
    @Test func privateRoomsNeedAnInvitationFromAnAdmin() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let carol = try await engine.user("carol")
            let roomId = try await alice.createRoom("secret", ["type": "private"])
            #expect(try await bob.request("chat/rooms/join/\(roomId)").errorCode == "forbidden")
            #expect(try await bob.request("chat/rooms/\(roomId)/info").errorCode == "not_member")
            #expect(try await bob.request("chat/rooms/invite/\(roomId)", ["user_id": "carol"]).errorCode == "forbidden")
            #expect(try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "bob"]).status == "invited")
            #expect(try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "../x"]).errorCode == "validation_failed")
            #expect(try await bob.request("chat/rooms/join/\(roomId)").status == "joined")
            #expect(try await carol.request("chat/rooms/join/\(roomId)").errorCode == "forbidden")
        }
    }

    @Test func aFullRoomRefusesJoins() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let carol = try await engine.user("carol")
            let roomId = try await alice.createRoom("pair", ["max_members": 2], joinedBy: [bob])
            #expect(try await carol.request("chat/rooms/join/\(roomId)").errorCode == "room_full")
            #expect(try await alice.request("chat/rooms/create", ["name": "x", "max_members": 100_001]).errorCode == "validation_failed")
            #expect(try await alice.request("chat/rooms/create", ["name": .string(String(repeating: "n", count: 101))]).errorCode == "validation_failed")
            #expect(try await alice.request("chat/rooms/create", ["name": "x", "type": "direct"]).errorCode == "validation_failed")
        }
    }

    @Test func theLastAdminLeavingHandsAdminToTheOldestMember() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let carol = try await engine.user("carol")
            let roomId = try await alice.createRoom(joinedBy: [bob, carol])
            #expect(try await alice.request("chat/rooms/leave/\(roomId)").status == "left")
            let info = try await carol.request("chat/rooms/\(roomId)/info")
            let admins = info["members"]?.arrayValue?.filter { $0["is_admin"]?.boolValue == true }.compactMap { $0["user_id"]?.stringValue }
            #expect(admins == ["bob"])
            #expect(try await bob.request("admin/rooms/\(roomId)/moderate".prefixedChat, ["action": "lock"]).status == "success")
        }
    }
}

extension String {
    /// `chat/` + self.
    var prefixedChat: String { "chat/" + self }
}
