import Testing
import Wire

/// Edit, delete, reactions, threads, search.
@Suite(.timeLimit(.minutes(1)))
struct MessageActionTests {
    @Test func editAndDeleteRules() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let carol = try await engine.user("carol")
            let roomId = try await alice.createRoom(joinedBy: [bob, carol])
            let sent = try await bob.say(roomId, "first draft")
            let id = try #require(sent["message_id"]?.stringValue)

            #expect(try await carol.request("chat/message/\(id)/edit", ["content": "hijack"]).errorCode == "forbidden")
            #expect(try await bob.request("chat/message/\(id)/edit", ["content": "final"]).status == "message_edited")
            let edited = try await carol.event("message_edited")
            #expect(edited["message"]?["content"]?.stringValue == "final")
            #expect(edited["message"]?["edited"]?.boolValue == true)

            #expect(try await carol.request("chat/message/\(id)/delete").errorCode == "forbidden")
            #expect(try await alice.request("chat/message/\(id)/delete").status == "message_deleted")
            let deleted = try await carol.event("message_deleted")
            #expect(deleted["message"]?["deleted"]?.boolValue == true)
            #expect(deleted["message"]?["content"]?.stringValue == "")
            #expect(try await bob.request("chat/message/\(id)/edit", ["content": "again"]).errorCode == "conflict")
            #expect(try await bob.request("chat/message/\(roomId):999/edit", ["content": "x"]).errorCode == "not_found")
            #expect(try await bob.request("chat/message/garbage/delete").errorCode == "not_found")
        }
    }

    @Test func reactionsAreIdempotentPerUserAndEmoji() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let outsider = try await engine.user("outsider")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            let id = try #require(try await alice.say(roomId, "react to me")["message_id"]?.stringValue)
            #expect(try await bob.request("chat/message/\(id)/react", ["emoji": "👍"]).status == "reaction_added")
            let again = try await bob.request("chat/message/\(id)/react", ["emoji": "👍"])
            #expect(again["reactions"]?["👍"]?.arrayValue == ["bob"])
            _ = try await alice.request("chat/message/\(id)/react", ["emoji": "👍"])
            let event = try await bob.event("reaction_added") { $0["user_id"]?.stringValue == "alice" }
            #expect(event["emoji"]?.stringValue == "👍" && event["count"]?.intValue == 2)
            #expect(alice.events("reaction_added").count == 2)

            let removed = try await bob.request("chat/message/\(id)/react", ["emoji": "👍", "remove": true])
            #expect(removed.status == "reaction_removed")
            #expect(removed["reactions"]?["👍"]?.arrayValue == ["alice"])
            _ = try await alice.event("reaction_removed")
            #expect(try await outsider.request("chat/message/\(id)/react", ["emoji": "👍"]).errorCode == "not_member")
            #expect(try await bob.request("chat/message/\(id)/react", ["emoji": ""]).errorCode == "validation_failed")
            #expect(try await bob.request("chat/message/\(id)/react", ["emoji": .string(String(repeating: "x", count: 33))]).errorCode == "validation_failed")
        }
    }

    @Test func threadedRepliesAndThreadHistory() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            let root = try #require(try await alice.say(roomId, "root")["message_id"]?.stringValue)
            let first = try await bob.request("chat/message/\(root)/reply", ["content": "r1"])
            #expect(first.status == "message_sent")
            #expect(first["thread_id"]?.stringValue == root)
            let firstId = try #require(first["message_id"]?.stringValue)
            // A reply to a reply stays in the root's thread.
            let second = try await alice.request("chat/message/\(firstId)/reply", ["content": "r2"])
            #expect(second["thread_id"]?.stringValue == root)
            _ = try await alice.say(roomId, "not in thread")

            let delivered = try await bob.event("text") { $0["content"]?.stringValue == "r2" }
            #expect(delivered["reply_to"]?.stringValue == firstId)
            #expect(delivered["thread_id"]?.stringValue == root)

            let thread = try await bob.request("chat/history/\(roomId)", ["thread_id": .string(root)])
            let contents = thread["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue }
            #expect(contents == ["r2", "r1", "root"])
            let rootMessage = thread["messages"]?.arrayValue?.last
            #expect(rootMessage?["reply_count"]?.intValue == 2)
        }
    }

    @Test func historyPagesNewestFirst() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let roomId = try await alice.createRoom()
            for i in 1...5 { _ = try await alice.say(roomId, "m\(i)") }
            let page1 = try await alice.request("chat/history/\(roomId)", ["limit": 3])
            #expect(page1["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } == ["m5", "m4", "m3"])
            #expect(page1["has_more"]?.boolValue == true)
            let before = try #require(page1["next_before"]?.intValue)
            let page2 = try await alice.request("chat/history/\(roomId)", ["limit": 3, "before": .number(Double(before))])
            #expect(page2["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } == ["m2", "m1", "Room 'room' created"])
            #expect(page2["has_more"]?.boolValue == false)
            #expect(page2["next_before"]?.isNull == true)
        }
    }

    @Test func searchIsCaseAndDiacriticInsensitiveAndSkipsDeleted() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let outsider = try await engine.user("outsider")
            let roomId = try await alice.createRoom()
            _ = try await alice.say(roomId, "Meet at the Café")
            _ = try await alice.say(roomId, "cafe again")
            let doomed = try #require(try await alice.say(roomId, "CAFÉ deleted")["message_id"]?.stringValue)
            _ = try await alice.say(roomId, "tea")
            _ = try await alice.request("chat/message/\(doomed)/delete")
            let found = try await alice.request("chat/search/\(roomId)", ["query": "cafe"])
            #expect(found["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } == ["cafe again", "Meet at the Café"])
            #expect(found["count"]?.intValue == 2)
            let limited = try await alice.request("chat/search/\(roomId)", ["query": "CAFÉ", "limit": 1])
            #expect(limited["count"]?.intValue == 1)
            #expect(try await outsider.request("chat/search/\(roomId)", ["query": "cafe"]).errorCode == "not_member")
            #expect(try await alice.request("chat/search/\(roomId)", ["query": ""]).errorCode == "validation_failed")
            #expect(try await alice.request("chat/search/\(roomId)", ["query": .string(String(repeating: "q", count: 201))]).errorCode == "validation_failed")
        }
    }
}
