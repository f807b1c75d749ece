import Testing
import Wire

/// Private messages, unread counts, read marks and notifications.
@Suite(.timeLimit(.minutes(1)))
struct PrivateMessageTests {
    @Test func privateMessageReachesBothAndNotifiesAnOfflineTarget() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice", name: "Alice")
            let bob = try await engine.user("bob")
            let reply = try await alice.request("chat/private/bob", ["content": "psst"])
            #expect(reply.status == "private_message_sent")
            #expect(reply["room_id"]?.stringValue == "private_alice_bob")
            for user in [alice, bob] {
                let message = try await user.event("text") { $0["content"]?.stringValue == "psst" }
                #expect(message["is_private"]?.boolValue == true)
                #expect(message["target_id"]?.stringValue == "bob")
                #expect(message["sender_name"]?.stringValue == "Alice")
            }
            let notification = try await bob.waitFor("notification") { topic, json in
                topic == "chat/user/bob/notifications" && json["type"]?.stringValue == "private_message"
            }
            #expect(notification["message"]?["content"]?.stringValue == "psst")

            // Bob replies in the same room; the room id is the same whichever side writes.
            let back = try await bob.request("chat/private/alice", ["content": "hi"])
            #expect(back["room_id"]?.stringValue == "private_alice_bob")

            let list = try await bob.request("chat/rooms/list", ["scope": "mine"])
            let entry = try #require(list["rooms"]?.arrayValue?.first)
            #expect(entry["unread"]?.intValue == 1)
            let seq = try #require(reply["seq"]?.intValue)
            let read = try await bob.request("chat/read/private_alice_bob", ["seq": .number(Double(seq))])
            #expect(read["unread"]?.intValue == 0)
        }
    }

    @Test func onlineTargetGetsNoNotification() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            #expect(try await bob.request("chat/presence/online").status == "online")
            _ = try await alice.request("chat/private/bob", ["content": "hello"])
            _ = try await bob.event("text")
            try await Task.sleep(for: .milliseconds(200))
            #expect(bob.received(on: "/notifications").isEmpty)
        }
    }

    @Test func invalidTargets() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            #expect(try await alice.request("chat/private/alice", ["content": "me"]).errorCode == "validation_failed")
            #expect(try await alice.request("chat/private/bob", [:]).errorCode == "validation_failed")
            #expect(try await alice.request("chat/rooms/join/private_alice_bob").errorCode == "forbidden")
            _ = try await alice.request("chat/private/bob", ["content": "x"])
            let mallory = try await engine.user("mallory")
            #expect(try await mallory.request("chat/rooms/join/private_alice_bob").errorCode == "forbidden")
        }
    }

    @Test func mentionNotifiesAMemberWhoIsNotOnline() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let carol = try await engine.user("carol")
            let roomId = try await alice.createRoom(joinedBy: [bob, carol])
            _ = try await carol.request("chat/presence/online")
            _ = try await alice.say(roomId, "hey @bob and @carol, see @nobody.")
            let note = try await bob.waitFor("mention") { topic, json in
                topic.hasSuffix("/notifications") && json["type"]?.stringValue == "mention"
            }
            #expect(note["message"]?["sender_id"]?.stringValue == "alice")
            try await Task.sleep(for: .milliseconds(200))
            #expect(carol.received(on: "/notifications").isEmpty)
        }
    }
}
