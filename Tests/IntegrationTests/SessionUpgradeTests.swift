import Foundation
import Logging
import MQTT
import Testing
import Wire

/// The engine's inbound session is persistent, so what an earlier version subscribed outlives it.
@Suite(.timeLimit(.minutes(1)))
struct SessionUpgradeTests {
    @Test func anUpgradeServesWhatWasQueuedOnceAndBringsNoSecondCopies() async throws {
        let broker = try await Broker()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("data-\(UUID().uuidString)").path
        let first = EngineProcess(port: broker.port, dataDirectory: directory)
        try await first.start()
        let alice = try await ChatClient(userId: "alice", port: broker.port)
        let bob = try await ChatClient(userId: "bob", port: broker.port)
        let roomId = try await alice.createRoom(joinedBy: [bob])
        #expect(first.stop() == 0)

        // The session an earlier version left: chat/# (QoS 0, identifier 100000) and message/{room_id}'s own
        // filter (QoS 1, identifier 7), as it was before the catch-all took over the QoS 1 routes.
        let clientID = "engine-\(UUID().uuidString.prefix(8))"
        var logger = Logger(label: "old-engine")
        logger.logLevel = .critical
        let old = try MQTTClient(
            configuration: MQTTConfiguration(port: broker.port, clientID: clientID, cleanStart: false, sessionExpiry: 3600),
            logger: logger, onMessage: { _ in })
        try await old.connect(subscriptions: [
            MQTTSubscription(filter: "chat/#", qos: 0, identifier: 100_000, noLocal: true),
            MQTTSubscription(filter: "chat/message/+", qos: 1, identifier: 7),
        ])
        old.disconnect()
        // Sent while no engine runs: the broker queues it for that session.
        let queued = try alice.send("chat/message/\(roomId)", ["content": "queued"])

        let upgraded = EngineProcess(port: broker.port, dataDirectory: directory, clientID: clientID)
        try await upgraded.start()
        #expect(try await alice.reply(to: queued, timeout: 10).status == "message_sent")
        let live = try alice.send("chat/message/\(roomId)", ["content": "live"])
        #expect(try await alice.reply(to: live).status == "message_sent")
        _ = try await bob.event("text") { $0["content"]?.stringValue == "live" }
        try await Task.sleep(for: .milliseconds(500))
        for requestId in [queued, live] {
            #expect(alice.count { topic, json in topic.hasSuffix("/responses") && json["request_id"]?.stringValue == requestId } == 1)
        }
        for content in ["queued", "live"] {
            #expect(bob.count { _, json in json["content"]?.stringValue == content } == 1)
        }
        upgraded.stop()
        broker.stop()
    }
}
