import Engine
import Foundation
import Logging
import Prometheus
import Testing
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// Push (SPEC §11) through a real mosquitto: notifications for users who are not online are POSTed to a
/// webhook of the test's own, signed; failures are retried until the target recovers; the queue's bound
/// drops the oldest and `/metrics` counts it; pending pushes survive a restart, kill -9 included.
@Suite(.timeLimit(.minutes(2)))
struct PushWebhookTests {
    static let secret = "webhook-secret-for-tests"

    static func device(_ id: String, platform: String = "fcm") -> [String: JSONValue] {
        ["device_id": .string(id), "platform": .string(platform), "push_token": .string("token-\(id)"), "app_id": "com.example.chat"]
    }

    /// An engine whose webhook is `receiver` (not started: the test starts it when it wants the target
    /// up), retrying after 0.2 s, 0.4 s, … so failures and recoveries take well under a second, with
    /// `/metrics` on a port of its own.
    func withPushEngine(
        _ receiver: WebhookReceiver, _ configure: @escaping (inout EngineConfiguration) -> Void = { _ in },
        _ body: (EngineHarness, HTTPProbe) async throws -> Void
    ) async throws {
        do {
            try await withOperations({ configuration in
                configuration.push = PushConfiguration(
                    webhookURL: receiver.url, webhookSecret: Self.secret, timeout: 5, retryDelay: 0.2, maxRetryDelay: 1)
                configure(&configuration)
            }, body)
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }

    @Test func notificationsOfAnOfflineUserArePostedInOrderWithAVerifiableSignature() async throws {
        let receiver = WebhookReceiver(port: try Broker.freePort(), secret: Self.secret)
        try await receiver.start()
        try await withPushEngine(receiver) { engine, http in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            #expect(try await bob.request("chat/push/register", Self.device("phone", platform: "apns")).status == "push_registered")
            #expect(try await bob.request("chat/push/register", Self.device("browser", platform: "webpush")).status == "push_registered")

            #expect(try await alice.request("chat/private/bob", ["content": "hello bob"]).status == "private_message_sent")
            let roomId = try await alice.createRoom("secret", ["type": "private"])
            #expect(try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "bob"]).status == "invited")
            try await bob.join(roomId)
            _ = try await alice.say(roomId, "@bob have a look")

            let pushes = try await receiver.waitForAccepted(3)
            #expect(pushes.count == 3)
            #expect(pushes.map { $0.json["notification"]?["type"]?.stringValue } == ["private_message", "room_invited", "mention"])
            for push in pushes {
                #expect(receiver.verify(push), "signature \(push.signature ?? "none")")
                #expect(push.json["user_id"]?.stringValue == "bob")
                #expect(push.pushId != nil && push.json["push_id"]?.stringValue == push.pushId)
                let devices = push.json["devices"]?.arrayValue ?? []
                #expect(devices.map { $0["device_id"]?.stringValue } == ["phone", "browser"])
                #expect(devices.map { $0["platform"]?.stringValue } == ["apns", "webpush"])
                #expect(devices.first?["push_token"]?.stringValue == "token-phone")
            }
            #expect(pushes[0].json["notification"]?["message"]?["content"]?.stringValue == "hello bob")
            // The notification in the push is the one the notifications topic carried.
            let published = try await bob.waitFor("the notification") { topic, json in
                topic.hasSuffix("/notifications") && json["type"]?.stringValue == "private_message"
            }
            #expect(published == pushes[0].json["notification"])

            let metrics = try await http.waitForMetrics("3 pushes sent") { $0.value("chat_push_sent_total") == 3 }
            #expect(metrics.value("chat_push_pending") == 0)
            #expect(metrics.value("chat_push_failed_total") == 0)
        }
    }

    @Test func anOnlineUserGetsNoPush() async throws {
        let receiver = WebhookReceiver(port: try Broker.freePort(), secret: Self.secret)
        try await receiver.start()
        try await withPushEngine(receiver) { engine, _ in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let carol = try await engine.user("carol")
            _ = try await bob.request("chat/push/register", Self.device("phone"))
            _ = try await carol.request("chat/push/register", Self.device("phone"))
            #expect(try await bob.request("chat/presence/online").status == "online")

            _ = try await alice.request("chat/private/bob", ["content": "you are here"])
            _ = try await alice.request("chat/private/carol", ["content": "you are not"])
            try await receiver.waitForAccepted(1)
            try await Task.sleep(for: .milliseconds(300))
            #expect(receiver.accepted.map { $0.json["user_id"]?.stringValue } == ["carol"])

            // Away is not online: bob's next notification is pushed.
            #expect(try await bob.request("chat/presence/away").status == "away")
            _ = try await alice.request("chat/private/bob", ["content": "now you are away"])
            let pushes = try await receiver.waitForAccepted(2)
            #expect(pushes[1].json["user_id"]?.stringValue == "bob")
            #expect(pushes[1].json["notification"]?["message"]?["content"]?.stringValue == "now you are away")
        }
    }

    /// The target refuses connections, then answers 500 twice, then 200: the push arrives, once.
    @Test func aTargetThatFailsThenRecoversGetsThePush() async throws {
        let receiver = WebhookReceiver(port: try Broker.freePort(), secret: Self.secret, failFirst: 2)
        try await withPushEngine(receiver) { engine, http in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            _ = try await bob.request("chat/push/register", Self.device("phone"))
            _ = try await alice.request("chat/private/bob", ["content": "are you there?"])
            _ = try await http.waitForMetrics("refused attempts") { $0.value("chat_push_failed_total") >= 2 }
            try await receiver.start()

            let pushes = try await receiver.waitForAccepted(1)
            #expect(pushes[0].json["notification"]?["message"]?["content"]?.stringValue == "are you there?")
            #expect(receiver.verify(pushes[0]))
            #expect(receiver.attempts == 3)
            let metrics = try await http.waitForMetrics("one push sent") { $0.value("chat_push_sent_total") == 1 }
            #expect(metrics.value("chat_push_failed_total") >= 4)
            #expect(metrics.value("chat_push_retried_total") == metrics.value("chat_push_failed_total"))
            #expect(metrics.value("chat_push_pending") == 0)
            try await Task.sleep(for: .milliseconds(300))
            #expect(receiver.accepted.count == 1)
        }
    }

    /// With room for 3, five pushes while the target is down: the two oldest are dropped and counted, the
    /// three newest arrive in order once it is up.
    @Test func theQueueBoundDropsTheOldestAndCountsIt() async throws {
        let receiver = WebhookReceiver(port: try Broker.freePort(), secret: Self.secret)
        try await withPushEngine(receiver, { $0.push.queueLimit = 3 }) { engine, http in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            _ = try await bob.request("chat/push/register", Self.device("phone"))
            for index in 1...5 {
                #expect(try await alice.request("chat/private/bob", ["content": .string("message \(index)")]).status == "private_message_sent")
            }
            let metrics = try await http.waitForMetrics("two drops") { $0.value("chat_push_dropped_total", ["reason": "overflow"]) == 2 }
            #expect(metrics.value("chat_push_pending") == 3)
            #expect(metrics.value("chat_push_pending_bytes") > 0)
            try await receiver.start()
            let pushes = try await receiver.waitForAccepted(3)
            #expect(pushes.map { $0.json["notification"]?["message"]?["content"]?.stringValue } == ["message 3", "message 4", "message 5"])
            _ = try await http.waitForMetrics("queue empty") { $0.value("chat_push_pending") == 0 && $0.value("chat_push_sent_total") == 3 }
        }
    }
}

extension PushWebhookTests {
    /// 10 users get 30 DMs each from 10 senders at once while the target is down: 300 pushes wait, then
    /// the target comes up and they drain, each user's in the order their DMs were answered, 4 POSTs in
    /// flight. Prints the drain rate (a connection per POST, loopback, a debug build).
    @Test func manyUsersPushesArriveEachInOrder() async throws {
        let receiver = WebhookReceiver(port: try Broker.freePort(), secret: Self.secret)
        try await withPushEngine(receiver) { engine, http in
            var recipients: [ChatClient] = []
            var senders: [ChatClient] = []
            for index in 0..<10 {
                let recipient = try await engine.user("r\(index)")
                _ = try await recipient.request("chat/push/register", Self.device("phone"))
                recipients.append(recipient)
                senders.append(try await engine.user("s\(index)"))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, sender) in senders.enumerated() {
                    let target = "r\(index)"
                    group.addTask {
                        for number in 0..<30 {
                            _ = try await sender.request("chat/private/\(target)", ["content": .string("\(number)")])
                        }
                    }
                }
                try await group.waitForAll()
            }
            _ = try await http.waitForMetrics("300 pending") { $0.value("chat_push_pending") == 300 }
            try await receiver.start()
            let pushes = try await receiver.waitForAccepted(300, timeout: 60)
            let spread = pushes[299].acceptedAt - pushes[0].acceptedAt
            let seconds = Double(spread.components.seconds) + Double(spread.components.attoseconds) / 1e18
            print("push drain: 300 pushes for 10 users in \(spread) (\(Int(299 / seconds)) pushes/s)")
            for index in 0..<10 {
                let contents = pushes.filter { $0.json["user_id"]?.stringValue == "r\(index)" }
                    .compactMap { $0.json["notification"]?["message"]?["content"]?.stringValue }
                #expect(contents == (0..<30).map { "\($0)" }, "r\(index)")
            }
        }
    }
}

