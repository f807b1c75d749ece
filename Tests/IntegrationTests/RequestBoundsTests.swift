@testable import Engine
import Foundation
import Testing
import Wire

/// What one user can make the engine hold or send through requests (issue 13): remembered replies,
/// string lengths, reactions, and refusals of a burst.
@Suite(.timeLimit(.minutes(1)))
struct RequestBoundsTests {
    /// Every reply on the responses topic carrying `requestId`, once `count` of them arrived.
    static func replies(_ client: ChatClient, to requestId: String, count: Int) async throws -> [JSONValue] {
        try await client.waitUntil("\(count) replies to \(requestId)") {
            client.received(on: "/responses").filter { $0["request_id"]?.stringValue == requestId }.count >= count
        }
        return client.received(on: "/responses").filter { $0["request_id"]?.stringValue == requestId }
    }

    @Test func fileReadsAreNotRememberedARetryReadsAgain() async throws {
        try await withEngine { engine in
            let replies = engine.engine.processor.replies
            let alice = try await engine.user("alice")
            let roomId = try await alice.createRoom()
            let uploaded = try await alice.request("chat/file/upload/\(roomId)", [
                "name": "big.bin", "mime": "application/octet-stream",
                "data": .string(Data(FileTests.bytes(200_000)).base64EncodedString()),
            ], timeout: 20)
            let fileId = try #require(uploaded["file_id"]?.stringValue)
            let before = replies.bytes(of: "alice")

            for index in 0..<20 {
                let read = try await alice.request("chat/file/get/\(fileId)", ["offset": .number(Double(index))])
                #expect(read.status == "success")
            }
            for read in ["chat/rooms/list", "chat/rooms/\(roomId)/info", "chat/history/\(roomId)", "chat/search/\(roomId)"] {
                #expect(try await alice.request(read, ["query": "x"]).status == "success")
            }
            #expect(replies.bytes(of: "alice") == before, "reads must not be remembered")

            // A retry of a read runs again: after leaving the room the same request id is refused.
            try alice.send("chat/file/get/\(fileId)", ["length": 10], requestId: "get-1")
            #expect(try await Self.replies(alice, to: "get-1", count: 1)[0].status == "success")
            #expect(try await alice.request("chat/rooms/leave/\(roomId)").status == "left")
            try alice.send("chat/file/get/\(fileId)", ["length": 10], requestId: "get-1")
            #expect(try await Self.replies(alice, to: "get-1", count: 2)[1].errorCode == "not_found")

            // A change is remembered.
            let grown = replies.bytes(of: "alice")
            _ = try await alice.createRoom("another")
            #expect(replies.bytes(of: "alice") > grown)
        }
    }

    /// The journal (after SIGKILL) and the snapshot (after a graceful restart) bring back the remembered
    /// reply to a change, and never a read's.
    @Test func journalAndSnapshotCarryRememberedChangesNotReads() async throws {
        let broker = try await Broker()
        defer { broker.stop() }
        let engine = EngineProcess(
            port: broker.port,
            dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("data-\(UUID().uuidString)").path)
        try await engine.start()
        defer { engine.stop() }
        let alice = try await ChatClient(userId: "alice", port: broker.port)
        try alice.send("chat/rooms/create", ["name": "kept"], requestId: "create-1")
        let created = try await Self.replies(alice, to: "create-1", count: 1)[0]
        let roomId = try #require(created["room_id"]?.stringValue)
        let uploaded = try await alice.request("chat/file/upload/\(roomId)", ["name": "a.txt", "mime": "text/plain", "data": "aGVsbG8="])
        let fileId = try #require(uploaded["file_id"]?.stringValue)
        try alice.send("chat/file/get/\(fileId)", requestId: "get-1")
        #expect(try await Self.replies(alice, to: "get-1", count: 1)[0].status == "success")
        #expect(try await alice.request("chat/rooms/leave/\(roomId)").status == "left")

        var sent = 1
        for signal in [SIGKILL, SIGTERM] {
            engine.stop(signal: signal)
            try await engine.start()
            sent += 1
            try alice.send("chat/rooms/create", ["name": "kept"], requestId: "create-1")
            #expect(try await Self.replies(alice, to: "create-1", count: sent)[sent - 1] == created)
            try alice.send("chat/file/get/\(fileId)", requestId: "get-1")
            #expect(try await Self.replies(alice, to: "get-1", count: sent)[sent - 1].errorCode == "not_found")
        }
    }

    @Test func rememberedRepliesPerUserAreBoundedInBytesOldestForgottenFirst() async throws {
        let bound = 1500
        try await withEngine({ $0.limits.replyCacheBytesPerUser = bound }) { engine in
            let replies = engine.engine.processor.replies
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom()
            _ = try await bob.createRoom("bob's")
            let bobBytes = replies.bytes(of: "bob")
            var first: [String: String] = [:]
            for index in 0..<12 {
                try alice.send("chat/message/\(roomId)", ["content": .string("number \(index)")], requestId: "m\(index)")
                first["m\(index)"] = try await Self.replies(alice, to: "m\(index)", count: 1)[0]["message_id"]?.stringValue
                #expect(replies.bytes(of: "alice") <= bound)
            }
            #expect(replies.bytes(of: "bob") == bobBytes, "one user's replies never push out another's")

            // The newest is still remembered: its retry is answered, not applied again.
            try alice.send("chat/message/\(roomId)", ["content": "number 11"], requestId: "m11")
            let newest = try await Self.replies(alice, to: "m11", count: 2)
            #expect(newest[1]["message_id"]?.stringValue == first["m11"])
            // The oldest was forgotten: its retry is a new request.
            try alice.send("chat/message/\(roomId)", ["content": "number 0"], requestId: "m0")
            let oldest = try await Self.replies(alice, to: "m0", count: 2)
            #expect(oldest[1].status == "message_sent")
            #expect(oldest[1]["message_id"]?.stringValue != first["m0"])
        }
    }

