@testable import Engine
import Foundation
import Testing
import Wire

/// `--mqtt-host` with several brokers: when the engine's broker goes away, the engine moves to the next
/// and serves the users connected there (as on the nodes of a clustered broker).
@Suite(.timeLimit(.minutes(1)))
struct BrokerFailoverTests {
    @Test func theEngineMovesToTheNextBrokerAndServesItsUsers() async throws {
        let first = try await Broker(tuned: false)
        let second = try await Broker(tuned: false)
        try await withEngine(on: first, { $0.mqttHost = "127.0.0.1:\(first.port), 127.0.0.1:\(second.port)" }) { harness in
            #expect(harness.engine.inbound.broker.port == first.port)
            let alice = try await harness.user("alice")
            #expect(try await alice.request("chat/rooms/create", ["name": "before"]).status == "room_created")

            first.stop()
            let bob = try await ChatClient(userId: "bob", port: second.port)
            // Sent while the engine may still be reconnecting: the broker keeps it for the engine's new
            // session only once that session exists, so the client retries with the same request_id.
            var reply: JSONValue?
            for _ in 0..<30 where reply == nil {
                try bob.send("chat/rooms/create", ["name": "after"], requestId: "after-1")
                reply = try? await bob.reply(to: "after-1", timeout: 1)
            }
            #expect(reply?.status == "room_created")
            #expect(harness.engine.inbound.broker.port == second.port)
            #expect(harness.engine.outbound.broker.port == second.port)
            // The state of before the move is still there: the rooms are the engine's, not the broker's.
            let list = try await bob.request("chat/rooms/list", ["scope": "public"])
            #expect(Set(list["rooms"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []) == ["before", "after"])
        }
        second.stop()
    }
}
