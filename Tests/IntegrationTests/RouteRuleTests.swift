import EngineTesting
import Testing
import Wire

/// Route rules run twice: in memory (an `EngineCore` fed requests directly, no broker) and through a
/// private mosquitto. The same body, the same user API; the two must agree.
@Suite(.timeLimit(.minutes(1)))
struct RouteRuleTests {
    @Test(arguments: EngineMode.allCases)
    func roomsCreateJoinLeaveAndKick(mode: EngineMode) async throws {
        try await withTestEngine(mode) { engine in
            let alice = try await engine.user("alice", name: "Alice")
            let bob = try await engine.user("bob")
            let carol = try await engine.user("carol")
            let created = try await alice.request("chat/rooms/create", ["name": "general"])
            #expect(created.status == "room_created")
            #expect(created["topic"]?.stringValue == "chat/rooms/create")
            let roomId = try #require(created["room_id"]?.stringValue)

            let joined = try await bob.request("chat/rooms/join/\(roomId)")
            #expect(joined.status == "joined" && joined["member_count"]?.intValue == 2)
            let history = try await bob.event("message_history")
            #expect(history["messages"]?.arrayValue?.first?["content"]?.stringValue == "Room 'general' created")
            _ = try await alice.event("member_joined") { $0["user_id"]?.stringValue == "bob" }
            #expect(try await bob.request("chat/rooms/join/\(roomId)").status == "already_member")
            try await carol.join(roomId)

            // Only an admin kicks; the kicked member hears it and is out.
            let moderate = "chat/admin/rooms/\(roomId)/moderate"
            #expect(try await bob.request(moderate, ["action": "kick", "user_id": "carol"]).errorCode == "forbidden")
            #expect(try await alice.request(moderate, ["action": "kick", "user_id": "carol"]).status == "success")
            _ = try await carol.event("member_left") { $0["reason"]?.stringValue == "kicked" }
            #expect(try await carol.say(roomId, "still here?").errorCode == "not_member")

            // The last admin leaving hands the room to the oldest member.
            #expect(try await alice.request("chat/rooms/leave/\(roomId)").status == "left")
            _ = try await bob.event("member_left") { $0["user_id"]?.stringValue == "alice" }
            #expect(try await bob.request(moderate, ["action": "lock"]).status == "success")
            #expect(try await alice.request("chat/rooms/leave/\(roomId)").errorCode == "not_member")
        }
    }

    @Test(arguments: EngineMode.allCases)
    func messagesAreFannedOutInOrderAndPagedByHistory(mode: EngineMode) async throws {
        try await withTestEngine(mode) { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let mallory = try await engine.user("mallory")
            let roomId = try await alice.createRoom("r", joinedBy: [bob])
            for i in 0..<10 { try alice.send("chat/message/\(roomId)", ["content": .string("m\(i)")], requestId: nil, withToken: true) }
            let last = try await alice.say(roomId, "m10")
            #expect(last.status == "message_sent")
            let lastSeq = try #require(last["seq"]?.intValue)
            _ = try await bob.event("text") { $0["content"]?.stringValue == "m10" }
            let seen = bob.events("text").compactMap { $0["content"]?.stringValue }
            #expect(seen == (0...10).map { "m\($0)" })

            let page = try await bob.request("chat/history/\(roomId)", ["limit": 4])
            #expect(page["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } == ["m10", "m9", "m8", "m7"])
            #expect(page["has_more"]?.boolValue == true)
            let before = try #require(page["next_before"]?.intValue)
            let older = try await bob.request("chat/history/\(roomId)", ["limit": 4, "before": .number(Double(before))])
            #expect(older["messages"]?.arrayValue?.first?["content"]?.stringValue == "m6")
            let forward = try await bob.request("chat/history/\(roomId)", ["limit": 2, "after": .number(Double(lastSeq - 2))])
            #expect(forward["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } == ["m9", "m10"])
            #expect(try await bob.request("chat/history/\(roomId)", ["before": 5, "after": 1]).errorCode == "validation_failed")
            #expect(try await mallory.request("chat/history/\(roomId)").errorCode == "not_member")
            #expect(try await mallory.say(roomId, "hi").errorCode == "not_member")
            #expect(try await alice.say("no-such-room", "hi").errorCode == "not_found")
            #expect(try await alice.request("chat/nothing/here").errorCode == "unknown_route")
        }
    }

