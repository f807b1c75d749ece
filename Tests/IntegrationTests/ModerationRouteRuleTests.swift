import EngineTesting
import Testing
import Wire

/// Moderation, threads, reactions, search and read marks, in memory and through mosquitto.
@Suite(.timeLimit(.minutes(1)))
struct ModerationRouteRuleTests {
    @Test(arguments: EngineMode.allCases)
    func slowModeMuteAndBan(mode: EngineMode) async throws {
        try await withTestEngine(mode) { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            let moderate = "chat/admin/rooms/\(roomId)/moderate"

            #expect(try await alice.request(moderate, ["action": "slow_mode", "seconds": 30]).status == "success")
            #expect(try await bob.say(roomId, "one").status == "message_sent")
            let slowed = try await bob.say(roomId, "two")
            #expect(slowed.errorCode == "rate_limited" && (slowed["error"]?["retry_after"]?.doubleValue ?? 0) > 0)
            #expect(try await alice.say(roomId, "admins are not slowed").status == "message_sent")
            _ = try await alice.request(moderate, ["action": "slow_mode", "seconds": 0])

            let mute = "chat/admin/users/bob/mute"
            #expect(try await bob.request("chat/admin/users/alice/mute", ["room_id": .string(roomId)]).errorCode == "forbidden")
            #expect(try await alice.request(mute, ["room_id": .string(roomId)]).status == "muted")
            _ = try await bob.event("user_muted")
            #expect(try await bob.say(roomId, "x").errorCode == "muted")
            #expect(try await alice.request(mute, ["room_id": .string(roomId), "unmute": true]).status == "unmuted")
            #expect(try await bob.say(roomId, "back").status == "message_sent")

            #expect(try await alice.request("chat/admin/users/bob/ban", ["room_id": .string(roomId)]).status == "banned")
            _ = try await bob.event("user_banned")
            #expect(try await bob.request("chat/rooms/join/\(roomId)").errorCode == "banned")
            #expect(try await alice.request("chat/admin/users/bob/ban", ["room_id": .string(roomId), "unban": true]).status == "unbanned")
            #expect(try await bob.request("chat/rooms/join/\(roomId)").status == "joined")
        }
    }

    @Test(arguments: EngineMode.allCases)
    func threadsReactionsSearchAndReadMarks(mode: EngineMode) async throws {
        try await withTestEngine(mode) { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            let root = try #require(try await alice.say(roomId, "Lunch at the Café?")["message_id"]?.stringValue)
            let reply = try await bob.request("chat/message/\(root)/reply", ["content": "yes"])
            #expect(reply.status == "message_sent" && reply["thread_id"]?.stringValue == root)
            let replyId = try #require(reply["message_id"]?.stringValue)
            let nested = try await alice.request("chat/message/\(replyId)/reply", ["content": "at noon"])
            #expect(nested["thread_id"]?.stringValue == root)
            let thread = try await bob.request("chat/history/\(roomId)", ["thread_id": .string(root)])
            #expect(thread["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } == ["at noon", "yes", "Lunch at the Café?"])
            #expect(thread["messages"]?.arrayValue?.last?["reply_count"]?.intValue == 2)

            let reaction = try await bob.request("chat/message/\(root)/react", ["emoji": "👍"])
            #expect(reaction.status == "reaction_added" && reaction["reactions"]?["👍"]?.arrayValue == ["bob"])
            // The event carries the count, not the map (PROTOCOL §3): members apply `user_id` themselves.
            let reacted = try await alice.event("reaction_added")
            #expect(reacted["user_id"]?.stringValue == "bob" && reacted["count"]?.intValue == 1)

            let found = try await bob.request("chat/search/\(roomId)", ["query": "cafe"])
            #expect(found["messages"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [root])

            let lastSeq = try #require(nested["seq"]?.intValue)
            let read = try await bob.request("chat/read/\(roomId)", ["seq": .number(Double(lastSeq))])
            #expect(read.status == "success" && read["unread"]?.intValue == 0 && read["read_seq"]?.intValue == lastSeq)
            _ = try await bob.event("read_updated") { $0["room_id"]?.stringValue == roomId }
            let list = try await bob.request("chat/rooms/list", ["scope": "mine"])
            #expect(list["rooms"]?.arrayValue?.first?["unread"]?.intValue == 0)
        }
    }
}
