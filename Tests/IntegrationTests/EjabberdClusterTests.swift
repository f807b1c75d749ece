@testable import Engine
import Foundation
import Testing
import Wire

/// The engine on a two-node ejabberd cluster (mod_mqtt, `deploy/ejabberd/ejabberd.yml` as shipped): the
/// engine holds its session on node 1, users connect to node 2, and the cluster carries everything
/// between them. Run by `scripts/test-cluster`, which installs ejabberd. One test at a time: each
/// cluster is two Erlang VMs, and a two-core machine runs one cluster well, not three.
@Suite(.enabled(if: EjabberdCluster.isEnabled, "set CHAT_TEST_EJABBERD=1 (scripts/test-cluster)"), .serialized, .timeLimit(.minutes(3)))
struct EjabberdClusterTests {
    static let password = "user-secret"

    /// A user logged in to `port` with their own account (the shipped ACL lets them read their inbox only).
    func user(_ id: String, port: Int) async throws -> ChatClient {
        try await ChatClient(userId: id, port: port, password: Self.password)
    }

    @Test func usersOnTheSecondNodeChatThroughAnEngineOnTheFirst() async throws {
        let cluster = try await EjabberdCluster()
        defer { cluster.stop() }
        for id in ["alice", "bob", "carol"] { try await cluster.register(id, password: Self.password) }
        let (node1, node2) = (cluster.ports[0], cluster.ports[1])
        try await withEngineOnEjabberd(port: node1) { _ in
            let alice = try await user("alice", port: node2)
            let bob = try await user("bob", port: node2)
            let carol = try await user("carol", port: node1)
            let roomId = try await alice.createRoom("across", joinedBy: [bob, carol])

            // 200 messages from a node-2 user reach members on both nodes whole, once and in seq order.
            for i in 0..<200 { try alice.send("chat/message/\(roomId)", ["content": .string("m\(i)")]) }
            for member in [alice, bob, carol] {
                try await member.waitUntil(timeout: 30, "200 messages") { member.events("text").count >= 200 }
                let seen = member.events("text")
                #expect(seen.compactMap { $0["content"]?.stringValue } == (0..<200).map { "m\($0)" })
                let seqs = seen.compactMap { $0["seq"]?.intValue }
                #expect(seqs == seqs.sorted() && Set(seqs).count == 200)
            }

            // A direct message between nodes, with the recipient's notification.
            #expect(try await carol.request("chat/private/bob", ["content": "psst"]).status == "private_message_sent")
            _ = try await bob.event("text") { $0["content"]?.stringValue == "psst" }
            _ = try await bob.waitFor("notification") { topic, json in
                topic == "chat/user/bob/notifications" && json["type"]?.stringValue == "private_message"
            }
            #expect(try await bob.request("chat/history/\(roomId)", ["limit": 5])["messages"]?.arrayValue?.count == 5)
        }
    }