    @Test(arguments: EngineMode.allCases)
    func editAndDeleteRules(mode: EngineMode) async throws {
        try await withTestEngine(mode) { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let carol = try await engine.user("carol")
            let roomId = try await alice.createRoom(joinedBy: [bob, carol])
            let id = try #require(try await bob.say(roomId, "first draft")["message_id"]?.stringValue)

            #expect(try await carol.request("chat/message/\(id)/edit", ["content": "hijack"]).errorCode == "forbidden")
            #expect(try await alice.request("chat/message/\(id)/edit", ["content": "admin edit"]).errorCode == "forbidden")
            #expect(try await bob.request("chat/message/\(id)/edit", ["content": "final"]).status == "message_edited")
            let edited = try await carol.event("message_edited")
            #expect(edited["message"]?["content"]?.stringValue == "final" && edited["message"]?["edited"]?.boolValue == true)

            #expect(try await carol.request("chat/message/\(id)/delete").errorCode == "forbidden")
            #expect(try await alice.request("chat/message/\(id)/delete").status == "message_deleted")
            let deleted = try await carol.event("message_deleted")
            #expect(deleted["message"]?["deleted"]?.boolValue == true && deleted["message"]?["content"]?.stringValue == "")
            #expect(try await bob.request("chat/message/\(id)/edit", ["content": "again"]).errorCode == "conflict")
            #expect(try await bob.request("chat/message/\(roomId):999/edit", ["content": "x"]).errorCode == "not_found")

            // The room's own notices are nobody's, even for a user whose id is their sender id, "system";
            // an admin may still delete one.
            let impostor = try await engine.user("system")
            let history = try await alice.request("chat/history/\(roomId)", ["limit": 50])
            let notice = try #require(history["messages"]?.arrayValue?.last { $0["type"]?.stringValue == "system" })
            let noticeId = try #require(notice["id"]?.stringValue)
            #expect(try await impostor.request("chat/message/\(noticeId)/delete").errorCode == "not_member")
            try await impostor.join(roomId)
            #expect(try await impostor.request("chat/message/\(noticeId)/edit", ["content": "x"]).errorCode == "forbidden")
            #expect(try await impostor.request("chat/message/\(noticeId)/delete").errorCode == "forbidden")
            #expect(try await alice.request("chat/message/\(noticeId)/delete").status == "message_deleted")
        }
    }

    @Test(arguments: EngineMode.allCases)
    func directMessagesReachBothAndNotifyAnOfflineTarget(mode: EngineMode) async throws {
        try await withTestEngine(mode) { engine in
            let alice = try await engine.user("alice", name: "Alice")
            let bob = try await engine.user("bob")
            let carol = try await engine.user("carol")
            let reply = try await alice.request("chat/private/bob", ["content": "psst"])
            #expect(reply.status == "private_message_sent" && reply["room_id"]?.stringValue == "private_alice_bob")
            for user in [alice, bob] {
                let message = try await user.event("text") { $0["content"]?.stringValue == "psst" }
                #expect(message["is_private"]?.boolValue == true && message["target_id"]?.stringValue == "bob")
            }
            let notification = try await bob.waitFor(timeout: 10, "notification") { topic, json in
                topic == "chat/user/bob/notifications" && json["type"]?.stringValue == "private_message"
            }
            #expect(notification["message"]?["content"]?.stringValue == "psst")
            #expect(try await bob.request("chat/private/alice", ["content": "hi"])["room_id"]?.stringValue == "private_alice_bob")
            #expect(try await carol.request("chat/history/private_alice_bob").errorCode == "not_member")
            #expect(try await carol.request("chat/rooms/join/private_alice_bob").errorCode == "forbidden")
            #expect(try await alice.request("chat/private/alice", ["content": "me"]).errorCode == "validation_failed")
            #expect(carol.received(on: "/messages").isEmpty)
        }
    }
}
