@testable import Engine
import Foundation
import Testing
import Wire

/// Each WebSocket is a presence device of its own (PROTOCOL §2.5): closing one tab leaves its user online
/// while another tab is open, and closing the last takes the user offline.
@Suite(.timeLimit(.minutes(1)))
struct GatewayDeviceTests {
    @Test func twoSocketsOfOneUserOneClosesTheUserStaysOnline() async throws {
        try await withGateway { harness, http, _ in
            let alice = try await harness.user("alice")
            let roomId = try await alice.createRoom()
            let first = try await WebUser(port: http.port, userId: "bob")
            defer { first.stop() }
            let second = try await WebUser(port: http.port, userId: "bob")
            defer { second.stop() }
            _ = try await first.waitFor("session") { topic, _ in topic.hasSuffix("/session") }
            _ = try await second.waitFor("session") { topic, _ in topic.hasSuffix("/session") }
            #expect(try await first.request("chat/rooms/join/\(roomId)").status == "joined")

            // A socket speaks for itself, whatever device its frames name. (Every socket of bob hears both
            // replies, and the two sockets number their request ids alike: count the replies instead.)
            try first.send("chat/presence/online", ["device": "spoofed"])
            try second.send("chat/presence/online")
            let presenceReplies = {
                first.frames(on: "/responses").filter { $0["topic"]?.stringValue == "chat/presence/online" }
            }
            try await first.waitUntil("both presence replies") { presenceReplies().count == 2 }
            let devices = presenceReplies().compactMap { $0["device"]?.stringValue }
            #expect(Set(devices).count == 2 && devices.allSatisfy { $0.hasPrefix("ws-") }, "\(devices)")
            _ = try await alice.event("user_status") { $0["status"]?.stringValue == "online" }

            first.stop()
            try await first.waitUntil("the first socket closed") { first.isFinished }
            try await waitForOpenSockets(harness, 1)
            try await Task.sleep(for: .milliseconds(300))
            let info = try await alice.request("chat/rooms/\(roomId)/info")
            let bob = info["members"]?.arrayValue?.first { $0["user_id"]?.stringValue == "bob" }
            #expect(bob?["status"]?.stringValue == "online")
            #expect(alice.events("user_status").count == 1)

            second.stop()
            let offline = try await alice.event("user_status") { $0["status"]?.stringValue == "offline" }
            #expect(offline["user_id"]?.stringValue == "bob")
            #expect(alice.events("user_status").count == 2)
        }
    }

    func waitForOpenSockets(_ harness: EngineHarness, _ count: Int) async throws {
        // The gateway waits up to 5 s for a closing handshake a client that just went away never sends: on
        // a loaded machine the count drops only after that.
        let deadline = Date().addingTimeInterval(30)
        while harness.engine.sockets.count != count {
            guard Date() < deadline else { throw TestFailure("\(harness.engine.sockets.count) sockets open, not \(count)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
