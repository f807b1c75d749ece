import EngineTesting
import Foundation
import Logging
import MQTT
import Synchronization
import Wire

/// A chat user for tests: an MQTT 5 session subscribed to its own inbox, with helpers to send requests
/// and wait for replies and events. The broker mode's `TestUser` (the helpers `createRoom`, `join`,
/// `say`, `events` and JSON's `status`/`errorCode` come from EngineTesting).
final class ChatClient: TestUser {
    let userId: String
    let token: String
    let client: MQTTClient
    private let inbox = Received()
    private let requestCounter = Atomic<Int>(0)

    init(
        userId: String, port: Int, secret: String = EngineHarness.secret, name: String? = nil, admin: Bool = false,
        password: String? = nil, subscribeTo filter: String? = nil
    ) async throws {
        self.userId = userId
        let now = Date().timeIntervalSince1970
        token = try TokenSigner(secret: secret).sign(
            TokenClaims(sub: userId, exp: now + 3600, name: name, role: admin ? "admin" : nil))
        let inbox = self.inbox
        client = try MQTTClient(
            configuration: MQTTConfiguration(
                port: port, clientID: "test-\(userId)-\(UUID().uuidString.prefix(8))",
                username: password == nil ? nil : userId, password: password),
            logger: { var logger = Logger(label: "test-client"); logger.logLevel = .warning; return logger }(),
            onMessage: { message in
                let json = (try? JSONParser.parse(message.payload)) ?? .null
                // A room topic carries an array of events in seq order: each is kept as if it came alone.
                let events = message.topic.hasPrefix("chat/room/") ? (json.arrayValue ?? [json]) : [json]
                inbox.messages.withLock { $0.append(contentsOf: events.map { (message.topic, $0) }) }
                if message.topic.hasPrefix("chat/room/") {
                    inbox.roomTopicPublishes.add(1, ordering: .relaxed)
                    if json.arrayValue == nil { inbox.roomTopicNonArrays.add(1, ordering: .relaxed) }
                }
            })
        try await client.connect(subscriptions: [MQTTSubscription(filter: filter ?? "chat/user/\(userId)/#", qos: 1)])
    }

    deinit { client.disconnect() }

    /// Publishes a request with this user's token and a fresh request id; returns the request id.
    @discardableResult
    func send(_ topic: String, _ fields: [String: JSONValue] = [:], requestId: String? = nil, withToken: Bool = true) throws -> String {
        let id = requestId ?? "\(userId)-\(requestCounter.add(1, ordering: .relaxed).newValue)"
        var payload = fields
        if withToken { payload["token"] = .string(token) }
        payload["request_id"] = .string(id)
        try client.publish(topic: topic, payload: JSONValue.object(payload).serialized(), qos: 1)
        return id
    }

    /// Sends a request and waits for its reply.
    func request(_ topic: String, _ fields: [String: JSONValue] = [:], timeout: Double = 10) async throws -> JSONValue {
        let id = try send(topic, fields)
        return try await reply(to: id, timeout: timeout)
    }

    /// The reply carrying `requestId`.
    func reply(to requestId: String, timeout: Double = 10) async throws -> JSONValue {
        try await waitFor(timeout: timeout, "reply to \(requestId)") { topic, json in
            topic.hasSuffix("/responses") && json["request_id"]?.stringValue == requestId
        }
    }

    /// The first inbox message (any topic of this user) matching `predicate`, waiting up to `timeout`.
    func waitFor(
        timeout: Double = 10, _ what: String, _ predicate: @escaping (String, JSONValue) -> Bool
    ) async throws -> JSONValue {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let snapshot = inbox.messages.withLock { $0 }
            if let found = snapshot.first(where: { predicate($0.topic, $0.json) }) { return found.json }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("\(userId) timed out waiting for \(what)")
    }

    /// The first event of `type` on the messages topic matching `predicate`.
    func event(_ type: String, timeout: Double = 10, where predicate: @escaping (JSONValue) -> Bool = { _ in true }) async throws -> JSONValue {
        try await waitFor(timeout: timeout, "event \(type)") { topic, json in
            topic.hasSuffix("/messages") && json["type"]?.stringValue == type && predicate(json)
        }
    }

    /// Waits until `condition` holds.
    func waitUntil(timeout: Double = 10, _ what: String, _ condition: @escaping () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else { throw TestFailure("\(userId) timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Subscribes to one more topic (a room topic, say) and waits for the broker's answer.
    func follow(_ topic: String) async {
        await client.subscribe(MQTTSubscription(filter: topic, qos: 1))
    }

    /// Stops following a topic.
    func unfollow(_ topic: String) {
        client.unsubscribe(topic)
    }

    /// MQTT messages received so far on room topics (each holds one or more events).
    var roomTopicPublishes: Int { inbox.roomTopicPublishes.load(ordering: .relaxed) }

    /// Room-topic payloads received so far that were not JSON arrays.
    var roomTopicNonArrays: Int { inbox.roomTopicNonArrays.load(ordering: .relaxed) }

    /// Events of `type` received so far on room topics (`chat/room/…`), in arrival order.
    func roomEvents(_ type: String) -> [JSONValue] {
        inbox.messages.withLock { messages in
            messages.filter { $0.topic.hasPrefix("chat/room/") && $0.json["type"]?.stringValue == type }.map(\.json)
        }
    }

    /// Everything received so far in the inbox's `messages` and on room topics, in arrival order: the
    /// events of either fan-out mode.
    func roomAndInboxEvents() -> [JSONValue] {
        inbox.messages.withLock { messages in
            messages.filter { $0.topic.hasSuffix("/messages") || $0.topic.hasPrefix("chat/room/") }.map(\.json)
        }
    }

    /// Everything received so far, one entry per event (a room-topic array counts each), in arrival order.
    func arrivals() -> [(topic: String, json: JSONValue)] {
        inbox.messages.withLock { $0 }
    }

    /// Everything received so far on `topicSuffix` (e.g. "/messages").
    func received(on topicSuffix: String) -> [JSONValue] {
        inbox.messages.withLock { $0.filter { $0.topic.hasSuffix(topicSuffix) }.map(\.json) }
    }

    /// Every message of `type` on any topic so far.
    func count(where predicate: (String, JSONValue) -> Bool) -> Int {
        inbox.messages.withLock { $0.filter { predicate($0.topic, $0.json) }.count }
    }
}

/// What a test client has received, in arrival order.
final class Received: Sendable {
    let messages = Mutex<[(topic: String, json: JSONValue)]>([])
    /// MQTT messages received on room topics, each an array of one or more events.
    let roomTopicPublishes = Atomic<Int>(0)
    /// Room-topic payloads that were not JSON arrays (the protocol allows none).
    let roomTopicNonArrays = Atomic<Int>(0)
}
