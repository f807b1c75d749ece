import Engine
import Foundation
import Testing
import Wire

/// Direct rooms are for their two participants only: unambiguous ids, no joining, no inviting, no room
/// admin, no way to learn who talked to whom; and what one user can open is bounded.
@Suite(.timeLimit(.minutes(1)))
struct DirectRoomTests {
    @Test func usersWithUnderscoresInTheirIdsGetSeparateDirectRooms() async throws {
        try await withEngine { engine in
            let bob = try await engine.user("bob")
            let carolSmith = try await engine.user("carol_smith")
            let bobCarol = try await engine.user("bob_carol")
            let smith = try await engine.user("smith")
            let first = try await bob.request("chat/private/carol_smith", ["content": "for carol only"])
            let second = try await bobCarol.request("chat/private/smith", ["content": "for smith only"])
            let firstRoom = try #require(first["room_id"]?.stringValue)
            let secondRoom = try #require(second["room_id"]?.stringValue)
            #expect(firstRoom == "private_3-bob_carol_smith")
            #expect(secondRoom == "private_9-bob_carol_smith")
            _ = try await carolSmith.event("text") { $0["content"]?.stringValue == "for carol only" }
            _ = try await smith.event("text") { $0["content"]?.stringValue == "for smith only" }

            for outsider in [bobCarol, smith] {
                let history = try await outsider.request("chat/history/\(secondRoom)")
                let contents = history["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue }
                #expect(contents == ["for smith only"])
                #expect(try await outsider.request("chat/history/\(firstRoom)").errorCode == "not_member")
                #expect(!outsider.received(on: "/messages").contains { $0["content"]?.stringValue == "for carol only" })
            }
            // Writing back lands in the same room whichever side writes.
            #expect(try await carolSmith.request("chat/private/bob", ["content": "hi"])["room_id"]?.stringValue == firstRoom)
            #expect(try await smith.request("chat/private/bob_carol", ["content": "hi"])["room_id"]?.stringValue == secondRoom)
        }
    }

    @Test func nobodyJoinsOrIsInvitedIntoADirectRoom() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let mallory = try await engine.user("mallory")
            let root = try await engine.user("root", admin: true)
            _ = try await alice.request("chat/private/bob", ["content": "x"])
            // The same answer for a conversation that exists and one that does not.
            #expect(try await mallory.request("chat/rooms/join/private_alice_bob").errorCode == "forbidden")
            #expect(try await mallory.request("chat/rooms/join/private_alice_zed").errorCode == "forbidden")
            #expect(try await alice.request("chat/rooms/invite/private_alice_bob", ["user_id": "mallory"]).errorCode == "forbidden")
            #expect(try await root.request("chat/rooms/invite/private_alice_bob", ["user_id": "mallory"]).errorCode == "forbidden")
            #expect(try await bob.request("chat/rooms/leave/private_alice_bob").status == "left")
            #expect(try await bob.request("chat/rooms/join/private_alice_bob").errorCode == "forbidden")
            let info = try await alice.request("chat/rooms/private_alice_bob/info")
            #expect(info["members"]?.arrayValue?.compactMap { $0["user_id"]?.stringValue } == ["alice"])
            #expect(try await mallory.request("chat/history/private_alice_bob").errorCode == "not_member")
        }
    }

    @Test func aDirectRoomHasNoRoomAdmin() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let root = try await engine.user("root", admin: true)
            _ = try await alice.request("chat/private/bob", ["content": "first"])
            let bobs = try await bob.request("chat/private/alice", ["content": "mine"])
            let bobsMessage = try #require(bobs["message_id"]?.stringValue)
            let room = "private_alice_bob"
            for action in ["lock", "clear_history"] {
                #expect(try await alice.request("chat/admin/rooms/\(room)/moderate", ["action": .string(action)]).errorCode == "forbidden")
            }
            #expect(try await alice.request("chat/admin/rooms/\(room)/moderate", ["action": "kick", "user_id": "bob"]).errorCode == "forbidden")
            #expect(try await alice.request("chat/message/\(bobsMessage)/delete").errorCode == "forbidden")
            #expect(try await alice.request("chat/admin/users/bob/mute", ["room_id": .string(room)]).errorCode == "forbidden")
            let info = try await bob.request("chat/rooms/\(room)/info")
            #expect(info["members"]?.arrayValue?.allSatisfy { $0["is_admin"]?.boolValue == false } == true)
            // Global admins keep their powers.
            #expect(try await root.request("chat/admin/rooms/\(room)/moderate", ["action": "lock"]).status == "success")
            #expect(try await alice.request("chat/private/bob", ["content": "locked out"]).errorCode == "forbidden")
        }
    }

    @Test func nonMembersCannotTellWhetherAMessageOrConversationExists() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let mallory = try await engine.user("mallory")
            let roomId = try await alice.createRoom("closed", ["type": "private"])
            let said = try await alice.say(roomId, "secret")
            let seq = try #require(said["seq"]?.intValue)
            _ = try await alice.request("chat/private/bob", ["content": "psst"])
            let messageIds = [
                "\(roomId):\(seq)", "\(roomId):999999", "private_alice_bob:1", "private_alice_zed:1",
            ]
            for messageId in messageIds {
                #expect(try await mallory.request("chat/message/\(messageId)/delete").errorCode == "not_member", "\(messageId)")
                #expect(try await mallory.request("chat/message/\(messageId)/edit", ["content": "x"]).errorCode == "not_member")
                #expect(try await mallory.request("chat/message/\(messageId)/react", ["emoji": "👀"]).errorCode == "not_member")
                #expect(try await mallory.request("chat/message/\(messageId)/reply", ["content": "x"]).errorCode == "not_member")
            }
            // Not even a validation error tells a stranger that a conversation exists.
            let probes: [(String, [String: JSONValue])] = [
                ("edit", ["content": ""]), ("edit", ["content": 5]), ("react", ["emoji": "a b"]), ("reply", [:]),
            ]
            for (action, fields) in probes {
                let existing = try await mallory.request("chat/message/private_alice_bob:1/\(action)", fields).errorCode
                let missing = try await mallory.request("chat/message/private_alice_zed:1/\(action)", fields).errorCode
                #expect(existing == missing, "\(action) \(fields)")
            }
            let roomProbes: [(String, [String: JSONValue])] = [
                ("chat/history/%@", ["limit": 0]), ("chat/search/%@", [:]), ("chat/read/%@", [:]), ("chat/message/%@", [:]),
                ("chat/typing/%@/start", [:]), ("chat/file/share/%@", [:]), ("chat/admin/rooms/%@/moderate", [:]),
                ("chat/admin/users/bob/mute", ["room_id": "%@", "duration_seconds": 0]), ("chat/rooms/leave/%@", [:]),
                ("chat/rooms/%@/info", [:]),
            ]
            for (pattern, fields) in roomProbes {
                var answers: [String?] = []
                for room in ["private_alice_bob", "private_alice_zed"] {
                    let topic = pattern.replacingOccurrences(of: "%@", with: room)
                    let filled = fields.mapValues { $0 == "%@" ? JSONValue.string(room) : $0 }
                    answers.append(try await mallory.request(topic, filled).errorCode)
                }
                #expect(answers == ["not_member", "not_member"], "\(pattern)")
            }
            for room in ["private_alice_bob", "private_alice_zed"] {
                #expect(try await mallory.request("chat/history/\(room)").errorCode == "not_member")
                #expect(try await mallory.request("chat/rooms/\(room)/info").errorCode == "not_member")
                #expect(try await mallory.request("chat/admin/rooms/\(room)/moderate", ["action": "lock"]).errorCode == "not_member")
            }
            // The sender may still delete their own message after leaving.
            #expect(try await alice.request("chat/rooms/leave/private_alice_bob").status == "left")
            #expect(try await alice.request("chat/message/private_alice_bob:1/delete").status == "message_deleted")
        }
    }

    @Test func roomCreationIsBoundedPerUser() async throws {
        try await withEngine({ $0.limits.roomsCreatedPerUser = 2 }) { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            _ = try await alice.createRoom("one")
            _ = try await alice.createRoom("two", ["type": "private"])
            #expect(try await alice.request("chat/rooms/create", ["name": "three"]).errorCode == "forbidden")
            #expect(try await bob.request("chat/rooms/create", ["name": "bob's"]).status == "room_created")
            // Direct rooms are bounded separately.
            #expect(try await alice.request("chat/private/bob", ["content": "hi"]).status == "private_message_sent")
        }
    }

    @Test func directRoomsToUsersWhoNeverAnswerAreBoundedPerUser() async throws {
        try await withEngine({ $0.limits.directRoomsOpenedPerUser = 2 }) { engine in
            let alice = try await engine.user("alice")
            let ghost1 = try await engine.user("ghost1")
            #expect(try await alice.request("chat/private/ghost1", ["content": "1"]).status == "private_message_sent")
            #expect(try await alice.request("chat/private/ghost2", ["content": "2"]).status == "private_message_sent")
            #expect(try await alice.request("chat/private/ghost3", ["content": "3"]).errorCode == "forbidden")
            // Rooms already open stay usable.
            #expect(try await alice.request("chat/private/ghost2", ["content": "again"]).status == "private_message_sent")
            // An answer frees a place.
            #expect(try await ghost1.request("chat/private/alice", ["content": "back"]).status == "private_message_sent")
            #expect(try await alice.request("chat/private/ghost3", ["content": "3"]).status == "private_message_sent")
            #expect(try await alice.request("chat/private/ghost4", ["content": "4"]).errorCode == "forbidden")
            // Reading counts as an answer too.
            #expect(try await engine.user("ghost2").request("chat/read/private_alice_ghost2", ["seq": 1]).status == "success")
            #expect(try await alice.request("chat/private/ghost4", ["content": "4"]).status == "private_message_sent")
        }
    }

    @Test func theBoundsAreCountedAgainAfterARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("data-\(UUID().uuidString)").path
        let configure: (inout EngineConfiguration) -> Void = {
            $0.dataDirectory = directory
            $0.limits.roomsCreatedPerUser = 1
            $0.limits.directRoomsOpenedPerUser = 1
        }
        var publicRoom = ""
        try await withEngine(configure) { engine in
            let alice = try await engine.user("alice")
            publicRoom = try await alice.createRoom("kept")
            #expect(try await alice.request("chat/private/ghost", ["content": "1"]).status == "private_message_sent")
        }
        try await withEngine(configure) { engine in
            let alice = try await engine.user("alice")
            // A new client numbers its request ids afresh: this one moves past the id the first creation
            // used, whose remembered reply would otherwise answer the next creation.
            _ = try await alice.request("chat/rooms/list")
            #expect(try await alice.request("chat/rooms/create", ["name": "more"]).errorCode == "forbidden")
            #expect(try await alice.request("chat/private/ghost2", ["content": "2"]).errorCode == "forbidden")
            let list = try await engine.user("bob").request("chat/rooms/list", ["scope": "public"])
            #expect(list["rooms"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [publicRoom])
        }
    }
}
