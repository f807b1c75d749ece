import Testing
import Wire

/// Rate limit, validation and profanity through the broker.
@Suite(.timeLimit(.minutes(1)))
struct MiddlewareTests {
    @Test func rateLimitRefusesWithRetryAfter() async throws {
        try await withEngine({ $0.rateLimit = 5 }) { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            for _ in 0..<5 { #expect(try await alice.request("chat/rooms/list").status == "success") }
            let limited = try await alice.request("chat/rooms/list")
            #expect(limited.errorCode == "rate_limited")
            #expect((limited["error"]?["retry_after"]?.doubleValue ?? 0) > 0)
            #expect(try await bob.request("chat/rooms/list").status == "success")
        }
    }

    @Test func contentRules() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let roomId = try await alice.createRoom()
            _ = try await alice.say(roomId, "THIS IS VERY LOUD")
            let loud = try await alice.event("text") { $0["content"]?.stringValue == "this is very loud" }
            #expect(loud["flagged"]?.boolValue == false)
            _ = try await alice.say(roomId, "see bit.ly/x")
            let link = try await alice.event("text") { $0["content"]?.stringValue == "see bit.ly/x" }
            #expect(link["flagged"]?.boolValue == true)
            #expect(try await alice.say(roomId, "OK").status == "message_sent")
            #expect(try await alice.say(roomId, String(repeating: "a", count: 4001)).errorCode == "validation_failed")
            // 4000 characters that are many bytes each are still 4000 characters.
            #expect(try await alice.say(roomId, String(repeating: "é", count: 4000)).status == "message_sent")
            #expect(try await alice.say(roomId, "").errorCode == "validation_failed")
            #expect(try await alice.request("chat/message/\(roomId)", ["content": 42]).errorCode == "validation_failed")
            #expect(try await alice.say(roomId, "x", ["padding": .string(String(repeating: "p", count: 70_000))]).errorCode == "too_large")
            #expect(try await alice.say(roomId, "hi", ["type": "system"]).errorCode == "validation_failed")
        }
    }

    @Test func profanityIsMaskedAsWholeWords() async throws {
        try await withEngine({ $0.profanity = ["darn"] }) { engine in
            let alice = try await engine.user("alice")
            let roomId = try await alice.createRoom()
            _ = try await alice.say(roomId, "Darn it, darning is fine")
            let masked = try await alice.event("text") { $0["sender_id"]?.stringValue == "alice" }
            #expect(masked["content"]?.stringValue == "**** it, darning is fine")
        }
    }
}
