@testable import Engine
import Foundation
import Testing
import Wire

/// The engine on mosquitto's defaults (no tuning line: 20 messages in flight, retained messages on),
/// driven by mosquitto's own clients: what a user who already runs a broker gets.
@Suite(.timeLimit(.minutes(2)))
struct StockBrokerTests {
    @Test func mosquittoClientsChatThroughAStockBroker() async throws {
        let broker = try await Broker(tuned: false)
        try await withEngine(on: broker) { harness in
            let alice = try await MosquittoCLI.Subscriber(port: broker.port, topic: "chat/user/alice/#")
            let bob = try await MosquittoCLI.Subscriber(port: broker.port, topic: "chat/user/bob/#")
            let aliceToken = try Self.token("alice")
            try await MosquittoCLI.publish(port: broker.port, topic: "chat/rooms/create", ["token": .string(aliceToken), "name": "stock", "request_id": "c1"])
            let created = try await alice.reply(to: "c1")
            let roomId = try #require(created["room_id"]?.stringValue, "\(created)")
            try await MosquittoCLI.publish(port: broker.port, topic: "chat/rooms/join/\(roomId)", ["token": .string(try Self.token("bob")), "request_id": "j1"])
            #expect(try await bob.reply(to: "j1").status == "joined")
            try await MosquittoCLI.publish(port: broker.port, topic: "chat/message/\(roomId)", ["token": .string(aliceToken), "content": "hello", "request_id": "m1"])
            #expect(try await alice.reply(to: "m1").status == "message_sent")
            try await bob.waitUntil("the message") { _ in bob.messages.contains { $0.json["content"]?.stringValue == "hello" } }
            // MQTT 3.1.1 has no Response Topic: replies go to the user's responses topic.
            #expect(alice.messages.first { $0.json["request_id"]?.stringValue == "m1" }?.topic == "chat/user/alice/responses")
        }
    }

    /// A client of mosquitto's own tools that was away catches up with `sync` (MQTT 3.1.1, the reply on
    /// the responses topic) and learns of an edit to a message it held.
    @Test func aMosquittoClientSyncsAfterBeingAway() async throws {
        let broker = try await Broker(tuned: false)
        try await withEngine(on: broker) { harness in
            let alice = try await harness.user("alice")
            let roomId = try await alice.createRoom("away")
            let bobToken = try Self.token("bob")
            let bob = try await MosquittoCLI.Subscriber(port: broker.port, topic: "chat/user/bob/responses")
            try await MosquittoCLI.publish(port: broker.port, topic: "chat/rooms/join/\(roomId)", ["token": .string(bobToken), "request_id": "j1"])
            #expect(try await bob.reply(to: "j1").status == "joined")
            let held = try #require(try await alice.say(roomId, "held")["seq"]?.intValue)
            try await MosquittoCLI.publish(port: broker.port, topic: "chat/sync", ["token": .string(bobToken), "request_id": "s1"])
            let first = try #require(try await bob.reply(to: "s1")["rooms"]?.arrayValue?.first)
            let changeSeq = try #require(first["change_seq"]?.intValue)
            // Away: a new message, and an edit of the one held.
            _ = try await alice.say(roomId, "new")
            _ = try await alice.request("chat/message/\(roomId):\(held)/edit", ["content": "held, edited"])
            try await MosquittoCLI.publish(port: broker.port, topic: "chat/sync", [
                "token": .string(bobToken), "request_id": "s2",
                "rooms": [roomId: ["last_seq": .number(Double(held)), "change_seq": .number(Double(changeSeq))]],
            ])
            let entry = try #require(try await bob.reply(to: "s2")["rooms"]?.arrayValue?.first)
            #expect(entry["messages"]?.arrayValue?.map { $0["content"]?.stringValue } == ["new"])
            #expect(entry["changed"]?.arrayValue?.map { $0["content"]?.stringValue } == ["held, edited"])
        }
    }

    /// A 20-member room at full speed: with 20 deliveries in flight the engine once waited for a 2 ms poll
    /// timeout per window (the acknowledgements never reached its 256-byte batch), 13 s for what takes 3.
    @Test func aBurstIntoALargeRoomArrivesCompleteAndInOrder() async throws {
        let broker = try await Broker(tuned: false)
        try await withEngine(on: broker) { harness in
            let owner = try await harness.user("owner")
            var members: [ChatClient] = []
            for index in 0..<19 { members.append(try await harness.user("member\(index)")) }
            let roomId = try await owner.createRoom("burst", joinedBy: members)
            let count = 300
            var ids: [String] = []
            for index in 0..<count { ids.append(try owner.send("chat/message/\(roomId)", ["content": .string("m\(index)")])) }
            for id in ids { #expect(try await owner.reply(to: id, timeout: 30).status == "message_sent") }
            for member in members {
                try await member.waitUntil(timeout: 30, "\(count) messages") { member.events("text").count >= count }
                let contents = member.events("text").compactMap { $0["content"]?.stringValue }
                #expect(contents == (0..<count).map { "m\($0)" })
            }
        }
    }

    /// A retained request used to be applied once when published and again on every new subscription
    /// (a second room each time the engine started with a new session).
    @Test func retainedRequestsAreNeverApplied() async throws {
        let broker = try await Broker(tuned: false)
        let token = try Self.token("alice")
        try await MosquittoCLI.publish(port: broker.port, topic: "chat/rooms/create", ["token": .string(token), "name": "stored"], retain: true)
        for round in 0..<2 {
            try await withEngine(on: broker, keepingBroker: true) { harness in
                let alice = try await harness.user("alice")
                try await MosquittoCLI.publish(
                    port: broker.port, topic: "chat/rooms/create", ["token": .string(token), "name": .string("live \(round)")], retain: true)
                try await Task.sleep(for: .milliseconds(300))
                let list = try await alice.request("chat/rooms/list", ["scope": "mine"])
                #expect(list["rooms"]?.arrayValue?.isEmpty == true, "round \(round): \(list)")
                #expect(harness.engine.core.processor.counters.dropped.load(ordering: .relaxed) >= 1)
            }
        }
        broker.stop()
    }

    static func token(_ user: String) throws -> String {
        try TokenSigner(secret: EngineHarness.secret).sign(TokenClaims(sub: user, exp: Date().timeIntervalSince1970 + 3600))
    }
}
