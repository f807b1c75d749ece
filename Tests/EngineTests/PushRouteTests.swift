import Actors
@testable import Engine
import Foundation
import Logging
import Testing
import Wire

/// `chat/push/register` and `unregister` and what gets queued for the webhook, through the request core
/// without a broker (the webhook's sender is not running: the queue is looked at directly).
struct PushRouteTests {
    static let secret = "push-route-secret-0123456789abcdef-0123"
    static let logger = Logger(label: "push") { _ in SwiftLogNoOpLogHandler() }
    let signer: TokenSigner
    let outbox = RecordingOutbox(keepPayloads: true)
    let core: EngineCore

    init() throws {
        signer = try TokenSigner(secret: Self.secret)
        var configuration = EngineConfiguration(jwtSecret: Array(Self.secret.utf8), dataDirectory: nil, rateLimit: 0)
        configuration.limits.pushDevicesPerUser = 3
        configuration.push = PushConfiguration(webhookURL: "http://127.0.0.1:9/push", webhookSecret: "s")
        core = try EngineCore(configuration: configuration, logger: Self.logger, outbox: outbox, changeLog: VolatileChangeLog())
    }

    /// Sends one request and returns its reply.
    @discardableResult
    func request(_ user: String, _ topic: String, _ fields: [String: JSONValue] = [:]) async throws -> JSONValue {
        let requestId = UUID().uuidString
        var payload = fields
        payload["token"] = .string(signer.sign(TokenClaims(sub: user, exp: Date().timeIntervalSince1970 + 3600)))
        payload["request_id"] = .string(requestId)
        await core.handle(InboundRequest(topic: topic, payload: JSONValue.object(payload).serialized(), credentials: .payloadOnly))
        let reply = outbox.published.withLock { published in
            published.last { $0.topic == "chat/user/\(user)/responses" }?.payload
        }
        let parsed = try JSONParser.parse(try #require(reply))
        #expect(parsed["request_id"]?.stringValue == requestId)
        return parsed
    }

    static func device(_ id: String, platform: String = "fcm") -> [String: JSONValue] {
        ["device_id": .string(id), "platform": .string(platform), "push_token": .string("token-\(id)"), "app_id": "com.example.chat"]
    }

    @Test func registerReplaceAndUnregister() async throws {
        let first = try await request("bob", "chat/push/register", Self.device("phone", platform: "apns"))
        #expect(first["status"]?.stringValue == "push_registered")
        #expect(first["device_id"]?.stringValue == "phone" && first["platform"]?.stringValue == "apns")
        #expect(first["devices"]?.intValue == 1)
        // The same device again replaces it (a renewed token): still one.
        var renewed = Self.device("phone", platform: "apns")
        renewed["push_token"] = "renewed"
        #expect(try await request("bob", "chat/push/register", renewed)["devices"]?.intValue == 1)
        #expect(core.services.push.devices.devices(of: "bob").map(\.pushToken) == ["renewed"])
        #expect(try await request("bob", "chat/push/register", Self.device("laptop", platform: "webpush"))["devices"]?.intValue == 2)

        let removed = try await request("bob", "chat/push/unregister", ["device_id": "phone"])
        #expect(removed["status"]?.stringValue == "push_unregistered" && removed["devices"]?.intValue == 1)
        let again = try await request("bob", "chat/push/unregister", ["device_id": "phone"])
        #expect(again["error"]?["code"]?.stringValue == "not_found")
        // Another user's devices are theirs alone.
        #expect(try await request("carol", "chat/push/unregister", ["device_id": "laptop"])["error"]?["code"]?.stringValue == "not_found")
        #expect(core.services.push.devices.devices(of: "bob").map(\.deviceId) == ["laptop"])
    }

    @Test func invalidRegistrationsAreRefusedWithStableCodes() async throws {
        var cases: [([String: JSONValue], String)] = []
        for (key, value) in [
            ("device_id", JSONValue.string("")), ("device_id", "has space"), ("device_id", .string(String(repeating: "d", count: 65))),
            ("device_id", 7), ("platform", "sms"), ("platform", "APNS"), ("push_token", ""), ("push_token", "   "),
            ("push_token", .string(String(repeating: "t", count: 4097))), ("app_id", ""), ("app_id", .string(String(repeating: "a", count: 257))),
        ] {
            var fields = Self.device("phone")
            fields[key] = value
            cases.append((fields, "\(key)=\(value)"))
        }
        for key in ["device_id", "platform", "push_token", "app_id"] {
            var fields = Self.device("phone")
            fields[key] = nil
            cases.append((fields, "no \(key)"))
        }
        for (fields, what) in cases {
            let reply = try await request("bob", "chat/push/register", fields)
            #expect(reply["error"]?["code"]?.stringValue == "validation_failed", "\(what)")
        }
        #expect(try await request("bob", "chat/push/unregister")["error"]?["code"]?.stringValue == "validation_failed")
        #expect(core.services.push.devices.devices(of: "bob").isEmpty)
        // The longest accepted values pass.
        var longest = Self.device(String(repeating: "d", count: 64))
        longest["push_token"] = .string(String(repeating: "t", count: 4096))
        longest["app_id"] = .string(String(repeating: "a", count: 256))
        #expect(try await request("bob", "chat/push/register", longest)["status"]?.stringValue == "push_registered")
    }

    @Test func devicesPerUserAreBounded() async throws {
        for index in 1...3 {
            #expect(try await request("bob", "chat/push/register", Self.device("d\(index)"))["devices"]?.intValue == index)
        }
        let fourth = try await request("bob", "chat/push/register", Self.device("d4"))
        #expect(fourth["error"]?["code"]?.stringValue == "forbidden")
        // Re-registering one already there is not a new device.
        #expect(try await request("bob", "chat/push/register", Self.device("d2"))["status"]?.stringValue == "push_registered")
        try await request("bob", "chat/push/unregister", ["device_id": "d1"])
        #expect(try await request("bob", "chat/push/register", Self.device("d4"))["status"]?.stringValue == "push_registered")
    }

    /// A DM, an @mention and an invitation queue pushes for a user who is not online and has a device;
    /// none is queued for an online user, nor for a user without devices.
    @Test func notificationsOfUsersWhoAreNotOnlineAreQueued() async throws {
        try await request("bob", "chat/push/register", Self.device("phone"))
        try await request("carol", "chat/push/register", Self.device("tablet"))
        try await request("carol", "chat/presence/online")
        let room = try #require(try await request("alice", "chat/rooms/create", ["name": "r", "type": "private"])["room_id"]?.stringValue)
        for user in ["bob", "carol", "dave"] {
            try await request("alice", "chat/rooms/invite/\(room)", ["user_id": .string(user)])
            try await request(user, "chat/rooms/join/\(room)")
        }
        try await request("alice", "chat/private/bob", ["content": "hi bob"])
        try await request("alice", "chat/private/carol", ["content": "hi carol"])
        try await request("alice", "chat/private/dave", ["content": "hi dave"])
        try await request("alice", "chat/message/\(room)", ["content": "@bob @carol @dave look"])

        let pending = core.services.push.pending
        #expect(Set(pending.map(\.userId)) == ["bob"])
        let kinds = try pending.map { try JSONParser.parse($0.body)["notification"]?["type"]?.stringValue }
        #expect(kinds == ["room_invited", "private_message", "mention"])
        let first = try JSONParser.parse(pending[0].body)
        #expect(first["user_id"]?.stringValue == "bob" && first["push_id"]?.stringValue == pending[0].id)
        #expect(first["devices"]?.arrayValue?.first?["device_id"]?.stringValue == "phone")
    }

    /// Without a webhook URL the routes still keep devices, and nothing is queued.
    @Test func withoutAWebhookNothingIsQueued() async throws {
        let configuration = EngineConfiguration(jwtSecret: Array(Self.secret.utf8), dataDirectory: nil, rateLimit: 0)
        let plain = try EngineCore(configuration: configuration, logger: Self.logger, outbox: RecordingOutbox(), changeLog: VolatileChangeLog())
        #expect(plain.services.push.queue == nil)
        plain.services.push.offer(Array("{}".utf8), to: "bob", now: 0)
        #expect(plain.services.push.pending.isEmpty)
    }

    @Test func aWebhookURLNeedsASecretAndHTTP() throws {
        for push in [PushConfiguration(webhookURL: "http://127.0.0.1:9/"), PushConfiguration(webhookURL: "https://gw/", webhookSecret: "s")] {
            var configuration = EngineConfiguration(jwtSecret: Array(Self.secret.utf8), dataDirectory: nil)
            configuration.push = push
            #expect(throws: ConfigurationError.self) {
                _ = try EngineCore(configuration: configuration, logger: Self.logger, outbox: RecordingOutbox(), changeLog: VolatileChangeLog())
            }
        }
    }
}
