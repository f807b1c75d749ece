import Engine
import EngineTesting
import Testing
import Wire

/// The in-memory engine (EngineTesting): route tests without a broker. What it publishes is recorded
/// per topic, in order, as the broker would have been handed it.
@Suite(.timeLimit(.minutes(1)))
struct InMemoryEngineTests {
    @Test func repliesAndEventsArePublishedToTheInboxTopics() async throws {
        try await withInMemoryEngine { engine in
            let alice = try engine.inMemoryUser("alice", name: "Alice")
            let bob = try engine.inMemoryUser("bob")
            let roomId = try await alice.createRoom("general", joinedBy: [bob])
            let sent = try await bob.say(roomId, "hello")
            #expect(sent.status == "message_sent" && sent["topic"]?.stringValue == "chat/message/\(roomId)")
            _ = try await alice.event("text") { $0["content"]?.stringValue == "hello" }

            // Exactly one reply per request, on the caller's responses topic.
            #expect(engine.log.count(on: "chat/user/alice/responses") == 1)
            #expect(engine.log.count(on: "chat/user/bob/responses") == 2)
            // Alice's inbox in order: the room's notice, bob's join and notice, bob's message.
            let types = engine.log.published(on: "chat/user/alice/messages").compactMap { $0["type"]?.stringValue }
            #expect(types == ["system", "member_joined", "system", "text"])
            #expect(alice.receivedAll().allSatisfy { $0.topic.hasPrefix("chat/user/alice/") })
        }
    }

    @Test func aRequestNobodyCanBeNamedForGetsNoReplyAndBearerCredentialsWork() async throws {
        try await withInMemoryEngine { engine in
            let alice = try engine.inMemoryUser("alice")
            try alice.send("chat/rooms/create", ["name": "x"], requestId: "anonymous", withToken: false)
            // Sent after the anonymous one, in the same lane: once it is answered, the first was handled.
            #expect(try await alice.request("chat/rooms/list").status == "success")
            #expect(alice.received(on: "/responses").count == 1)

            // A transport's own credentials (an HTTP Authorization header, a socket's token).
            let payload = JSONValue.object(["name": "by header", "request_id": "h1"]).serialized()
            engine.submit(InboundRequest(topic: "chat/rooms/create", payload: payload, credentials: .bearer(alice.token)))
            #expect(try await alice.reply(to: "h1").status == "room_created")
        }
    }

    @Test func oneUsersRequestsAreHandledInTheOrderSent() async throws {
        try await withInMemoryEngine { engine in
            let alice = try engine.inMemoryUser("alice")
            let roomId = try await alice.createRoom()
            for i in 0..<50 { try alice.send("chat/message/\(roomId)", ["content": .string("m\(i)")], requestId: nil, withToken: true) }
            _ = try await alice.event("text") { $0["content"]?.stringValue == "m49" }
            let texts = alice.events("text")
            #expect(texts.compactMap { $0["content"]?.stringValue } == (0..<50).map { "m\($0)" })
            let seqs = texts.compactMap { $0["seq"]?.intValue }
            #expect(seqs == seqs.sorted() && Set(seqs).count == 50)
        }
    }

    @Test func aRetriedRequestIdIsAppliedOnce() async throws {
        try await withInMemoryEngine { engine in
            let alice = try engine.inMemoryUser("alice")
            let roomId = try await alice.createRoom()
            try alice.send("chat/message/\(roomId)", ["content": "once"], requestId: "same", withToken: true)
            let first = try await alice.reply(to: "same")
            try alice.send("chat/message/\(roomId)", ["content": "once"], requestId: "same", withToken: true)
            try await alice.waitUntilReplies(to: "same", count: 2)
            let replies = alice.received(on: "/responses").filter { $0["request_id"]?.stringValue == "same" }
            #expect(replies.count == 2 && replies[1]["message_id"] == first["message_id"])
            #expect(alice.events("text").count == 1)
        }
    }
}

extension InMemoryUser {
    /// Waits until `count` replies carry `requestId`.
    func waitUntilReplies(to requestId: String, count: Int) async throws {
        for _ in 0..<5000 {
            if received(on: "/responses").filter({ $0["request_id"]?.stringValue == requestId }).count >= count { return }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw HarnessFailure("\(userId) got fewer than \(count) replies to \(requestId)")
    }
}
