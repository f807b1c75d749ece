@testable import Engine
import Foundation
import Testing
import Wire

/// SPEC §11: `GET /api/v1/events` streams a user's inbox as server-sent events, read here by curl, a
/// client that is not the project's own.
@Suite(.timeLimit(.minutes(3)))
struct EventStreamTests {
    /// With room topics too: room events reach a stream as `messages`, as they reach a WebSocket.
    @Test(arguments: [Fanout.inbox, .roomTopic])
    func aUsersInboxArrivesInOrderWithTheTopicsLastLevelAsTheEventName(fanout: Fanout) async throws {
        try await withGateway(limits: { $0.fanout = fanout }) { harness, http, _ in
            let alice = try await harness.user("alice")
            let bob = try await harness.user("bob")
            let roomId = try await alice.createRoom("sse", joinedBy: [bob])
            let stream = try EventStreamReader(port: http.port, token: bob.token)
            defer { stream.stop() }
            try await stream.waitUntil("the stream is open") { stream.text.hasPrefix("retry: ") }

            for i in 0..<20 { alice.sendQuietly("chat/message/\(roomId)", ["content": .string("m\(i)")]) }
            try await stream.waitUntil("20 messages") { stream.events(named: "messages").filter(\.isText).count >= 20 }
            let texts = stream.events(named: "messages").filter(\.isText)
            #expect(texts.compactMap { $0["content"]?.stringValue } == (0..<20).map { "m\($0)" })
            #expect(texts.compactMap { $0["seq"]?.intValue } == texts.compactMap { $0["seq"]?.intValue }.sorted())

            // Replies to the user's own requests, whichever transport sent them, and notifications.
            let posted = try await bob.say(roomId, "from bob")
            try await stream.waitUntil("bob's reply") {
                stream.events(named: "responses").contains { $0["request_id"] == posted["request_id"] }
            }
            let other = try await alice.createRoom("invite-only", ["type": "private"])
            #expect(try await alice.request("chat/rooms/invite/\(other)", ["user_id": "bob"]).status == "invited")
            try await stream.waitUntil("the invitation") {
                stream.events(named: "notifications").contains { $0["type"]?.stringValue == "room_invited" }
            }
            // Nothing of another user's inbox.
            #expect(!stream.text.contains("\"user_id\":\"alice\",\"type\":\"room_invited\""))
        }
    }

    @Test func anIdleStreamGetsKeepAliveComments() async throws {
        try await withGateway(WebGatewayConfiguration(keepAliveInterval: 0.2)) { harness, http, _ in
            let bob = try await harness.user("bob")
            let stream = try EventStreamReader(port: http.port, token: bob.token, viaQuery: true)
            defer { stream.stop() }
            try await stream.waitUntil("three keep-alive comments") {
                stream.text.components(separatedBy: "\n:\n").count > 3
            }
        }
    }

    @Test func aStreamWithoutAValidTokenIsRefused() async throws {
        try await withGateway { _, http, _ in
            let missing = try await http.get("/api/v1/events")
            let forged = try await http.get("/api/v1/events", headers: ["Authorization: Bearer forged.token.here"])
            let forgedInQuery = try await http.get("/api/v1/events?access_token=nope")
            #expect([missing.status, forged.status, forgedInQuery.status] == [Int](repeating: 401, count: 3))
        }
    }

    /// Streams are sockets: the same caps, per user (429) and in total (503), with when to try again.
    @Test func streamsCountAgainstTheSocketCaps() async throws {
        try await withGateway(limits: { $0.limits.socketsPerUser = 1; $0.limits.socketsTotal = 2 }) { harness, http, gateway in
            let bob = try await harness.user("bob")
            let carol = try await harness.user("carol")
            let dave = try await harness.user("dave")
            let first = try EventStreamReader(port: http.port, token: bob.token)
            defer { first.stop() }
            try await first.waitUntil("bob's stream is open") { first.text.hasPrefix("retry: ") }
            let second = try await http.get("/api/v1/events", headers: ["Authorization: Bearer \(bob.token)"])
            #expect(second.status == 429)
            #expect(second.header("Retry-After") == "3")
            let other = try EventStreamReader(port: http.port, token: carol.token)
            defer { other.stop() }
            try await other.waitUntil("carol's stream is open") { other.text.hasPrefix("retry: ") }
            #expect(gateway.openSockets == 2)
            let full = try await http.get("/api/v1/events?access_token=\(dave.token)")
            #expect(full.status == 503)
            #expect(full.header("Retry-After") == "3")
        }
    }

    /// A reader that stops reading is cut off once it is `maxQueuedBytes` behind, and the engine goes on
    /// serving everyone else.
    @Test func aSlowReaderIsCutOffWhileOthersAreServed() async throws {
        let configuration = WebGatewayConfiguration(queueCapacity: 4096, maxQueuedBytes: 1024 * 1024)
        try await withGateway(configuration) { harness, http, gateway in
            let alice = try await harness.user("alice")
            let carol = try await harness.user("carol")
            let dave = try await harness.user("dave")
            let roomId = try await alice.createRoom("flood", joinedBy: [carol, dave])
            let slow = try StalledEventStream(port: http.port, token: carol.token)
            defer { slow.close() }
            let fast = try EventStreamReader(port: http.port, token: dave.token)
            defer { fast.stop() }
            try await fast.waitUntil("the stream is open") { fast.text.hasPrefix("retry: ") }
            try await alice.waitUntil("both streams are open") { gateway.openSockets == 2 }

            // 10 MB: more than the kernel's buffers on both ends of the stalled connection and its queue
            // hold. Sent in batches the fast reader keeps up with, so only the stalled one falls behind.
            let content = String(repeating: "x", count: 3900)
            let batches = 25, batch = 100
            for b in 0..<batches {
                for i in 0..<batch { alice.sendQuietly("chat/message/\(roomId)", ["content": .string("\(b * batch + i) \(content)")]) }
                try await fast.waitUntil(timeout: 30, "batch \(b) on the fast stream") {
                    fast.count(of: "event: messages") >= (b + 1) * batch
                }
            }
            try await alice.waitUntil(timeout: 20, "the slow stream is closed") { gateway.openSockets == 1 }
            #expect(slow.drainUntilClosed(timeout: 20), "the server never closed the slow reader's connection")
            let seqs = fast.events(named: "messages").filter(\.isText).compactMap { $0["seq"]?.intValue }
            #expect(seqs == seqs.sorted() && Set(seqs).count == batches * batch)
        }
    }
}

private extension JSONValue {
    var isText: Bool { self["type"]?.stringValue == "text" }
}

private extension ChatClient {
    /// Publishes without waiting for the reply.
    func sendQuietly(_ topic: String, _ fields: [String: JSONValue]) {
        _ = try? send(topic, fields)
    }
}