    @Test func theShippedRulesKeepUsersOutOfOtherInboxesAndTheEngineTopics() async throws {
        let cluster = try await EjabberdCluster()
        defer { cluster.stop() }
        for id in ["alice", "mallory"] { try await cluster.register(id, password: Self.password) }
        let node2 = cluster.ports[1]
        try await withEngineOnEjabberd(port: cluster.ports[0]) { _ in
            let alice = try await user("alice", port: node2)
            // The broker refuses the spies' subscriptions (SUBACK "not authorized"), so nothing reaches them.
            let spies = [
                try await ChatClient(userId: "mallory", port: node2, password: Self.password, subscribeTo: "chat/user/alice/#"),
                try await ChatClient(userId: "mallory", port: node2, password: Self.password, subscribeTo: "#"),
            ]
            // A wrong password is refused at connect.
            await #expect(throws: (any Error).self) {
                _ = try await ChatClient(userId: "alice", port: node2, password: "wrong")
            }
            // A forged event in Alice's inbox never arrives; her requests still do.
            let mallory = try await user("mallory", port: node2)
            try mallory.client.publish(topic: "chat/user/alice/messages", payload: Array(#"{"type":"text","content":"forged"}"#.utf8), qos: 1)
            #expect(try await alice.request("chat/rooms/create", ["name": "after"]).status == "room_created")
            #expect(try await alice.request("chat/private/mallory", ["content": "hi"]).status == "private_message_sent")
            _ = try await mallory.event("text") { $0["content"]?.stringValue == "hi" }
            for spy in spies { #expect(spy.count { _, _ in true } == 0) }
            #expect(alice.events("text").allSatisfy { $0["content"]?.stringValue != "forged" })
        }
    }

    @Test func theEngineMovesToTheSecondNodeWhenTheFirstDies() async throws {
        let cluster = try await EjabberdCluster()
        defer { cluster.stop() }
        for id in ["alice", "bob"] { try await cluster.register(id, password: Self.password) }
        let (node1, node2) = (cluster.ports[0], cluster.ports[1])
        try await withEngineOnEjabberd(port: node1, hosts: "127.0.0.1:\(node1),127.0.0.1:\(node2)") { harness in
            let alice = try await user("alice", port: node2)
            let bob = try await user("bob", port: node2)
            let roomId = try await alice.createRoom("survivors", joinedBy: [bob])
            #expect(try await alice.say(roomId, "warm-up").status == "message_sent")

            // Node 1 dies with the engine's session on it right after Alice's 10th message, so some of her
            // requests are in flight through a node that is gone.
            let ids = (0..<30).map { "m\($0)" }
            func send(_ id: String) throws { try alice.send("chat/message/\(roomId)", ["content": .string(id)], requestId: id) }
            for id in ids.prefix(10) { try send(id) }
            let killedAt = ContinuousClock.now
            try await cluster.kill(node: 1)
            // How long users wait: Bob asks until the engine, now on node 2, answers.
            var probe: JSONValue?
            while probe == nil, ContinuousClock.now - killedAt < .seconds(30) {
                try bob.send("chat/rooms/list", requestId: "probe")
                probe = try? await bob.reply(to: "probe", timeout: 0.25)
            }
            let failover = ContinuousClock.now - killedAt
            print("ejabberd failover: the engine answered again \(failover) after node 1 died")
            #expect(probe?.status != nil && failover < .seconds(30))
            for id in ids.dropFirst(10) { try send(id) }
            // A client that heard nothing retries with the same request_id; every request is answered
            // within 30 s of the failure, and none is applied twice.
            for id in ids {
                var reply = try? await alice.reply(to: id, timeout: 0.5)
                while reply == nil, ContinuousClock.now - killedAt < .seconds(30) {
                    try send(id)
                    reply = try? await alice.reply(to: id, timeout: 1)
                }
                #expect(reply?.status == "message_sent", "\(id) answered within 30 s of node 1 dying")
            }
            #expect(harness.engine.inbound.broker.port == node2)
            #expect(harness.engine.outbound.broker.port == node2)

            let history = try await bob.request("chat/history/\(roomId)", ["limit": 100])
            let contents = history["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } ?? []
            let applied = contents.filter { $0.hasPrefix("m") }
            #expect(applied.count == ids.count && Set(applied) == Set(ids), "each request applied once: \(applied)")
            // Members on node 2 get the events of the requests applied after the move.
            try await bob.waitUntil(timeout: 10, "every message event") {
                Set(bob.events("text").compactMap { $0["content"]?.stringValue }).isSuperset(of: ids.suffix(10))
            }
        }
    }
}

/// Runs `body` against an in-process engine logged in to ejabberd as `chat-engine` at `port` (or at
/// every broker of `hosts`, in order).
private func withEngineOnEjabberd(port: Int, hosts: String? = nil, _ body: (EngineHarness) async throws -> Void) async throws {
    try await withHarness({
        try await EngineHarness(externalPort: port) {
            $0.mqttUsername = "chat-engine"
            $0.mqttPassword = EjabberdCluster.enginePassword
            if let hosts { $0.mqttHost = hosts }
        }
    }, body)
}
