import Foundation
import Testing
import Wire

/// The shipped deploy/mosquitto ACL with a real broker: nobody reads or writes another user's inbox.
@Suite(.timeLimit(.minutes(1)))
struct BrokerACLTests {
    /// A broker configured like production: password file, the shipped ACL, no anonymous access.
    static func productionBroker() throws -> Broker {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("acl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let passwd = directory.appendingPathComponent("passwd").path
        let addUser = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../deploy/mosquitto/add-user").standardized.path
        for (user, password) in [("chat-engine", "engine-pw"), ("alice", "alice-pw"), ("bob", "bob-pw")] {
            let child = try ChildProcess(
                path: "/bin/bash", arguments: [addUser, user, password],
                environment: ProcessInfo.processInfo.environment.merging(["CHAT_PASSWD_FILE": passwd]) { $1 })
            #expect(child.wait() == 0)
        }
        // Copied next to the password file: mosquitto reads it after dropping root to its own user, who may
        // not be allowed into the checkout (a clone under `mktemp -d` is 0700).
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../deploy/mosquitto/acl").standardized
        let acl = directory.appendingPathComponent("acl").path
        try FileManager.default.copyItem(atPath: shipped.path, toPath: acl)
        return try Broker(extraConfig: "allow_anonymous false\npassword_file \(passwd)\nacl_file \(acl)\n")
    }

    @Test func usersReachOnlyTheirOwnInbox() async throws {
        let broker = try Self.productionBroker()
        let harness = try await EngineHarness(broker: broker) {
            $0.mqttUsername = "chat-engine"
            $0.mqttPassword = "engine-pw"
        }
        do {
            let alice = try await ChatClient(userId: "alice", port: broker.port, password: "alice-pw")
            let bob = try await ChatClient(userId: "bob", port: broker.port, password: "bob-pw")
            // Alice tries to read Bob's inbox: the broker refuses the subscription silently.
            let spy = try await ChatClient(userId: "alice", port: broker.port, password: "alice-pw", subscribeTo: "chat/user/bob/#")

            let roomId = try await alice.createRoom(joinedBy: [bob])
            _ = try await alice.say(roomId, "only members see this")
            _ = try await bob.event("text") { $0["content"]?.stringValue == "only members see this" }

            // Alice forges an event into Bob's inbox: it reaches nobody.
            try alice.client.publish(topic: "chat/user/bob/messages", payload: Array(#"{"type":"text","content":"forged"}"#.utf8))
            try await Task.sleep(for: .milliseconds(300))
            #expect(bob.received(on: "/messages").allSatisfy { $0["content"]?.stringValue != "forged" })
            #expect(spy.received(on: "/messages").isEmpty)
            #expect(spy.received(on: "/responses").isEmpty)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}
