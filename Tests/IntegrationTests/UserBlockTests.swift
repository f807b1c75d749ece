import Testing
import Wire

/// Blocking (SPEC §10, PROTOCOL §2.9): while B blocks A, A cannot write to B privately and A's mentions
/// do not notify B.
@Suite(.timeLimit(.minutes(1)))
struct UserBlockTests {
    @Test func blockUnblockAndTheSortedList() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let blocked = try await alice.request("chat/users/block/zed")
            #expect(blocked.status == "blocked")
            #expect(blocked["user_id"]?.stringValue == "zed")
            #expect(try await alice.request("chat/users/block/bob").status == "blocked")
            // Blocking twice changes nothing and answers the same.
            #expect(try await alice.request("chat/users/block/bob").status == "blocked")
            #expect(try await alice.request("chat/users/blocked")["users"]?.arrayValue == ["bob", "zed"])
            let unblocked = try await alice.request("chat/users/block/bob", ["unblock": true])
            #expect(unblocked.status == "unblocked")
            #expect(unblocked["user_id"]?.stringValue == "bob")
            let list = try await alice.request("chat/users/blocked")
            #expect(list.status == "success")
            #expect(list["users"]?.arrayValue == ["zed"])
            // Somebody else's list is their own.
            let bob = try await engine.user("bob")
            #expect(try await bob.request("chat/users/blocked")["users"]?.arrayValue == [])
        }
    }

    @Test func selfBlocksAndBadInputAreRejected() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            #expect(try await alice.request("chat/users/block/alice").errorCode == "validation_failed")
            #expect(try await alice.request("chat/users/block/not%valid").errorCode == "validation_failed")
            #expect(try await alice.request("chat/users/block/bob", ["unblock": "yes"]).errorCode == "validation_failed")
            #expect(try await alice.request("chat/users/blocked")["users"]?.arrayValue == [])
        }
    }

    @Test func aBlockedUsersPrivateMessagesAreForbiddenOneWayOnly() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let first = try await alice.request("chat/private/bob", ["content": "hello"])
            #expect(first.status == "private_message_sent")
            let roomId = try #require(first["room_id"]?.stringValue)
            #expect(try await bob.request("chat/users/block/alice").status == "blocked")

            let refused = try await alice.request("chat/private/bob", ["content": "are you there?"])
            #expect(refused.errorCode == "forbidden")
            #expect(refused["error"]?["message"]?.stringValue?.contains("blocked") == true)
            // Nor around the private route, through the direct room's id.
            #expect(try await alice.say(roomId, "sneaking in").errorCode == "forbidden")
            // The blocker may still write.
            #expect(try await bob.request("chat/private/alice", ["content": "go away"]).status == "private_message_sent")
            #expect(bob.events("text").allSatisfy { $0["content"]?.stringValue != "are you there?" })

            #expect(try await bob.request("chat/users/block/alice", ["unblock": true]).status == "unblocked")
            #expect(try await alice.request("chat/private/bob", ["content": "sorry"]).status == "private_message_sent")
        }
    }

    @Test func mentionsOfABlockerNotifyThemOfNothing() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let carol = try await engine.user("carol")
            let roomId = try await alice.createRoom(joinedBy: [bob, carol])
            #expect(try await bob.request("chat/users/block/alice").status == "blocked")
            #expect(try await alice.say(roomId, "hey @bob and @carol").status == "message_sent")
            _ = try await carol.waitFor("carol's mention") { topic, json in
                topic.hasSuffix("/notifications") && json["type"]?.stringValue == "mention"
            }
            // The message itself still reaches bob: the room is shared.
            _ = try await bob.event("text") { $0["content"]?.stringValue == "hey @bob and @carol" }
            // A later mention by someone bob does not block is a marker: bob's notifications are in order.
            #expect(try await carol.say(roomId, "@bob ping").status == "message_sent")
            let mentions = { bob.received(on: "/notifications").filter { $0["type"]?.stringValue == "mention" } }
            try await bob.waitUntil("carol's mention") { !mentions().isEmpty }
            #expect(mentions().map { $0["message"]?["sender_id"]?.stringValue } == ["carol"])
        }
    }

    @Test func theBoundOnBlockedUsersIsEnforced() async throws {
        try await withEngine({ $0.limits.blockedUsersPerUser = 3 }) { engine in
            let alice = try await engine.user("alice")
            for user in ["u1", "u2", "u3"] {
                #expect(try await alice.request("chat/users/block/\(user)").status == "blocked")
            }
            let refused = try await alice.request("chat/users/block/u4")
            #expect(refused.errorCode == "forbidden")
            #expect(refused["error"]?["message"]?.stringValue?.contains("3") == true)
            // Blocking someone already blocked is no new entry; an unblock makes room.
            #expect(try await alice.request("chat/users/block/u1").status == "blocked")
            #expect(try await alice.request("chat/users/block/u1", ["unblock": true]).status == "unblocked")
            #expect(try await alice.request("chat/users/block/u4").status == "blocked")
            #expect(try await alice.request("chat/users/blocked")["users"]?.arrayValue == ["u2", "u3", "u4"])
        }
    }

    /// A retried block after an unblock must not block again: the retry gets the first answer.
    @Test func aRetriedBlockIsAppliedOnce() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            try alice.send("chat/users/block/bob", requestId: "b-1")
            #expect(try await alice.reply(to: "b-1").status == "blocked")
            #expect(try await alice.request("chat/users/block/bob", ["unblock": true]).status == "unblocked")
            try alice.send("chat/users/block/bob", requestId: "b-1")
            try await alice.waitUntil("the retry's reply") {
                alice.count { topic, json in topic.hasSuffix("/responses") && json["request_id"]?.stringValue == "b-1" } == 2
            }
            #expect(try await alice.request("chat/users/blocked")["users"]?.arrayValue == [])
        }
    }
}