/// Pending pushes and registered devices survive a restart of the executable: after SIGTERM (the final
/// snapshot) and after SIGKILL right after the acknowledgements (the journal).
@Suite(.timeLimit(.minutes(2)))
struct PushRestartTests {
    @Test(arguments: [SIGTERM, SIGKILL])
    func pushesPendingAtARestartArriveAfterIt(signal: Int32) async throws {
        let broker = try await Broker()
        let directory = RestartTests.dataDirectory()
        let receiver = WebhookReceiver(port: try Broker.freePort(), secret: PushWebhookTests.secret)
        let flags = ["--push-webhook-url", receiver.url, "--push-webhook-secret", PushWebhookTests.secret]
        let engine = EngineProcess(port: broker.port, dataDirectory: directory)
        try await engine.start(extra: flags)
        let alice = try await ChatClient(userId: "alice", port: broker.port)
        let bob = try await ChatClient(userId: "bob", port: broker.port)
        #expect(try await bob.request("chat/push/register", PushWebhookTests.device("phone")).status == "push_registered")
        for index in 1...3 {
            #expect(try await alice.request("chat/private/bob", ["content": .string("while down \(index)")]).status == "private_message_sent")
        }
        #expect(engine.stop(signal: signal) == (signal == SIGKILL ? 128 + SIGKILL : 0))
        #expect(receiver.attempts == 0)

        try await receiver.start()
        try await engine.start(extra: flags)
        let pushes = try await receiver.waitForAccepted(3)
        #expect(pushes.map { $0.json["notification"]?["message"]?["content"]?.stringValue } == ["while down 1", "while down 2", "while down 3"])
        #expect(pushes.allSatisfy { receiver.verify($0) })
        // The device was kept too: it can be unregistered, and then nothing is pushed.
        #expect(try await bob.request("chat/push/unregister", ["device_id": "phone"]).status == "push_unregistered")
        _ = try await alice.request("chat/private/bob", ["content": "after unregister"])
        try await Task.sleep(for: .milliseconds(500))
        #expect(receiver.accepted.count == 3)
        engine.stop()
        await receiver.stop()
        broker.stop()
    }
}
