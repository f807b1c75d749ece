import Foundation
import Logging
import MQTT
import Testing
import Wire

/// SPEC §3: replies go to the MQTT 5 Response Topic only inside the user's own prefix.
@Suite(.timeLimit(.minutes(1)))
struct ReplyTopicTests {
    @Test func responseTopicInsideOwnPrefixIsUsedWithCorrelationData() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let payload = JSONValue.object(["token": .string(alice.token), "name": "r", "request_id": "rt1"]).serialized()
            try await publishV5(port: engine.port, topic: "chat/rooms/create", payload: payload,
                          responseTopic: "chat/user/alice/custom/replies", correlation: [1, 2, 3])
            let reply = try await alice.waitFor("custom reply") { topic, json in
                topic == "chat/user/alice/custom/replies" && json["request_id"]?.stringValue == "rt1"
            }
            #expect(reply.status == "room_created")
            #expect(alice.count { topic, _ in topic.hasSuffix("/responses") } == 0)
        }
    }

    @Test func responseTopicOutsideOwnPrefixFallsBackToResponses() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let payload = JSONValue.object(["token": .string(alice.token), "name": "r", "request_id": "rt2"]).serialized()
            try await publishV5(port: engine.port, topic: "chat/rooms/create", payload: payload,
                          responseTopic: "chat/user/bob/stolen", correlation: nil)
            let reply = try await alice.reply(to: "rt2")
            #expect(reply.status == "room_created")
            try await Task.sleep(for: .milliseconds(200))
            #expect(bob.count { topic, _ in topic.hasSuffix("/stolen") } == 0)
        }
    }
}

extension ReplyTopicTests {
    @Test func tokenInAuthorizationUserPropertyIdentifiesTheUser() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let payload = JSONValue.object(["name": "r", "request_id": "up1"]).serialized()
            try await publishV5(port: engine.port, topic: "chat/rooms/create", payload: payload,
                          userProperties: [MQTTUserProperty(name: "authorization", value: "Bearer \(alice.token)")])
            #expect(try await alice.reply(to: "up1").status == "room_created")
        }
    }
}

/// Publishes one MQTT 5 message with properties from a throwaway session.
func publishV5(
    port: Int, topic: String, payload: [UInt8], responseTopic: String? = nil, correlation: [UInt8]? = nil,
    userProperties: [MQTTUserProperty] = []
) async throws {
    let client = try MQTTClient(
        configuration: MQTTConfiguration(port: port, clientID: "pub-\(UUID().uuidString.prefix(8))"),
        logger: { var logger = Logger(label: "pub"); logger.logLevel = .warning; return logger }(), onMessage: { _ in })
    try await client.connect()
    try client.publish(topic: topic, payload: payload, qos: 1, responseTopic: responseTopic,
                       correlationData: correlation, userProperties: userProperties)
    _ = await client.flush(timeout: 2)
    client.disconnect()
}
