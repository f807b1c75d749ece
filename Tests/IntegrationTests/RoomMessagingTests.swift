import Testing
import Wire

/// Issue 2 end to end through a real mosquitto: rooms, ordered messaging, errors, replies.
@Suite(.timeLimit(.minutes(1)))
struct RoomMessagingTests {
    @Test func twoUsersCreateJoinAndChatInTheSameOrder() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice", name: "Alice")
            let bob = try await engine.user("bob")
            let created = try await alice.request("chat/rooms/create", ["name": "general"])
            #expect(created.status == "room_created")
            #expect(created["topic"]?.stringValue == "chat/rooms/create")
            let roomId = try #require(created["room_id"]?.stringValue)
            #expect(created["room_data"]?["name"]?.stringValue == "general")

            let joined = try await bob.request("chat/rooms/join/\(roomId)")
            #expect(joined.status == "joined")
            #expect(joined["member_count"]?.intValue == 2)
            let history = try await bob.event("message_history")
            #expect(history["messages"]?.arrayValue?.first?["content"]?.stringValue == "Room 'general' created")
            _ = try await alice.event("member_joined") { $0["user_id"]?.stringValue == "bob" }

            // Both send concurrently without waiting for replies; everyone must see one seq order.
            for i in 0..<30 {
                try alice.send("chat/message/\(roomId)", ["content": .string("a\(i)")])
                try bob.send("chat/message/\(roomId)", ["content": .string("b\(i)")])
            }
            for user in [alice, bob] {
                try await user.waitUntil("60 messages") {
                    user.received(on: "/messages").filter { $0["type"]?.stringValue == "text" }.count >= 60
                }
            }
            let aliceView = alice.received(on: "/messages").filter { $0["type"]?.stringValue == "text" }
            let bobView = bob.received(on: "/messages").filter { $0["type"]?.stringValue == "text" }
            let aliceSeqs = aliceView.compactMap { $0["seq"]?.intValue }
            #expect(aliceSeqs == aliceSeqs.sorted())
            #expect(Set(aliceSeqs).count == 60)
            #expect(aliceView.compactMap { $0["id"]?.stringValue } == bobView.compactMap { $0["id"]?.stringValue })
            // Each sender's messages got seqs in the order it sent them.
            let aliceOwn = aliceView.filter { $0["sender_id"]?.stringValue == "alice" }.compactMap { $0["content"]?.stringValue }
            #expect(aliceOwn == (0..<30).map { "a\($0)" })
            #expect(aliceView.first { $0["sender_id"]?.stringValue == "alice" }?["sender_name"]?.stringValue == "Alice")
        }
    }

    @Test func errorsHaveStableCodes() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let mallory = try await engine.user("mallory")
            let roomId = try #require(try await alice.request("chat/rooms/create", ["name": "r"])["room_id"]?.stringValue)

            let notMember = try await mallory.request("chat/message/\(roomId)", ["content": "hi"])
            #expect(notMember.status == "error")
            #expect(notMember.errorCode == "not_member")

            let unknownRoom = try await alice.request("chat/message/no-such-room", ["content": "hi"])
            #expect(unknownRoom.errorCode == "not_found")

            let empty = try await alice.request("chat/message/\(roomId)", ["content": "   "])
            #expect(empty.errorCode == "validation_failed")

            let unknownRoute = try await alice.request("chat/nothing/here")
            #expect(unknownRoute.errorCode == "unknown_route")
            #expect(unknownRoute["topic"]?.stringValue == "chat/nothing/here")
            // Every depth the catch-all filters cover: two levels, and four or more under a route's first level.
            #expect(try await alice.request("chat/nothing").errorCode == "unknown_route")
            #expect(try await alice.request("chat/rooms/\(roomId)/info/extra").errorCode == "unknown_route")

            let badLimit = try await alice.request("chat/history/\(roomId)", ["limit": 101])
            #expect(badLimit.errorCode == "validation_failed")
        }
    }

    @Test func garbageGetsNoReplyAndTheEngineKeepsServing() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            try alice.client.publish(topic: "chat/rooms/create", payload: Array("not json".utf8), qos: 1)
            try alice.client.publish(topic: "chat/rooms/create", payload: Array("[1,2]".utf8), qos: 1)
            try alice.send("chat/rooms/create", ["name": "x"], requestId: "no-token", withToken: false)
            try alice.send("chat/rooms/create", ["name": "x", "token": "a.b.c"], requestId: "bad-token", withToken: false)
            let ok = try await alice.request("chat/rooms/create", ["name": "after garbage"])
            #expect(ok.status == "room_created")
            #expect(alice.count { topic, _ in topic.hasSuffix("/responses") } == 1)
        }
    }

    @Test func repeatedRequestIdIsAppliedOnceAndAnsweredAgain() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let roomId = try #require(try await alice.request("chat/rooms/create", ["name": "r"])["room_id"]?.stringValue)
            try alice.send("chat/message/\(roomId)", ["content": "once"], requestId: "same")
            try alice.send("chat/message/\(roomId)", ["content": "once"], requestId: "same")
            try await alice.waitUntil("two replies") {
                alice.count { topic, json in topic.hasSuffix("/responses") && json["request_id"]?.stringValue == "same" } == 2
            }
            let replies = alice.received(on: "/responses").filter { $0["request_id"]?.stringValue == "same" }
            #expect(replies[0] == replies[1])
            let history = try await alice.request("chat/history/\(roomId)")
            let texts = history["messages"]?.arrayValue?.filter { $0["content"]?.stringValue == "once" }
            #expect(texts?.count == 1)
        }
    }

    @Test func leaveListAndInfo() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try #require(try await alice.request("chat/rooms/create", ["name": "lobby"])["room_id"]?.stringValue)
            _ = try await alice.request("chat/rooms/create", ["name": "secret", "type": "private"])
            #expect(try await bob.request("chat/rooms/join/\(roomId)").status == "joined")
            #expect(try await bob.request("chat/rooms/join/\(roomId)").status == "already_member")

            let list = try await bob.request("chat/rooms/list")
            let names = list["rooms"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            #expect(names == ["lobby"])
            let info = try await bob.request("chat/rooms/\(roomId)/info")
            #expect(info["members"]?.arrayValue?.count == 2)
            #expect(info["room"]?["member_count"]?.intValue == 2)

            let left = try await bob.request("chat/rooms/leave/\(roomId)")
            #expect(left.status == "left")
            _ = try await alice.event("member_left") { $0["user_id"]?.stringValue == "bob" }
            #expect(try await bob.request("chat/history/\(roomId)").errorCode == "not_member")
            let mine = try await bob.request("chat/rooms/list", ["scope": "mine"])
            #expect(mine["rooms"]?.arrayValue?.isEmpty == true)
        }
    }
}