    @Test func lengthsCountUnicodeScalarsNotGraphemes() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            // One letter and 8000 combining marks: one grapheme cluster, 8001 scalars, 16 KB.
            let stacked = "a" + String(repeating: "\u{301}", count: 8000)
            let refused = try await alice.request("chat/rooms/create", ["name": .string(stacked)])
            #expect(refused.errorCode == "validation_failed")
            #expect(refused["error"]?["message"]?.stringValue == "'name' is longer than 100 characters")
            // 100 precomposed letters of 2 bytes each are 100 characters.
            #expect(try await alice.request("chat/rooms/create", ["name": .string(String(repeating: "é", count: 100))]).status == "room_created")
            let roomId = try await alice.createRoom()
            let content = "a" + String(repeating: "\u{301}", count: 4000)
            #expect(try await alice.say(roomId, content).errorCode == "validation_failed")
        }
    }

    @Test func reactionsAreShortCappedPerMessageAndTheirEventsSmall() async throws {
        try await withEngine({ $0.limits.reactionsPerMessage = 3 }) { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            let id = try #require(try await alice.say(roomId, "react to me")["message_id"]?.stringValue)
            let react = "chat/message/\(id)/react"
            for emoji in ["👍", "🎉", "👨‍👩‍👧‍👦"] {
                #expect(try await bob.request(react, ["emoji": .string(emoji)]).status == "reaction_added")
            }
            let fourth = try await bob.request(react, ["emoji": "🔥"])
            #expect(fourth.errorCode == "conflict")
            // An emoji already on the message can still be joined.
            #expect(try await alice.request(react, ["emoji": "🎉"]).status == "reaction_added")
            // After one goes, a new one fits.
            #expect(try await bob.request(react, ["emoji": "👍", "remove": true]).status == "reaction_removed")
            #expect(try await bob.request(react, ["emoji": "🔥"]).status == "reaction_added")

            let stacked = "👍" + String(repeating: "\u{301}", count: 40)
            #expect(try await bob.request(react, ["emoji": .string(stacked)]).errorCode == "validation_failed")
            #expect(try await bob.request(react, ["emoji": "👍\u{7}"]).errorCode == "validation_failed")
            #expect(try await bob.request(react, ["emoji": "👍 👍"]).errorCode == "validation_failed")

            // The event names the emoji, who changed it and its count, not the whole map.
            let event = try await bob.event("reaction_added") { $0["user_id"]?.stringValue == "alice" }
            #expect(event["emoji"]?.stringValue == "🎉")
            #expect(event["count"]?.intValue == 2)
            #expect(event["reactions"] == nil)
            let removed = try await alice.event("reaction_removed")
            #expect(removed["emoji"]?.stringValue == "👍" && removed["count"]?.intValue == 0)
        }
    }

    @Test func everyRefusalOfABurstWithRequestIdsIsAnswered() async throws {
        try await withEngine({ $0.rateLimit = 5 }) { engine in
            let alice = try await engine.user("alice")
            let ids = try (0..<15).map { try alice.send("chat/rooms/list", requestId: "burst-\($0)") }
            var limited = 0
            for id in ids {
                let reply = try await alice.reply(to: id)
                if reply.errorCode == "rate_limited" {
                    limited += 1
                    #expect((reply["error"]?["retry_after"]?.doubleValue ?? 0) > 0)
                } else {
                    #expect(reply.status == "success")
                }
            }
            #expect(limited >= 9)

            // Without a request_id nothing matches a reply to a request: a flood of those gets one a second.
            let bare = JSONValue.object(["token": .string(alice.token)]).serialized()
            for _ in 0..<10 { try alice.client.publish(topic: "chat/rooms/list", payload: bare, qos: 1) }
            try await alice.waitUntil("a refusal without request_id") {
                alice.received(on: "/responses").contains { $0["request_id"]?.isNull == true }
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(alice.received(on: "/responses").filter { $0["request_id"]?.isNull == true }.count == 1)
        }
    }

    @Test func aRetryAnsweredFromTheCacheDoesNotCountAgainstTheRateLimit() async throws {
        try await withEngine({ $0.rateLimit = 3 }) { engine in
            let alice = try await engine.user("alice")
            let roomId = try await alice.createRoom()
            try alice.send("chat/message/\(roomId)", ["content": "once"], requestId: "sent-once")
            let original = try await Self.replies(alice, to: "sent-once", count: 1)[0]
            #expect(original.status == "message_sent")
            // Two of three tokens used. Retries of the remembered request are answered from the cache and
            // take none of them.
            for attempt in 2...4 {
                try alice.send("chat/message/\(roomId)", ["content": "once"], requestId: "sent-once")
                let repeated = try await Self.replies(alice, to: "sent-once", count: attempt)
                #expect(repeated[attempt - 1] == original)
            }
            #expect(try await alice.request("chat/rooms/list").status == "success")
            #expect(try await alice.request("chat/rooms/list").errorCode == "rate_limited")
        }
    }
}
