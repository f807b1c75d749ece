import Foundation
import Logging
import MQTT
import Testing
import Wire

/// The engine's inbound session is persistent, so subscriptions an earlier version made outlive it.
@Suite(.timeLimit(.minutes(1)))
struct SessionUpgradeTests {
    @Test func filtersAnEarlierVersionLeftInTheSessionBringNoSecondCopies() async throws {
        let broker = try Broker()
        let clientID = "engine-\(UUID().uuidString.prefix(8))"
        // What the previous version subscribed: chat/# (identifier 100000) and message/{room_id}'s own filter.
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

        let harness = try await EngineHarness(broker: broker) { $0.clientID = clientID }
        do {
            let alice = try await harness.user("alice")
            let bob = try await harness.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            let requestId = try alice.send("chat/message/\(roomId)", ["content": "once"])
            _ = try await alice.reply(to: requestId)
            _ = try await bob.event("text") { $0["content"]?.stringValue == "once" }
            try await Task.sleep(for: .milliseconds(500))
            #expect(alice.count { topic, json in topic.hasSuffix("/responses") && json["request_id"]?.stringValue == requestId } == 1)
            #expect(bob.count { _, json in json["content"]?.stringValue == "once" } == 1)
            #expect(alice.count { _, json in json["content"]?.stringValue == "once" } == 1)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}
