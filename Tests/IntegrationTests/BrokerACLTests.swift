@testable import Engine
import Foundation
import Testing
import Wire

/// deploy/mosquitto as shipped (its mosquitto.conf, dynamic security rules, acl and add-user) with a real
/// broker: nobody reads or writes another user's inbox, and no account can take the engine's sessions.
@Suite(.timeLimit(.minutes(1)))
struct BrokerACLTests {
    static let users = [(name: "alice", password: "alice-pw"), (name: "bob", password: "bob-pw"), (name: "carol", password: "carol-pw")]

    /// The shipped broker with an engine on its engine-only listener.
    static func withShippedBroker(_ body: (Broker, EngineHarness) async throws -> Void) async throws {
        let broker = try await Broker.shipped(users: users, enginePassword: "engine-pw")
        let harness = try await EngineHarness(broker: broker) {
            $0.mqttPort = broker.ports[1]
            $0.clientID = "chat-engine"
            $0.mqttUsername = "chat-engine"
            $0.mqttPassword = "engine-pw"
        }
        do {
            try await body(broker, harness)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test func usersReachOnlyTheirOwnInbox() async throws {
        try await Self.withShippedBroker { broker, _ in
            let alice = try await ChatClient(userId: "alice", port: broker.port, password: "alice-pw")
            let bob = try await ChatClient(userId: "bob", port: broker.port, password: "bob-pw")
            // Carol tries to read Bob's inbox: the broker refuses the subscription silently. (As alice, the
            // spy would replace Alice's own session: one session per account.)
            let spy = try await MosquittoCLI.Subscriber(port: broker.port, topic: "chat/user/bob/#", credentials: ("carol", "carol-pw"))

            let roomId = try await alice.createRoom(joinedBy: [bob])
            _ = try await alice.say(roomId, "only members see this")
            _ = try await bob.event("text") { $0["content"]?.stringValue == "only members see this" }

            // Alice forges an event into Bob's inbox: it reaches nobody.
            try alice.client.publish(topic: "chat/user/bob/messages", payload: Array(#"{"type":"text","content":"forged"}"#.utf8))
            try await Task.sleep(for: .milliseconds(300))
            #expect(bob.received(on: "/messages").allSatisfy { $0["content"]?.stringValue != "forged" })
            #expect(spy.messages.isEmpty)
        }
    }

    /// Without `use_username_as_clientid` any account connecting as `chat-engine` closed the engine's
    /// session ("already connected, closing old connection") and took its queued requests.
    @Test func noAccountCanTakeTheEnginesSessions() async throws {
        try await Self.withShippedBroker { broker, harness in
            var intruders: [MosquittoCLI.Subscriber] = []
            for (clientID, user) in [("chat-engine", "alice"), ("chat-engine-out", "bob")] {
                intruders.append(try await MosquittoCLI.Subscriber(
                    port: broker.port, topic: "chat/user/\(user)/#", clientID: clientID, credentials: (user, "\(user)-pw")))
            }
            // The engine's account is unknown on the users' listener, and users are unknown on the engine's.
            await #expect(throws: (any Error).self) {
                _ = try await MosquittoCLI.Subscriber(port: broker.port, topic: "chat/#", credentials: ("chat-engine", "engine-pw"))
            }
            await #expect(throws: (any Error).self) {
                _ = try await MosquittoCLI.Subscriber(port: broker.ports[1], topic: "chat/#", credentials: ("alice", "alice-pw"))
            }
            let carol = try await ChatClient(userId: "carol", port: broker.port, password: "carol-pw")
            let reply = try await carol.request("chat/rooms/create", ["name": "still served"])
            #expect(reply.status == "room_created")
            #expect(!broker.log.contains("Client chat-engine"), "a session was taken over: \(broker.log.suffix(600))")
            #expect(harness.engine.inbound.reconnectCount == 0 && harness.engine.outbound.reconnectCount == 0)
            #expect(intruders.allSatisfy { !$0.hasExited })
        }
    }

    @Test func addUserRefusesTheEnginesReservedNames() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try await Broker.addUser("chat-engine-out", "x", in: directory) == 2)
        #expect(try await Broker.addUser("chat-engine2", "x", in: directory) == 2)
        #expect(try await Broker.addUser("chat-engine", "x", in: directory) == 0)
        let engine = try String(contentsOf: directory.appendingPathComponent("engine-passwd"), encoding: .utf8)
        #expect(engine.hasPrefix("chat-engine:"))
    }

    /// add-user on an existing user changes its password, and fails (rather than claiming success) when
    /// the broker refuses the admin's login: mosquitto_ctrl itself exits 0 either way.
    @Test func addUserChangesPasswordsAndReportsARefusedAdmin() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("shipped-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let broker = try await Broker.shipped(users: [("alice", "old-pw")], enginePassword: "engine-pw", in: folder)
        defer { broker.stop() }
        #expect(try await Broker.addUser("alice", "new-pw", in: folder, port: broker.port) == 0)
        _ = try await ChatClient(userId: "alice", port: broker.port, password: "new-pw")
        await #expect(throws: (any Error).self) {
            _ = try await ChatClient(userId: "alice", port: broker.port, password: "old-pw")
        }
        #expect(try await Broker.addUser("bob", "pw", in: folder, port: broker.port, adminPassword: "wrong") != 0)
        await #expect(throws: (any Error).self) {
            _ = try await ChatClient(userId: "bob", port: broker.port, password: "pw")
        }
    }
}
